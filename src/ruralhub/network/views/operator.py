"""The operator's phone page: check in, one tap per service, submit the month."""

import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ruralhub.core.dates import month_start
from ruralhub.core.scoping import get_visible_or_404, require

from .. import services
from ..choices import MONEY_KINDS, RECORD_SERVICE, RecordKind, StationStatus
from ..models import CheckIn, MonthlyReport, ServiceRecord, Station


def _operator_station(request):
    require(request.user, ServiceRecord, "add")
    stations = Station.objects.visible_to(request.user).exclude(status=StationStatus.CLOSED)
    chosen = request.GET.get("station") or request.POST.get("station")
    if chosen:
        return get_visible_or_404(stations, request.user, pk=chosen), stations
    station = stations.first()
    if station is None:
        raise PermissionDenied
    return station, stations


@login_required
def my_station(request):
    """The operator's phone page: check in, one tap per service, today's records, this month's report."""
    station, stations = _operator_station(request)
    today = timezone.localdate()
    month = month_start(today)
    last_month = month_start(month - timedelta(days=1))
    offered = set(station.services.values_list("service", flat=True))
    kinds = [k for k in RecordKind if RECORD_SERVICE[k] in offered]
    today_rows = (
        ServiceRecord.objects.visible_to(request.user)
        .filter(station=station, occurred_on=today)
        .values("kind")
        .annotate(count=Sum("count"), amount=Sum("amount"))
    )
    reports = {
        r.month: r
        for r in MonthlyReport.objects.visible_to(request.user).filter(station=station, month__in=[month, last_month])
    }
    context = {
        "station": station,
        "stations": stations,
        "today": today,
        "checked_in": CheckIn.objects.visible_to(request.user).filter(station=station, day=today).first(),
        "kinds": [{"value": k.value, "label": k.label, "money": k in MONEY_KINDS} for k in kinds],
        "today_rows": [{"label": RecordKind(r["kind"]).label, **r} for r in today_rows],
        "month_figures": services.month_figures(station, month),
        "month": month,
        "last_month": last_month,
        "report_this": reports.get(month),
        "report_last": reports.get(last_month),
        "client_id": uuid.uuid4().hex,
        "kind_labels": dict(RecordKind.choices),
    }
    return render(request, "network/my_station.html", context)


@login_required
@require_POST
def my_check_in(request):
    station, _stations = _operator_station(request)
    try:
        _check, created = services.check_in(request.user, station)
        messages.success(request, "签到成功" if created else "今天已签到")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('network:my_station')}?station={station.pk}")


@login_required
@require_POST
def my_record(request):
    """One tap; the page's client_id makes a double tap or a retried post count once."""
    station, _stations = _operator_station(request)
    row = {
        "kind": request.POST.get("kind", ""),
        "client_id": request.POST.get("client_id", ""),
        "note": request.POST.get("note", ""),
        "amount": request.POST.get("amount") or 0,
    }
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
