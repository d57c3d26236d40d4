from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ruralhub.core.cache import cached, county_topics
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
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""

    def body():
        rows = services.target_progress(program, as_of)
        shown = [r for r in rows if r.status == status] if status else rows
        table = render_to_string("programs/_targets_table.html", {"rows": shown, "as_of": as_of})
        return {"summary": services.progress_summary(rows), "table": mark_safe(table)}

    # The rendered table, not only the figures, is kept until a record of the county changes: rendering
    # 70 rows costs more than computing them once did (≤15 ms a request on the 遂昌 demo).
    name = f"programs.targets-page:{program.pk}:{as_of}:{timezone.localdate()}:{status}:{get_language()}"
    page = cached(name, county_topics(program.county_id), body)
    context = {
        "program": program,
        "as_of": as_of,
        "is_plan_end": as_of == services.default_as_of(program),
        "table": page["table"],
        "summary": page["summary"],
        "status": status,
        "statuses": [(value, label) for value, label in Status.choices if value != Status.BASELINE],
        "funds": program.funds.all(),
        "phases": program.phases.all(),
    }
    return render(request, "programs/targets.html", context)
