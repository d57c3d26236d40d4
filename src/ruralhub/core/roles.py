"""Roles: who a user is in the program, and which scope dimension applies to them.

The model permissions of a role are declared by each app in its AppConfig as
``role_permissions = {role: [codename, …]}``; ``RolePermissionBackend`` grants them,
so adding an app never means editing this file.
"""

import enum
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_OFFICE = "county_office", _("县电商办")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇干部")
    STATION_OPERATOR = "station_operator", _("服务站点负责人")
    LOGISTICS_OPERATOR = "logistics_operator", _("物流企业/共配中心")
    PRODUCER = "producer", _("生产经营主体")
    TRAINER = "trainer", _("培训机构")
    FINANCE_AUDIT = "finance_audit", _("财政/审计")


class ScopeKind(enum.Enum):
    DIVISION = "division"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class RoleInfo:
    role: Role
    scope_kind: ScopeKind
    sees_personal_data: bool  # full phone and ID numbers


ROLES = {
    Role.COUNTY_OFFICE: RoleInfo(Role.COUNTY_OFFICE, ScopeKind.DIVISION, True),
    Role.TOWNSHIP_OFFICER: RoleInfo(Role.TOWNSHIP_OFFICER, ScopeKind.DIVISION, False),
    Role.FINANCE_AUDIT: RoleInfo(Role.FINANCE_AUDIT, ScopeKind.DIVISION, False),
    Role.STATION_OPERATOR: RoleInfo(Role.STATION_OPERATOR, ScopeKind.ORGANISATION, False),
    Role.LOGISTICS_OPERATOR: RoleInfo(Role.LOGISTICS_OPERATOR, ScopeKind.ORGANISATION, False),
    Role.PRODUCER: RoleInfo(Role.PRODUCER, ScopeKind.ORGANISATION, False),
    Role.TRAINER: RoleInfo(Role.TRAINER, ScopeKind.ORGANISATION, False),
}


def role_of(user) -> RoleInfo | None:
    role = getattr(user, "role", "")
    return ROLES.get(role) if role else None


def role_permissions() -> dict[str, frozenset[str]]:
    """{role: {"app_label.codename", …}} gathered from every installed app's AppConfig."""
    wanted: dict[str, set[str]] = {role.value: set() for role in Role}
    for config in django_apps.get_app_configs():
        for role, codenames in getattr(config, "role_permissions", {}).items():
            wanted[role].update(f"{config.label}.{codename}" for codename in codenames)
    return {role: frozenset(perms) for role, perms in wanted.items()}


class RolePermissionBackend:
    """Grants each active user the model permissions of their role; authenticates nobody."""

    def authenticate(self, request, **credentials):
        return None

    def get_user_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or obj is not None or not getattr(user_obj, "role", ""):
            return set()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = set(role_permissions().get(user_obj.role, ()))
        return user_obj._role_perm_cache

    def get_all_permissions(self, user_obj, obj=None):
        return self.get_user_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
