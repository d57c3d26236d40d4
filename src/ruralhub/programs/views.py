from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from ruralhub.core.dates import date_param
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


@login_required
def targets(request, pk):
    """目标进度: every target of the plan as of the plan's end (or a chosen date), today's value beside it."""
    program = get_visible_or_404(Program.objects.select_related("county"), request.user, pk=pk)
    as_of = date_param(request.GET.get("as_of"), services.default_as_of(program), earliest=program.starts_on)
    rows = services.target_progress(program, as_of)
    summary = services.progress_summary(rows)
    status = request.GET.get("status", "")
    if status in Status.values:
        rows = [r for r in rows if r.status == status]
    context = {
        "program": program,
        "as_of": as_of,
        "is_plan_end": as_of == services.default_as_of(program),
        "today": timezone.localdate(),
        "rows": rows,
        "summary": summary,
        "status": status,
        "statuses": [(value, label) for value, label in Status.choices if value != Status.BASELINE],
        "funds": program.funds.all(),
        "phases": program.phases.all(),
    }
    return render(request, "programs/targets.html", context)
