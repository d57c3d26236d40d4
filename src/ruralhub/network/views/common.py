"""What the network's views share."""

from datetime import date

from django.core.exceptions import ValidationError

from ruralhub.core.dates import date_param
from ruralhub.regions.models import Division


def form_errors(form, exc: ValidationError):
    """A service's ValidationError on the form: on its field where the form has one, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def county_of(user) -> str | None:
    division = Division.objects.visible_to(user).order_by("code").values_list("code", flat=True).first()
    return division[:6] if division else None


def date_from_query(request, name: str, default: date) -> date:
    return date_param(request.GET.get(name), default)
