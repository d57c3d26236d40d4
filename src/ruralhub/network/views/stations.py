"""Stations: list, detail with its change log, registration and editing, status changes."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ruralhub.core.forms import add_service_errors
from ruralhub.core.privacy import phone_for
from ruralhub.core.scoping import can, get_visible_or_404, may, require

from .. import services
from ..choices import RecordKind, ReportStatus, StationLevel, StationStatus
from ..filters import StationFilter
from ..forms import StationForm, StatusForm
from ..models import CheckIn, MonthlyReport, ReviewDecision, ServiceRecord, Station, StationStatusChange
from ..tables import StationTable


@login_required
def station_list(request):
    stations = Station.objects.visible_to(request.user).select_related("division__parent").distinct()
    filters = StationFilter(request.GET or None, queryset=stations, user=request.user)
    table = StationTable(filters.qs, request.user, request.GET)
    context = {
        "filters": filters,
        "table": table,
        "can_add": may(request.user, Station, "add"),
        "count": table.page.paginator.count,
    }
    return render(request, "network/station_list.html", context)


# Fields whose value is personal data: shown masked in the change log to roles that see them masked.
PHONE_FIELDS = {"operator_phone"}


def _shown(field, value, user, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if field.name in PHONE_FIELDS:
        return phone_for(user, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return names.get(field.name, {}).get(value, f"#{value}")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def change_log(station: Station, user, limit: int = 50) -> list[dict]:
    """The station's audit trail, newest first: when, who, why, and each changed field old → new.

    Read from the django-simple-history rows; linked records are named only when the user may see them.
    """
    rows = list(station.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    diffs = [newer.diff_against(older).changes for newer, older in zip(rows, rows[1:], strict=False)]
    fields = {f.name: f for f in Station._meta.fields}
    linked: dict[str, set] = {}
    for change in (c for changes in diffs for c in changes):
        if fields[change.field].is_relation:
            linked.setdefault(change.field, set()).update(v for v in (change.old, change.new) if v is not None)
    names = {}
    for name, ids in linked.items():
        model = fields[name].related_model
        visible = model._default_manager.filter(pk__in=ids)
        if hasattr(visible, "visible_to"):
            visible = visible.visible_to(user)
        names[name] = {obj.pk: str(obj) for obj in visible}
    entries = []
    for index, row in enumerate(rows[:limit]):
        changes = diffs[index] if index < len(diffs) else []
        entries.append(
            {
                "when": row.history_date,
                "who": row.history_user,
                "type": row.get_history_type_display(),
                "reason": row.history_change_reason or "",
                "changes": [
                    {
                        "field": str(fields[c.field].verbose_name),
                        "old": _shown(fields[c.field], c.old, user, names),
                        "new": _shown(fields[c.field], c.new, user, names),
                    }
                    for c in changes
                    if c.field in fields
                ],
            }
        )
    return entries


@login_required
def station_detail(request, pk):
    station = get_visible_or_404(
        Station.objects.select_related("division__parent", "host", "replaced_by"), request.user, pk=pk
    )
    context = {
        "station": station,
        "services_offered": station.services.all(),
        "served": station.served_villages.all(),
        "history": StationStatusChange.objects.visible_to(request.user)
        .filter(station=station)
        .select_related("changed_by"),
        "records": ServiceRecord.objects.visible_to(request.user).filter(station=station)[:30],
        "reports": MonthlyReport.objects.visible_to(request.user).filter(station=station)[:24],
        "check_ins": CheckIn.objects.visible_to(request.user).filter(station=station)[:14],
        "decisions": ReviewDecision.objects.visible_to(request.user)
        .filter(station=station)
        .select_related("replacement", "decided_by"),
        "change_log": change_log(station, request.user),
        "can_change": can(request.user, station, "change"),
        "report_statuses": {k: str(v) for k, v in ReportStatus.choices},
        "record_kinds": {k: str(v) for k, v in RecordKind.choices},
    }
    if context["can_change"]:
        form = StatusForm(user=request.user, station=station, initial={"effective_on": timezone.localdate()})
        form.fields["replacement"].choices = replacement_choices(request.user, station)
        context["status_form"] = form
        context["closing_loses"] = coverage_lost_by_closing(station)
    return render(request, "network/station_detail.html", context)


REPLACEMENT_CHOICES = 20  # the nearest operating stations offered as 接替站点


def replacement_choices(user, station: Station) -> list[tuple]:
    """接替站点 to choose from: operating stations the user may see, nearest first (distance in the label)."""
    on = timezone.localdate()
    operating = services.coverage(station.division_id[:6], on).operating_ids - {station.pk}
    origin = _place(station.lat, station.lng, station.division.lat, station.division.lng)
    ranked = []
    rows = (
        Station.objects.visible_to(user)
        .filter(pk__in=operating)
        .values_list("pk", "name", "code", "lat", "lng", "division__lat", "division__lng")
    )
    for pk, name, code, *coordinates in rows:
        there = _place(*coordinates)
        km = services.distance_km(*origin, *there) if origin and there else math.inf
        ranked.append((km, code, pk, name))
    ranked.sort()
    return [("", "---------")] + [
        (pk, f"{name}（{km:.1f} km）" if km != math.inf else name)
        for km, _code, pk, name in ranked[:REPLACEMENT_CHOICES]
    ]


def _place(lat, lng, division_lat, division_lng) -> tuple | None:
    """A station's coordinates, else its division's."""
    if lat is not None:
        return lat, lng
    if division_lat is not None:
        return division_lat, division_lng
    return None


def coverage_lost_by_closing(station: Station) -> list:
    """The villages this station serves that no other operating village point serves today."""
    if station.level != StationLevel.VILLAGE_POINT or station.status == StationStatus.CLOSED:
        return []
    cov = services.coverage(station.division_id[:6], timezone.localdate())
    served = list(station.served_villages.order_by("code"))
    others = cov.operating_ids - {station.pk}
    still = set(
        Station.served_villages.through.objects.filter(
            division_id__in=[v.code for v in served], station_id__in=others, station__level=StationLevel.VILLAGE_POINT
        ).values_list("division_id", flat=True)
    )
    return [v for v in served if v.code not in still]


def _save_station(request, instance):
    form = StationForm(request.POST or None, request.FILES or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("services", "served_villages")}
        if data.get("sign_photo") is False:
            data["sign_photo"] = ""  # "clear" was ticked
        elif not data.get("sign_photo"):
            data.pop("sign_photo", None)  # no new upload: keep the photo
        try:
            station = services.save_station(
                request.user,
                data,
                instance,
                services=form.cleaned_data["services"],
                served_villages=list(form.cleaned_data["served_villages"]) or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存：{station.name}")
            return redirect("network:station_detail", pk=station.pk)
    return render(request, "network/station_form.html", {"form": form, "station": instance})


@login_required
def station_create(request):
    require(request.user, Station, "add")
    return _save_station(request, None)


@login_required
def station_edit(request, pk):
    return _save_station(request, get_visible_or_404(Station, request.user, "change", pk=pk))


@login_required
def station_sign(request, pk):
    """The 统一标识 photo, only for users who may see the station (media is not served publicly)."""
    station = get_visible_or_404(Station, request.user, pk=pk)
    if not station.sign_photo:
        raise Http404
    return FileResponse(station.sign_photo.open("rb"), filename=station.sign_photo.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def station_status(request, pk):
    station = get_visible_or_404(Station, request.user, "change", pk=pk)
    form = StatusForm(request.POST, user=request.user, station=station)
    if form.is_valid():
        try:
            services.change_status(
                request.user,
                station,
                form.cleaned_data["status"],
                form.cleaned_data["effective_on"],
                form.cleaned_data["reason"],
                form.cleaned_data["replacement"],
            )
            messages.success(request, f"{station.name}：状态已变更为“{station.get_status_display()}”")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))
    return redirect("network:station_detail", pk=station.pk)
