"""Monthly reports: waiting for this user's decision, late and missing ones, the approval actions."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ruralhub.core.dates import month_start
from ruralhub.core.scoping import get_visible_or_404, may

from .. import services
from ..choices import ReportStatus, StationLevel, StationStatus
from ..forms import ReturnForm
from ..models import MonthlyReport, Station


@login_required
def reports(request):
    """Reports waiting for this user's decision, and late or missing ones in scope."""
    user = request.user
    visible = MonthlyReport.objects.visible_to(user).select_related("station__division")
    waiting = MonthlyReport.objects.none()
    if may(user, MonthlyReport, "accept"):
        waiting = visible.filter(status=ReportStatus.APPROVED)
    elif may(user, MonthlyReport, "approve"):
        waiting = visible.filter(status=ReportStatus.SUBMITTED)
    today = timezone.localdate()
    months, m = [], month_start(today)
    for _month in range(3):
        m = month_start(m - timedelta(days=1))
        months.append(m)
    stations = (
        Station.objects.visible_to(user)
        .exclude(level=StationLevel.COUNTY_CENTRE)
        .filter(status=StationStatus.OPERATING)
        .select_related("division")
    )
    context = {
        "waiting": waiting[:200],
        "gaps": services.report_gaps(stations, months, today),
        "recent": visible.exclude(status=ReportStatus.DRAFT)[:50],
        "return_form": ReturnForm(),
        "can_accept": may(user, MonthlyReport, "accept"),
        "can_approve": may(user, MonthlyReport, "approve"),
    }
    return render(request, "network/reports.html", context)


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
            messages.success(request, f"{report}：已审核通过")
        elif action == "accept":
            services.accept_report(request.user, report)
            messages.success(request, f"{report}：已确认")
        else:
            services.return_report(request.user, report, request.POST.get("reason", ""))
            messages.success(request, f"{report}：已退回")
    except ValidationError as exc:
        messages.error(request, f"{report}：" + "；".join(exc.messages))
    target = request.POST.get("next", "")
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        target = reverse("network:reports")
    return redirect(target)
