"""Organisations and users: the only place that creates or changes them."""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as reset_axes_attempts
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ruralhub.core.roles import ROLES, Role, ScopeKind, role_of
from ruralhub.core.scoping import SYSTEM, is_system, require
from ruralhub.core.validators import REASON_MAX_LENGTH
from ruralhub.regions.models import Division

from .models import Organisation, User

ORGANISATION_FIELDS = ("name", "kind", "credit_code", "division", "contact_name", "phone", "address", "is_active")
# What update_user changes; the account flags only for a superuser (or the system).
USER_FIELDS = ("full_name", "email", "phone", "role", "division", "organisation", "is_active")
ACCOUNT_FLAGS = ("is_staff", "is_superuser")
# The same answer whether the holder is in the actor's scope or not: a clash names no one.
CREDIT_CODE_TAKEN = "该统一社会信用代码已登记，不能重复登记；如属同一单位，请联系县电商办核实"
# Roles whose managers may handle only some roles' logins: a township officer, its township's station operators.
MANAGED_ROLES = {Role.TOWNSHIP_OFFICER: frozenset({Role.STATION_OPERATOR})}


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
    managed = managed_roles(actor)
    if managed is not None and role not in managed:
        allowed = "、".join(str(Role(r).label) for r in sorted(managed))
        raise ValidationError({"role": _("您只能为以下角色开通或修改账号：%(roles)s") % {"roles": allowed}})
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


def managed_roles(actor) -> frozenset[str] | None:
    """The roles whose logins ``actor`` may manage; None: any role its permissions allow."""
    if is_system(actor) or actor.is_superuser:
        return None
    info = role_of(actor)
    return MANAGED_ROLES.get(info.role) if info else None


def manageable_users(actor):
    """The users ``actor`` sees on the user-management pages: in scope, and of a role it manages."""
    if not is_system(actor) and not actor.has_perm("accounts.view_user"):
        return User.objects.none()  # seeing one's own organisation's users is no reason for these pages
    users = User.objects.visible_to(actor, "view")
    managed = managed_roles(actor)
    if managed is not None:
        users = users.filter(role__in=managed)
    return users


def _require_manageable(actor, user: User) -> User:
    """``require`` the change permission on ``user``, and that its role and rank are the actor's to manage."""
    require(actor, user, "change")
    if is_system(actor):
        return user
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied(_("只有系统管理员可以管理系统管理员的账号"))
    managed = managed_roles(actor)
    if managed is not None and user.role not in managed:
        raise PermissionDenied(_("您只能管理本辖区服务站点负责人的账号"))
    return user


def _save_with_reason(actor, user: User, reason: str) -> None:
    user._change_reason, user._history_user = reason, None if is_system(actor) else actor
    user.save()


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


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
    user.full_clean(exclude=["password"])
    _check_password(password, user)
    user.set_password(password)
    _save_with_reason(actor, user, _("创建用户"))
    return user


@transaction.atomic
def update_user(actor, user: User, data: dict, reason: str = "修改用户") -> User:
    """Change a user's details, role and scope on behalf of ``actor``; the change is kept in the user's history.

    ``data`` maps names in ``USER_FIELDS`` (plus ``ACCOUNT_FLAGS`` for a superuser) to values.
    Raises ValidationError with field messages; nothing is written then.
    """
    _require_manageable(actor, user)
    allowed = USER_FIELDS + (ACCOUNT_FLAGS if is_system(actor) or actor.is_superuser else ())
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({field: "不能在此修改该项" for field in sorted(unknown)})
    user = User.objects.select_for_update().get(pk=user.pk)
    for field, value in data.items():
        setattr(user, field, value)
    check_user_scope(actor, user.role, user.division, user.organisation)
    user.full_clean(exclude=["password"])
    _save_with_reason(actor, user, reason)
    return user


def _locked_for_change(actor, user: User) -> User:
    _require_manageable(actor, user)
    return User.objects.select_for_update().get(pk=user.pk)


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if "\x00" in reason:
        raise ValidationError({"reason": _("不能包含NUL字符")})
    if len(reason) > REASON_MAX_LENGTH - 20:  # the history keeps the action's name in front of it
        raise ValidationError({"reason": _("原因不能超过%(n)d个字") % {"n": REASON_MAX_LENGTH - 20}})
    return reason


@transaction.atomic
def reset_password(actor, user: User, password: str) -> User:
    """Set a new password for ``user`` (who forgot theirs); the reset is kept in the user's history."""
    user = _locked_for_change(actor, user)
    _check_password(password, user)
    user.set_password(password)
    _save_with_reason(actor, user, _("重置密码"))
    return user


@transaction.atomic
def set_active(actor, user: User, active: bool, reason: str = "") -> User:
    """Deactivate (the login stops working, sessions and tokens too) or reactivate ``user``, with a reason."""
    user = _locked_for_change(actor, user)
    reason = _clean_reason(reason)
    if not active and not is_system(actor) and user.pk == actor.pk:
        raise ValidationError({"is_active": _("不能停用自己的账号")})
    if not active and not reason:
        raise ValidationError({"reason": _("停用账号须填写原因")})
    if user.is_active == active:
        state = _("已启用") if active else _("已停用")
        raise ValidationError({"is_active": _("该账号%(state)s，无需重复操作") % {"state": state}})
    user.is_active = active
    action = _("启用账号") if active else _("停用账号")
    _save_with_reason(actor, user, f"{action}：{reason}" if reason else action)
    return user


def locked_usernames(usernames) -> set[str]:
    """Which of ``usernames`` django-axes locks out now (too many wrong passwords within the cool-off)."""
    since = timezone.now() - get_cool_off()
    rows = (
        AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=since)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    return {row["username"] for row in rows}


@transaction.atomic
def unlock(actor, user: User) -> User:
    """Lift django-axes' lockout of ``user`` (wrong passwords) at once; kept in the user's history."""
    user = _locked_for_change(actor, user)
    if user.username not in locked_usernames([user.username]):
        raise ValidationError({"username": _("该账号未被锁定")})
    reset_axes_attempts(username=user.username)
    _save_with_reason(actor, user, _("解除登录锁定"))
    return user
