"""Monthly reports: waiting for this user's decision, late and missing ones, one report's records, the actions."""

from datetime import timedelta
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ruralhub.core.cache import cached
from ruralhub.core.dates import month_start
from ruralhub.core.scoping import get_visible_or_404, may

from .. import services
from ..choices import ReportStatus, StationLevel, StationStatus
from ..models import MonthlyReport, ReportEvent, ServiceRecord, Station
from ..services.reports import HISTORY_FACTOR, HISTORY_MONTHS, deadline


def _timeliness(report: dict, today, words: dict) -> str:
    """按时: 是 / 逾期 / 未到期 — a month whose due day has not passed is not late, whatever its state."""
    first = report["first_submitted_at"]
    sent_back = report["status"] in {ReportStatus.DRAFT, ReportStatus.RETURNED}
    if first and not sent_back and first < deadline(report["due_on"]):
        return words["on_time"]
    return words["late"] if today > report["due_on"] else words["not_due"]


PK = 2_147_483_647  # a stand-in id: each list reverses its link once and fills in the ids


def _link(name: str, *args) -> str:
    return reverse(name, args=[PK, *args]).replace(str(PK), "{}")


def _row_format(attrs: str, *cells: tuple[str, ...]) -> str:
    """One <tr> format for a list, from (label, inner format, td attributes): each cell is labelled for the
    phone layout. Rows are formatted with escaped values: the labels, links and escaping done once a list."""
    out = []
    for label, inner, *extra in cells:
        safe = escape(str(label)).replace("{", "{{").replace("}", "}}")
        out.append(f'<td data-label="{safe}"{"".join(extra)}>{inner}</td>')
    return f"<tr{attrs}>{''.join(out)}</tr>"


def _waiting_rows(request, reports: list[MonthlyReport], can_accept: bool) -> str:
    detail = _link("network:report_detail")
    decide_url = _link("network:report_action", "accept" if can_accept else "approve")
    return_url = _link("network:report_action", "return")
    token, reason = escape(get_token(request)), escape(_("退回原因"))
    decide = escape(_("确认") if can_accept else _("审核通过"))
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    row = _row_format(
        ' data-report="{0}"',
        (_("站点"), '<a href="{1}">{2}</a>'),
        (_("月份"), "{3}"),
        (_("服务次数"), "{4}", ' class="num"'),
        (_("包裹"), "{5}", ' class="num"'),
        (_("金额"), "{6}", ' class="num"'),
        (_("异常提醒"), "{7}", ' class="flagged"'),
        (
            _("操作"),
            f'<a class="btn secondary" href="{{1}}">{escape(_("核对明细"))}</a> '
            f'<form method="post" class="inline" action="{{8}}">{csrf}'
            f'<button type="submit" name="approve">{decide}</button></form> '
            f'<form method="post" class="inline" action="{{9}}">{csrf}'
            f'<input name="reason" placeholder="{reason}" required maxlength="300" aria-label="{reason}">'
            f'<button type="submit" class="btn secondary">{escape(_("退回"))}</button></form>',
        ),
    )
    over = escape(_("条超过提醒值"))
    lines = []
    for r in reports:
        flagged = sum(f.get("flagged", 0) for f in r.figures.values())
        lines.append(
            row.format(
                r.pk,
                detail.format(r.pk),
                escape(r.station.name),
                f"{r.month:%Y-%m}",
                f"{r.total_services:,}",
                f"{r.parcels_in:,}/{r.parcels_out:,}",
                f"{r.purchase_amount:,}/{r.sale_amount:,}",
                f'<span class="badge not_met">{flagged}{over}</span>' if flagged else "—",
                decide_url.format(r.pk),
                return_url.format(r.pk),
            )
        )
    return mark_safe("".join(lines))  # every value above is escaped or a number


def _gap_rows(gaps) -> str:
    station = _link("network:station_detail")
    row = _row_format(
        "",
        (_("站点"), '<a href="{0}">{1}</a>'),
        (_("区划"), "{2}"),
        (_("月份"), "{3}"),
        (_("截止日"), "{4}"),
        (_("情况"), "{5}"),
    )
    missing = f'<span class="badge not_met">{escape(_("未报送"))}</span>'
    late = f'<span class="badge poverty">{escape(_("逾期报送"))} {{:%m-%d}}</span>'
    lines = [
        row.format(
            station.format(g.station_id),
            escape(g.station_name),
            escape(g.division_name),
            f"{g.month:%Y-%m}",
            f"{g.due_on:%Y-%m-%d}",
            missing if g.is_missing else late.format(timezone.localtime(g.first_submitted_at)),
        )
        for g in gaps
    ]
    return mark_safe("".join(lines))  # every value above is escaped or a date


