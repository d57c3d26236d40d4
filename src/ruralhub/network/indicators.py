"""Service-network indicators, computed live from stations, their status history and reports."""

from django.db.models import Count

from ruralhub.core.dates import month_start, next_month
from ruralhub.core.indicators import Reading, indicator

from . import services
from .choices import StationLevel, StationStatus
from .models import MonthlyReport, Station

SOURCE = "服务站点台账及状态历史"


def _coverage(program, period):
    """One coverage computation serves every network target of a progress run."""
    key = ("network.coverage", program.county_id, period.end)
    if key not in period.memo:
        period.memo[key] = services.coverage(program.county_id, period.end)
    return period.memo[key]


def _township_row(cov, target):
    code = target.division_id
    return next((t for t in cov.townships if t.township.code == code), None) if code else None


@indicator("network.village_coverage_pct")
def village_coverage(program, period, target):
    cov = _coverage(program, period)
    row = _township_row(cov, target)
    if row is not None:
        return Reading(
            row.pct, f"{SOURCE}：{row.township.name}运营中村级服务点覆盖的行政村 {row.covered}/{row.villages}"
        )
    return Reading(
        cov.village_pct, f"{SOURCE}：运营中村级服务点覆盖的行政村 {cov.covered}/{cov.villages}（{period.end}）"
    )


@indicator("network.poverty_village_coverage_pct")
def poverty_village_coverage(program, period, target):
    cov = _coverage(program, period)
    if not cov.poverty:
        return Reading(None, "", "尚未标记贫困村（行政区划页可标记或导入）")
    return Reading(cov.poverty_pct, f"{SOURCE}：已覆盖贫困村 {cov.poverty_covered}/{cov.poverty}（{period.end}）")


@indicator("network.township_station_coverage_pct")
def township_station_coverage(program, period, target):
    cov = _coverage(program, period)
    return Reading(cov.township_pct, f"{SOURCE}：有运营中乡镇服务站的乡镇 {cov.township_stations}/{len(cov.townships)}")


@indicator("network.township_stations")
def township_stations(program, period, target):
    cov = _coverage(program, period)
    return Reading(cov.township_stations, f"{SOURCE}：运营中的乡镇服务站所在乡镇数（{period.end}）")


@indicator("network.village_points")
def village_points(program, period, target):
    cov = _coverage(program, period)
    return Reading(cov.operating_points, f"{SOURCE}：运营中的村级服务点（{period.end}）")


@indicator("network.villages_served")
def villages_served(program, period, target):
    cov = _coverage(program, period)
    return Reading(
        cov.covered + cov.communities_covered, f"{SOURCE}：运营中村级服务点服务的村（社区）数（{period.end}）"
    )


@indicator("network.county_centers")
def county_centers(program, period, target):
    cov = _coverage(program, period)
    n = Station.objects.filter(pk__in=cov.operating_ids, level=StationLevel.COUNTY_CENTRE).count()
    return Reading(n, f"{SOURCE}：运营中的县级电子商务公共服务中心")


@indicator("network.county_center_staff")
def county_center_staff(program, period, target):
    cov = _coverage(program, period)
    centres = Station.objects.filter(pk__in=cov.operating_ids, level=StationLevel.COUNTY_CENTRE)
    if not centres.exists():
        return Reading(None, "", "尚无运营中的县级服务中心")
    n = sum(centres.values_list("staff_count", flat=True))
    return Reading(n, f"{SOURCE}：运营中县级服务中心登记的运营人员数")


@indicator("network.demonstration_stations")
def demonstration_stations(program, period, target):
    cov = _coverage(program, period)
    n = Station.objects.filter(pk__in=cov.operating_ids, is_demonstration=True).count()
    return Reading(n, f"{SOURCE}：运营中的示范站点")


@indicator("network.max_central_funded_points_per_village")
def max_central_funded_points(program, period, target):
    rows = (
        Station.served_villages.through.objects.filter(
            station__division__code__startswith=program.county_id,
            station__level=StationLevel.VILLAGE_POINT,
            station__is_central_funded=True,
        )
        .exclude(station__status=StationStatus.CLOSED)
        .values("division_id")
        .annotate(n=Count("station_id"))
        .order_by("-n")
    )
    top = rows.first()
    return Reading(top["n"] if top else 0, f"{SOURCE}：同一行政村内中央资金支持的服务点最多个数")


@indicator("network.reports_on_time_pct")
def reports_on_time(program, period, target):
    """Share of reports due in the period (due on the 25th of the next month) first submitted by then."""
    stations = (
        Station.objects.filter(division__code__startswith=program.county_id)
        .exclude(level=StationLevel.COUNTY_CENTRE)
        .exclude(opened_on=None)
    )
    months, month = [], month_start(period.start)
    while services.due_date(month) < period.end:
        months.append(month)
        month = next_month(month)
    if not months:
        return Reading(None, "", "统计期内尚无到期的月报")
    expected = on_time = 0
    reports = {
        (r.station_id, r.month): r
        for r in MonthlyReport.objects.filter(station__in=stations, month__in=months).only(
            "station_id", "month", "first_submitted_at", "status", "due_on"
        )
    }
    for station_id, opened_on, status, since in stations.values_list("pk", "opened_on", "status", "status_since"):
        for m in months:
            if opened_on >= next_month(m) or (status == StationStatus.CLOSED and since and since < m):
                continue
            expected += 1
            report = reports.get((station_id, m))
            if report is not None and report.on_time:
                on_time += 1
    if not expected:
        return Reading(None, "", "统计期内没有应报月报的站点")
    return Reading(services.pct(on_time, expected), f"月报台账：按时报送 {on_time}/{expected} 份（每月25日前）")
