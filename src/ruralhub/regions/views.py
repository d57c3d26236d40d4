from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ruralhub.core.scoping import get_visible_or_404, may

from . import services
from .choices import Kind, PovertyStatus
from .models import Division


def _village_counts(villages):
    """{township code: {"villages": n, "communities": n, "poverty": n}} in one grouped query."""
    rows = villages.values("parent_id").annotate(
        villages=Count("code", filter=Q(kind=Kind.VILLAGE_COMMITTEE)),
        communities=Count("code", filter=~Q(kind=Kind.VILLAGE_COMMITTEE)),
        poverty=Count("code", filter=~Q(poverty_status="")),
    )
    return {row["parent_id"]: row for row in rows}


@login_required
def division_list(request):
    """Townships with village counts; ?township= lists one township's villages, ?poverty=1 all poverty villages."""
    visible = Division.objects.visible_to(request.user)
    townships = list(visible.townships())
    township = None
    if request.GET.get("township"):
        township = get_visible_or_404(Division, request.user, code=request.GET["township"], level="township")
    elif len(townships) == 1:
        township = townships[0]
    poverty_only = request.GET.get("poverty") == "1"
    villages = None
    if township or poverty_only:
        villages = visible.villages()
        if township:
            villages = villages.filter(parent=township)
        if poverty_only:
            villages = villages.exclude(poverty_status="")
        villages = villages.select_related("parent")
    counts = _village_counts(visible.villages())
    for t in townships:
        t.counts = counts.get(t.code, {"villages": 0, "communities": 0, "poverty": 0})
    context = {
        "county": visible.filter(level="county").first(),
        "townships": townships,
        "township": township,
        "poverty_only": poverty_only,
        "villages": villages,
        "can_edit_poverty": may(request.user, Division, "change"),
        "poverty_choices": PovertyStatus.choices,
    }
    return render(request, "regions/division_list.html", context)


@login_required
@require_POST
def set_poverty(request, code):
    """HTMX: change one village's poverty flag and return its refreshed row."""
    village = get_visible_or_404(Division.objects.villages(), request.user, "change", code=code)
    error = None
    try:
        services.set_poverty_status(request.user, village, request.POST.get("poverty_status", ""))
    except ValidationError as exc:
        error = "；".join(exc.messages)
        village.refresh_from_db()
    context = {"v": village, "can_edit_poverty": True, "poverty_choices": PovertyStatus.choices, "error": error}
    return render(request, "regions/_village_row.html", context, status=400 if error else 200)