def _recent_rows(reports: list[dict], today) -> str:
    detail = _link("network:report_detail")
    statuses = {k: escape(str(v)) for k, v in ReportStatus.choices}
    words = {"on_time": escape(_("是")), "late": escape(_("逾期")), "not_due": escape(_("未到期"))}
    row = _row_format(
        ' data-report="{0}"',
        (_("站点"), '<a href="{1}">{2}</a>'),
        (_("月份"), "{3}"),
        (_("状态"), "{4}"),
        (_("服务次数"), "{5}", ' class="num"'),
        (_("按时"), "{6}", ' class="on-time"'),
    )
    lines = [
        row.format(
            r["pk"],
            detail.format(r["pk"]),
            escape(r["station__name"]),
            f"{r['month']:%Y-%m}",
            statuses[r["status"]],
            f"{r['total_services']:,}",
            _timeliness(r, today, words),
        )
        for r in reports
    ]
    return mark_safe("".join(lines))  # every value above is escaped or a number


@login_required
def reports(request):
    """Reports waiting for this user's decision, and late or missing ones in scope.

    Long lists are rendered as rows formatted here, their labels and links looked up once per request:
    the page stays light however many reports a county has.
    """
    user = request.user
    visible = MonthlyReport.objects.visible_to(user)
    can_accept = may(user, MonthlyReport, "accept")
    can_approve = not can_accept and may(user, MonthlyReport, "approve")
    waiting = []
    if can_accept or can_approve:
        status = ReportStatus.APPROVED if can_accept else ReportStatus.SUBMITTED
        waiting = list(
            visible.filter(status=status)
            .select_related("station")
            .only(
                "station",
                "station__name",
                "month",
                "total_services",
                "parcels_in",
                "parcels_out",
                "purchase_amount",
                "sale_amount",
                "figures",
            )
            .order_by("month", "station__division_id", "station__code")[:200]
        )
    today = timezone.localdate()

    def lists():
        months, m = [], month_start(today)
        for _month in range(3):
            m = month_start(m - timedelta(days=1))
            months.append(m)
        stations = (
            Station.objects.visible_to(user)
            .exclude(level=StationLevel.COUNTY_CENTRE)
            .filter(status=StationStatus.OPERATING)
        )
        recent = visible.exclude(status=ReportStatus.DRAFT).order_by("-month", "station")
        fields = ("pk", "station__name", "month", "status", "total_services", "first_submitted_at", "due_on")
        return services.report_gaps(stations, months, today), list(recent.values(*fields)[:50])

    # Kept until the county's stations or reports change; what the user sees follows from role, division and
    # organisation, so the key names all three.
    county = (user.division_id or "")[:6]
    if county:
        viewer = f"{user.role}/{user.division_id}/{user.organisation_id or ''}/{user.is_superuser}"
        topics = [f"network.stations:{county}", f"network.reports:{county}"]
        gaps, recent = cached(f"network.report_lists:{county}:{viewer}:{today}", topics, lists)
    else:
        gaps, recent = lists()
    context = {
        "waiting": waiting,
        "waiting_rows": _waiting_rows(request, waiting, can_accept),
        "gaps": gaps,
        "gap_rows": _gap_rows(gaps),
        "recent_rows": _recent_rows(recent, today),
        "can_accept": can_accept,
        "can_approve": can_approve,
    }
    return render(request, "network/reports.html", context)


@login_required
def report_detail(request, pk):
    """One month of one station for the approver: figures by service, every tap behind them, outliers flagged."""
    report = get_visible_or_404(MonthlyReport.objects.select_related("station__division"), request.user, pk=pk)
    user = request.user
    can_accept = may(user, MonthlyReport, "accept")
    can_approve = may(user, MonthlyReport, "approve")
    returnable = {ReportStatus.SUBMITTED}
    if can_accept:
        returnable = {ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED}
    groups = services.report_lines(report.station, report.month)
    events = ReportEvent.objects.filter(report=report).select_related("user")
    last_return = None
    if report.status == ReportStatus.RETURNED:
        last_return = services.return_reasons([report]).get(report.pk)
    context = {
        "report": report,
        "station": report.station,
        "groups": groups,
        "outliers": sum(g.outliers for g in groups),
        "events": events,
        "last_return": last_return,
        "can_approve": can_approve and report.status == ReportStatus.SUBMITTED,
        "can_accept": can_accept and report.status == ReportStatus.APPROVED,
        "can_return": (can_accept or can_approve) and report.status in returnable,
        "can_correct": may(user, ServiceRecord, "add") and not report.is_locked,
        "history_months": HISTORY_MONTHS,
        "history_factor": HISTORY_FACTOR,
    }
    return render(request, "network/report_detail.html", context)


@login_required
@require_POST
def report_action(request, pk, action):
    if action not in ("approve", "accept", "return"):
        raise Http404
    # Sending back is allowed to whoever approves or accepts: the service decides which applies.
    report = get_visible_or_404(MonthlyReport, request.user, "view" if action == "return" else action, pk=pk)
    try:
        if action == "approve":
            services.approve_report(request.user, report)
            messages.success(request, _("%(report)s：已审核通过") % {"report": report})
        elif action == "accept":
            services.accept_report(request.user, report)
            messages.success(request, _("%(report)s：已确认") % {"report": report})
        else:
            services.return_report(request.user, report, request.POST.get("reason", ""))
            messages.success(request, _("%(report)s：已退回") % {"report": report})
    except ValidationError as exc:
        messages.error(request, f"{report}：" + "；".join(exc.messages))
    target = request.POST.get("next", "")
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = reverse("network:reports")
    return redirect(target)
