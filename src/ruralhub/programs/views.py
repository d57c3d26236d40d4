from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ruralhub.core.dates import date_param
from ruralhub.core.indicators import Period
from ruralhub.core.scoping import get_visible_or_404

from . import services
from .choices import Status
from .models import Program


@login_required
def current(request):
    """The menu's 目标进度: straight to the program when the user's scope has one, else the list."""
    programs = Program.objects.visible_to(request.user).select_related("county")
    if len(programs) == 1:
        return redirect("programs:targets", pk=programs[0].pk)
    return render(request, "programs/program_list.html", {"programs": programs})


def _as_of(request, program: Program) -> Period:
    period = services.default_period(program)
    end = date_param(request.GET.get("as_of"), period.end, earliest=program.starts_on)
    return Period(program.starts_on, end)


@login_required
def targets(request, pk):
    """目标进度: every target of the plan, its live value, status and the plan's own sentence."""
    program = get_visible_or_404(Program.objects.select_related("county"), request.user, pk=pk)
    period = _as_of(request, program)
    rows = services.target_progress(program, period)
    summary = services.progress_summary(rows)
    status = request.GET.get("status", "")
    if status in Status.values:
        rows = [r for r in rows if r.status == status]
    context = {
        "program": program,
        "period": period,
        "rows": rows,
        "summary": summary,
        "status": status,
        "statuses": Status.choices,
        "funds": program.funds.all(),
        "phases": program.phases.all(),
    }
    return render(request, "programs/targets.html", context)
