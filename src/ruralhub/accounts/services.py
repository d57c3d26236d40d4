"""Organisations and users: the only place that creates or changes them."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ruralhub.core.roles import ROLES, Role, ScopeKind
from ruralhub.core.scoping import may
from ruralhub.regions.models import Division

from .models import Organisation, User

ORGANISATION_FIELDS = ("name", "kind", "credit_code", "division", "contact_name", "phone", "address", "is_active")


def _require_division_in_scope(actor, division: Division | None) -> None:
    if division is None:
        return
    if not Division.objects.filter(pk=division.pk).visible_to(actor, "view").exists():
        raise ValidationError({"division": "所选区划不在您的管辖范围内"})


@transaction.atomic
def save_organisation(actor, data: dict, instance: Organisation | None = None) -> Organisation:
    """Create (instance None) or update an organisation on behalf of ``actor``.

    ``data`` maps field names to values (``division`` may be a Division or its code).
    Raises ValidationError with field messages; nothing is written then.
    """
    if instance is None:
        if not may(actor, Organisation, "add"):
            raise ValidationError("您没有登记单位的权限")
        organisation = Organisation()
    else:
        if not Organisation.objects.filter(pk=instance.pk).visible_to(actor, "change").exists():
            raise ValidationError("您没有修改该单位的权限")
        organisation = instance
    unknown = set(data) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValidationError({field: "不是单位的字段" for field in sorted(unknown)})
    values = dict(data)
    if isinstance(values.get("division"), str):
        division = Division.objects.filter(pk=values["division"]).first()
        if division is None:
            raise ValidationError({"division": f"区划代码“{values['division']}”不存在"})
        values["division"] = division
    if isinstance(values.get("credit_code"), str):
        values["credit_code"] = values["credit_code"].strip().upper()
    for field, value in values.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    _require_division_in_scope(actor, organisation.division)
    organisation.save()
    return organisation


@transaction.atomic
def create_user(
    username: str,
    password: str,
    role: str,
    *,
    full_name: str = "",
    division: Division | None = None,
    organisation: Organisation | None = None,
    phone: str = "",
    is_staff: bool = False,
) -> User:
    """Create a user whose scope fits the role: division roles need a division, organisation roles an organisation."""
    if role not in Role.values:
        raise ValidationError({"role": f"未知角色“{role}”"})
    kind = ROLES[Role(role)].scope_kind
    if kind == ScopeKind.DIVISION and division is None:
        raise ValidationError({"division": "该角色必须指定管辖区划"})
    if kind == ScopeKind.ORGANISATION and organisation is None:
        raise ValidationError({"organisation": "该角色必须指定所属单位"})
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        division=division,
        organisation=organisation,
        phone=phone,
        is_staff=is_staff,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
