"""The one rule that decides which records a user may see or change.

Every record hangs off a division (county / township / village) and/or an
organisation. A model says how, with a ``Scope``:

    class Station(models.Model):
        scope = Scope(division="division", organisation="host")
        objects = ScopedQuerySet.as_manager()

and every view, API handler and export asks ``Station.objects.visible_to(user, action)``.
Roles decide which dimension applies (see ``ruralhub.core.roles``):

* division roles (county office, township officer, finance/audit) see records
  whose division code starts with their own division's code;
* organisation roles (station operator, logistics, producer, trainer) see records
  of their own organisation, narrowed to their division when they have one.
  A model with no organisation link falls back to the division rule for them.

Actions other than "view" also need the role's model permission: add/change/delete, or a
custom one the model declares in Meta.permissions (``approve`` → ``approve_monthlyreport``).
Anything outside scope is simply not in the queryset, so a lookup of it is a 404, never a
403 that leaks its existence. A record the user may see but not act on is a 403 (``require``):
they already know it exists, so hiding it would only make the refusal confusing.

``require(actor, obj_or_model, action)`` is the one permission preamble of views, API handlers
and services alike.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

DEFAULT_ACTIONS = ("view", "add", "change", "delete")
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    # Lookup path from the model to its Division ("" when the model is a Division); None: no division link.
    division: str | None = None
    # Lookup path to its Organisation ("" when the model is an Organisation); None: no organisation link.
    organisation: str | None = None
    # Records hung at a higher level (a county program) are readable by users below it.
    readable_from_below: bool = False


def _division_lookup(path: str) -> str:
    return f"{path}__code" if path else "code"


def _organisation_lookup(path: str) -> str:
    return path or "pk"


def division_q(scope: Scope, division_code: str, action: str) -> Q:
    lookup = _division_lookup(scope.division)
    q = Q(**{f"{lookup}__startswith": division_code})
    if scope.readable_from_below and action == "view":
        # Ancestors of a 12-digit village code are its 6- and 9-digit prefixes.
        ancestors = [division_code[:n] for n in (6, 9) if n < len(division_code)]
        if ancestors:
            q |= Q(**{f"{lookup}__in": ancestors})
    return q


class SystemActor:
    """Who writes when no one is signed in: the demo generator, command-line imports, benchmarks.

    It passes every permission and scope check; the rules themselves still apply to what it writes.
    """

    pk = None
    is_authenticated = False
    is_active = True
    is_superuser = False
    role = ""
    division_id = None
    organisation_id = None

    def __str__(self):
        return "system"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def scope_q(model: type[models.Model], user, action: str = "view") -> Q:
    """The filter for ``model`` records that ``user`` may act on; ``NOTHING`` when none."""
    from ruralhub.core.roles import ScopeKind, role_of

    if action not in DEFAULT_ACTIONS and f"{action}_{model._meta.model_name}" not in dict(model._meta.permissions):
        raise ValueError(f"unknown action {action!r} for {model._meta.label}")
    if is_system(user):
        return Q()
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    if action != "view":
        perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if not user.has_perm(perm):
            return NOTHING
    scope: Scope | None = getattr(model, "scope", None)
    role = role_of(user)
    if scope is None or role is None:
        return NOTHING

    parts = []
    if role.scope_kind == ScopeKind.ORGANISATION and scope.organisation is not None:
        if not user.organisation_id:
            return NOTHING
        parts.append(Q(**{_organisation_lookup(scope.organisation): user.organisation_id}))
    if scope.division is not None and user.division_id:
        parts.append(division_q(scope, user.division_id, action))
    elif role.scope_kind == ScopeKind.DIVISION or scope.organisation is None:
        return NOTHING
    q = Q()
    for part in parts:
        q &= part
    return q


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        q = scope_q(self.model, user, action)
        if q is NOTHING:
            return self.none()
        return self.filter(q)


def get_visible_or_404(queryset_or_model, user, action: str = "view", **lookup):
    """The object the user may see, or 404 (the same answer whether it exists or not); then ``require`` the action."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    try:
        obj = qs.visible_to(user, "view").get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if action != "view":
        require(user, obj, action)
    return obj


def require(actor, obj_or_model, action: str = "view", message: str = ""):
    """The one permission check before an action; returns the object (or model) when allowed.

    * a model class: the actor's role must have the action on some records (else PermissionDenied → 403);
    * an object outside the actor's view scope: Http404, as if it did not exist;
    * an object the actor sees but may not ``action``: PermissionDenied → 403.
    """
    if is_system(actor):
        return obj_or_model
    if isinstance(obj_or_model, type):
        if not may(actor, obj_or_model, action):
            raise PermissionDenied(message or _refusal(obj_or_model, action))
        return obj_or_model
    model = type(obj_or_model)
    if obj_or_model.pk is None:
        raise ValueError("require() takes a saved object or a model class")
    rows = model._default_manager.filter(pk=obj_or_model.pk)
    if not rows.visible_to(actor, "view").exists():
        raise Http404
    if action != "view" and not rows.visible_to(actor, action).exists():
        raise PermissionDenied(message or _refusal(model, action))
    return obj_or_model


# Verbs for refusals; an app's custom action not listed here reads "操作".
ACTION_LABELS = {
    "view": "查看",
    "add": "登记",
    "change": "修改",
    "delete": "删除",
    "submit": "报送",
    "approve": "审核",
    "accept": "确认",
}


def _refusal(model, action: str) -> str:
    return f"您没有{ACTION_LABELS.get(action, '操作')}{model._meta.verbose_name}的权限"


def can(user, obj: models.Model, action: str) -> bool:
    """Whether ``user`` may perform ``action`` on this one object (for showing buttons)."""
    model = type(obj)
    return model._default_manager.filter(pk=obj.pk).visible_to(user, action).exists()


def may(user, model: type[models.Model], action: str) -> bool:
    """Whether ``user`` may perform ``action`` on some records of ``model`` at all (for menus and add buttons)."""
    return scope_q(model, user, action) is not NOTHING
