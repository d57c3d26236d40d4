"""行政村覆盖率 on any date, with the map and the gap list."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from ruralhub.regions.models import Division

from .. import services
from ..choices import StationStatus
from ..models import Station
from ..services.coverage import coverage_gaps_for, scope_code
from .common import county_of, date_from_query


@login_required
def coverage(request):
    """行政村覆盖率 on any date: county and per township, against the plan's targets, with the gap list."""
    county_code = county_of(request.user)
    if county_code is None:
        raise PermissionDenied
    on = date_from_query(request, "on", timezone.localdate())
    # The figures of the user's own scope: the county, a township officer's township, an operator's township.
    scope = scope_code(request.user) or county_code
    county_cov = services.coverage(county_code, on)
    cov = county_cov.within(scope)
    scope_name = cov.county.name if scope == county_code else (cov.townships[0].township.name if cov.townships else "")
    visible_townships = set(Division.objects.visible_to(request.user).townships().values_list("code", flat=True))
    rows = [t for t in cov.townships if t.township.code in visible_townships]
    visible_stations = Station.objects.visible_to(request.user)
    stations = (
        visible_stations.filter(division__code__startswith=county_code)
        .exclude(lat=None)
        .values("pk", "name", "level", "status", "lat", "lng")
    )
    points = {}
    for s in stations:
        points.setdefault(s["status"], []).append([float(s["lng"]), float(s["lat"]), s["name"], s["level"]])
    gaps, scope_villages = coverage_gaps_for(request.user, county_cov, scope)
    from ruralhub.programs.models import Program

    program = Program.objects.visible_to(request.user).filter(county_id=county_code).first()
    targets = list(program.targets.filter(key__startswith="network.").select_related("division") if program else [])
    context = {
        "cov": cov,
        "scope_name": scope_name,
        "county_name": county_cov.county.name,
        # An empty gap list reads "all covered" only where there are villages to cover.
        "scope_villages": scope_villages,
        "rows": rows,
        "gaps": gaps,
        "on": on,
        "targets": targets,
        "program": program,
        "map_data": json.dumps(
            [{"status": k, "label": str(StationStatus(k).label), "points": v} for k, v in points.items()],
            ensure_ascii=False,
        ),
    }
    return render(request, "network/coverage.html", context)
