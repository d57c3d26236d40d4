"""Organisations and users: the only place that creates or changes them."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ruralhub.core.roles import ROLES, Role, ScopeKind
from ruralhub.core.scoping import SYSTEM, is_system, require
from ruralhub.regions.models import Division

from .models import Organisation, User

ORGANISATION_FIELDS = ("name", "kind", "credit_code", "division", "contact_name", "phone", "address", "is_active")
# What update_user changes; the account flags only for a superuser (or the system).
USER_FIELDS = ("full_name", "email", "phone", "role", "division", "organisation", "is_active")
ACCOUNT_FLAGS = ("is_staff", "is_superuser")
# The same answer whether the holder is in the actor's scope or not: a clash names no one.
CREDIT_CODE_TAKEN = "该统一社会信用代码已登记，不能重复登记；如属同一单位，请联系县电商办核实"


def _require_division_in_scope(actor, division: Division | None) -> None:
    if division is None or is_system(actor):
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
        require(actor, Organisation, "add")
        organisation = Organisation()
    else:
        organisation = require(actor, instance, "change")
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
    organisation.full_clean(validate_unique=False)
    _require_division_in_scope(actor, organisation.division)
    # Checked over all organisations (the code is unique nationwide), answered without naming the holder.
    clash = Organisation.objects.select_for_update().filter(credit_code=organisation.credit_code)
    if clash.exclude(pk=organisation.pk).exists():
        raise ValidationError({"credit_code": CREDIT_CODE_TAKEN})
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:  # registered by someone else since the check
        raise ValidationError({"credit_code": CREDIT_CODE_TAKEN}) from exc
    return organisation


def check_user_scope(actor, role: str, division: Division | None, organisation: Organisation | None) -> None:
    """A user's scope fits the role and lies within the actor's own: raises ValidationError naming the field.

    Division roles need a division, organisation roles an organisation; nobody hands out a scope
    they do not see themselves.
    """
    if role not in Role.values:
        raise ValidationError({"role": f"未知角色“{role}”"})
    kind = ROLES[Role(role)].scope_kind
    if kind == ScopeKind.DIVISION and division is None:
        raise ValidationError({"division": "该角色必须指定管辖区划"})
    if kind == ScopeKind.ORGANISATION and organisation is None:
        raise ValidationError({"organisation": "该角色必须指定所属单位"})
    _require_division_in_scope(actor, division)
    if organisation is None or is_system(actor):
        return
    if not Organisation.objects.filter(pk=organisation.pk).visible_to(actor, "view").exists():
        raise ValidationError({"organisation": "所选单位不在您的管辖范围内"})


@transaction.atomic
def create_user(
    username: str,
    password: str,
    role: str,
    *,
    actor=SYSTEM,
    full_name: str = "",
    division: Division | None = None,
    organisation: Organisation | None = None,
    phone: str = "",
    email: str = "",
    is_staff: bool = False,
) -> User:
    """Create a user whose scope fits the role (see ``check_user_scope``) on behalf of ``actor``."""
    require(actor, User, "add")
    if is_staff and not (is_system(actor) or actor.is_superuser):
        raise ValidationError({"is_staff": "只有系统管理员可以开通管理后台权限"})
    check_user_scope(actor, role, division, organisation)
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        division=division,
        organisation=organisation,
        phone=phone,
        email=email,
        is_staff=is_staff,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user._change_reason, user._history_user = "创建用户", None if is_system(actor) else actor
    user.save()
    return user


@transaction.atomic
def update_user(actor, user: User, data: dict, reason: str = "修改用户") -> User:
    """Change a user's details, role and scope on behalf of ``actor``; the change is kept in the user's history.

    ``data`` maps names in ``USER_FIELDS`` (plus ``ACCOUNT_FLAGS`` for a superuser) to values.
    Raises ValidationError with field messages; nothing is written then.
    """
    require(actor, user, "change")
    allowed = USER_FIELDS + (ACCOUNT_FLAGS if is_system(actor) or actor.is_superuser else ())
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({field: "不能在此修改该项" for field in sorted(unknown)})
    user = User.objects.select_for_update().get(pk=user.pk)
    for field, value in data.items():
        setattr(user, field, value)
    check_user_scope(actor, user.role, user.division, user.organisation)
    user.full_clean(exclude=["password"])
    user._change_reason, user._history_user = reason, None if is_system(actor) else actor
    user.save()
    return user
