"""What the network's views share."""

from datetime import date

from ruralhub.core.dates import date_param
from ruralhub.regions.models import Division


def county_of(user) -> str | None:
    division = Division.objects.visible_to(user).order_by("code").values_list("code", flat=True).first()
    return division[:6] if division else None


def date_from_query(request, name: str, default: date) -> date:
    return date_param(request.GET.get(name), default)
