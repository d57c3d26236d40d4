"""The operator's phone page: check in, one tap per service, correct a month's records, submit the month."""

import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ruralhub.core.dates import month_end, month_start
from ruralhub.core.scoping import get_visible_or_404, require

from .. import services
from ..choices import MONEY_KINDS, RECORD_SERVICE, RecordKind, ReportStatus, StationStatus
from ..models import COUNTED, CheckIn, MonthlyReport, ServiceRecord, Station
from ..services.reports import HISTORY_FACTOR, HISTORY_MONTHS


def _operator_station(request) -> tuple[Station, list[Station]]:
    """The station the operator works at (``?station=`` picks one of several), and all of theirs: one query."""
    require(request.user, ServiceRecord, "add")
    stations = list(Station.objects.visible_to(request.user).exclude(status=StationStatus.CLOSED))
    chosen = request.GET.get("station") or request.POST.get("station")
    if chosen:
        station = next((s for s in stations if str(s.pk) == chosen), None)
        if station is None:
            raise Http404
        return station, stations
    if not stations:
        raise PermissionDenied
    return stations[0], stations


def _month_rows(station: Station, today: date) -> list[dict]:
    """Last month, this month and any month sent back: its state, the reason it came back, whether it can go."""
    month = month_start(today)
    last_month = month_start(month - timedelta(days=1))
    reports = {
        r.month: r
        for r in MonthlyReport.objects.filter(
            Q(month__in=[month, last_month]) | Q(status=ReportStatus.RETURNED), station=station
        ).order_by()
    }
    reasons = services.return_reasons([r for r in reports.values() if r.status == ReportStatus.RETURNED])
    rows = []
    for m in sorted({month, last_month, *reports}):
        report = reports.get(m)
        open_ = report is None or not report.is_locked
        rows.append(
            {
                "month": m,
                "report": report,
                "returned": reasons.get(report.pk) if report else None,
                "open": open_,
                "can_submit": open_ and today >= month_end(m),
                "submit_from": month_end(m),
            }
        )
    return rows


@login_required
def my_station(request):
    """The operator's phone page: check in, one tap per service, today's records, the months to submit."""
    station, stations = _operator_station(request)
    today = timezone.localdate()
    month = month_start(today)
    offered = set(station.services.values_list("service", flat=True))
    labels = dict(RecordKind.choices)
    kinds = [k for k in RecordKind if RECORD_SERVICE[k] in offered]
    today_rows = (
        ServiceRecord.objects.filter(COUNTED, station=station, occurred_on=today)
        .values("kind")
        .annotate(count=Sum("count"), amount=Sum("amount"))
        .order_by("kind")
    )
    figures = services.month_figures(station, month)
    context = {
        "station": station,
        "stations": stations,
        "today": today,
        "checked_in": CheckIn.objects.filter(station=station, day=today).first(),
        "kinds": [{"value": k.value, "label": labels[k], "money": k in MONEY_KINDS} for k in kinds],
        "today_rows": [{"label": labels[r["kind"]], **r} for r in today_rows],
        "month_figures": [{"label": labels[kind], **f} for kind, f in figures.items()],
        "month": month,
        "months": _month_rows(station, today),
        "client_id": uuid.uuid4().hex,
    }
    return render(request, "network/my_station.html", context)


@login_required
def my_records(request):
    """One month's taps of the operator's station, each with 作废/更正 while the month is open or sent back."""
    station, _stations = _operator_station(request)
    today = timezone.localdate()
    try:
        month = month_start(date.fromisoformat(request.GET.get("month", "") + "-01"))
    except ValueError:
        month = month_start(today)
    month = min(month, month_start(today))
    report = MonthlyReport.objects.filter(station=station, month=month).first()
    groups = services.report_lines(station, month)
    offered = set(station.services.values_list("service", flat=True))
    labels = dict(RecordKind.choices)
    context = {
        "station": station,
        "month": month,
        "last_day": min(month_end(month), today),
        "kinds": [
            {"value": k.value, "label": labels[k], "money": k in MONEY_KINDS}
            for k in RecordKind
            if RECORD_SERVICE[k] in offered
        ],
        "client_id": uuid.uuid4().hex,
        "report": report,
        "returned": services.return_reasons([report]).get(report.pk) if report else None,
        "groups": groups,
        "can_correct": report is None or not report.is_locked,
        "history_months": HISTORY_MONTHS,
        "history_factor": HISTORY_FACTOR,
    }
    return render(request, "network/my_records.html", context)


@login_required
@require_POST
def my_void(request, pk):
    """作废 a tap, or 更正 it: void it and enter the right count or amount in its place."""
    record = get_visible_or_404(ServiceRecord, request.user, "add", pk=pk)
    values = {}
    for name in ("count", "amount"):
        raw = request.POST.get(name, "").strip()
        if raw:
            try:
                values[name] = int(raw) if name == "count" else raw
            except ValueError:
                values[name] = 0  # refused by the service, naming the field
    try:
        correction = services.void_record(request.user, record, request.POST.get("reason", ""), **values)
        if correction:
            messages.success(
                request, _("已更正：%(kind)s %(day)s") % {"kind": record.get_kind_display(), "day": record.occurred_on}
            )
        else:
            messages.success(
                request, _("已作废：%(kind)s %(day)s") % {"kind": record.get_kind_display(), "day": record.occurred_on}
            )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    url = reverse("network:my_records")
    return redirect(f"{url}?station={record.station_id}&month={record.occurred_on:%Y-%m}")


@login_required
@require_POST
def my_check_in(request):
    station, _stations = _operator_station(request)
    try:
        _check, created = services.check_in(request.user, station)
        messages.success(request, _("签到成功") if created else _("今天已签到"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('network:my_station')}?station={station.pk}")


@login_required
@require_POST
def my_record(request):
    """One tap (today), or one entered later for a day of an open month (补记, from the month's records page).

    The page's client_id makes a double tap or a retried post count once.
    """
    station, _stations = _operator_station(request)
    row = {
        "kind": request.POST.get("kind", ""),
        "client_id": request.POST.get("client_id", ""),
        "note": request.POST.get("note", ""),
        "amount": request.POST.get("amount") or 0,
    }
    day = request.POST.get("occurred_on", "")
    if day:
        row["occurred_on"] = day  # checked by the service: a date, not in the future, in an open month
    try:
        row["count"] = int(request.POST.get("count") or 1)
    except ValueError:
        row["count"] = 0
    try:
        result = services.record_services(request.user, station, [row])
        label = RecordKind(row["kind"]).label
        messages.success(request, f"已记录：{label} ×{row['count']}" if result.created else "这条记录已保存过")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    if day:
        return redirect(f"{reverse('network:my_records')}?station={station.pk}&month={day[:7]}")
    return redirect(f"{reverse('network:my_station')}?station={station.pk}")


@login_required
@require_POST
def my_submit(request):
    station, _stations = _operator_station(request)
    try:
        month = date.fromisoformat(request.POST.get("month", ""))
        report = services.submit_report(request.user, station, month)
        messages.success(request, f"{report.month:%Y年%m月}月报已报送")
    except ValueError:
        messages.error(request, "月份无效")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('network:my_station')}?station={station.pk}")
