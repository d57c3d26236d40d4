from ninja import Router, Schema

from ruralhub.core.scoping import get_visible_or_404

from .choices import Level
from .models import Division

router = Router(tags=["行政区划"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent_id: str | None
    poverty_status: str
    lat: float | None
    lng: float | None


@router.get("/divisions", response=list[DivisionOut])
def list_divisions(request, within: str = "", level: Level | None = None):
    """Divisions in the caller's scope; `within` narrows to a code prefix, `level` to county/township/village."""
    qs = Division.objects.visible_to(request.auth)
    if within:
        qs = qs.within(within)
    if level:
        qs = qs.filter(level=level)
    return qs


@router.get("/divisions/{code}", response=DivisionOut)
def get_division(request, code: str):
    return get_visible_or_404(Division, request.auth, code=code)
