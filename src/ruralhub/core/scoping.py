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
403 that leaks its existence.
"""

from dataclasses import dataclass

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


def scope_q(model: type[models.Model], user, action: str = "view") -> Q:
    """The filter for ``model`` records that ``user`` may act on; ``NOTHING`` when none."""
    from ruralhub.core.roles import ScopeKind, role_of

    if action not in DEFAULT_ACTIONS and f"{action}_{model._meta.model_name}" not in dict(model._meta.permissions):
        raise ValueError(f"unknown action {action!r} for {model._meta.label}")
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
    """The object the user may act on, or 404 — the same answer whether it exists or not."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    try:
        return qs.visible_to(user, action).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can(user, obj: models.Model, action: str) -> bool:
    """Whether ``user`` may perform ``action`` on this one object (for showing buttons)."""
    model = type(obj)
    return model._default_manager.filter(pk=obj.pk).visible_to(user, action).exists()


def may(user, model: type[models.Model], action: str) -> bool:
    """Whether ``user`` may perform ``action`` on some records of ``model`` at all (for menus and add buttons)."""
    return scope_q(model, user, action) is not NOTHING
