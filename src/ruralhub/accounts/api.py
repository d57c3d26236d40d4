from ninja import Router, Schema
from ninja.responses import Status

from ruralhub.core.api import InputSchema, PatchSchema
from ruralhub.core.privacy import phone_for
from ruralhub.core.scoping import get_visible_or_404

from . import services
from .choices import OrganisationKind
from .models import Organisation

router = Router(tags=["单位"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str
    division: str
    contact_name: str
    phone: str
    address: str
    is_active: bool


class OrganisationIn(InputSchema):
    name: str
    kind: OrganisationKind
    credit_code: str
    division: str
    contact_name: str = ""
    phone: str = ""
    address: str = ""
    is_active: bool = True


class OrganisationPatch(PatchSchema):
    name: str | None = None
    kind: OrganisationKind | None = None
    credit_code: str | None = None
    division: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    address: str | None = None
    is_active: bool | None = None


def _out(request, organisation: Organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "kind": organisation.kind,
        "credit_code": organisation.credit_code,
        "division": organisation.division_id,
        "contact_name": organisation.contact_name,
        "phone": phone_for(request.auth, organisation.phone),
        "address": organisation.address,
        "is_active": organisation.is_active,
    }


@router.get("", response=list[OrganisationOut])
def list_organisations(request, kind: OrganisationKind | None = None):
    qs = Organisation.objects.visible_to(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    return [_out(request, o) for o in qs]


@router.get("/{int:pk}", response=OrganisationOut)
def get_organisation(request, pk: int):
    return _out(request, get_visible_or_404(Organisation, request.auth, pk=pk))


@router.post("", response={201: OrganisationOut})
def create_organisation(request, payload: OrganisationIn):
    organisation = services.save_organisation(request.auth, payload.dict())
    return Status(201, _out(request, organisation))


@router.patch("/{int:pk}", response=OrganisationOut)
def update_organisation(request, pk: int, payload: OrganisationPatch):
    organisation = get_visible_or_404(Organisation, request.auth, "change", pk=pk)
    organisation = services.save_organisation(request.auth, payload.dict(exclude_unset=True), organisation)
    return _out(request, organisation)
