"""Demo: the county's service network sized from its plan, with 24 months of daily operations.

遂昌: a county centre, a station in each of the 20 townships, 120 village points covering a little
over the plan's 60 % (the four named townships in full), 12 demonstration stations. Other counties
take their numbers from their own targets. Activity follows the seasons (年货 in January, 618,
双11; spring tea and autumn harvest for 代销); a handful of points fade out and stop reporting, and
some reports come in after the 25th.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ruralhub.accounts.demo import demo_township
from ruralhub.accounts.models import Organisation
from ruralhub.core.dates import month_start, next_month
from ruralhub.core.scoping import SYSTEM
from ruralhub.programs.models import Program
from ruralhub.regions.choices import Kind
from ruralhub.regions.models import Division

from . import services
from .choices import (
    HostType,
    RecordKind,
    ReportAction,
    ReportStatus,
    ReviewDecisionKind,
    Service,
    StationLevel,
    StationStatus,
)
from .models import CheckIn, MonthlyReport, ReportEvent
from .services import due_date
from .services.reports import apply_figures

TZ = ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐叶"
GIVEN = ["建国", "秀英", "桂兰", "志强", "丽华", "海燕", "小军", "春梅", "国平", "玉兰", "永红", "晓东", "美玲", "卫东"]
# Monthly multipliers: 年货 (Jan), 春节 lull (Feb), 618 (Jun), 双11 (Nov), 年终 (Dec).
PARCEL_SEASON = [1.3, 0.7, 0.9, 0.95, 1.0, 1.2, 0.95, 0.95, 1.0, 1.05, 1.5, 1.25]
# 代销 of farm products: spring tea and the autumn harvest.
SALE_SEASON = [0.8, 0.5, 1.0, 1.5, 1.4, 0.9, 0.7, 0.8, 1.3, 1.6, 1.5, 1.0]
# (kind, mean taps a day at an average point, yuan per tap or None)
DAILY = [
    (RecordKind.PARCEL_IN, 9.0, None),
    (RecordKind.PARCEL_OUT, 2.5, None),
    (RecordKind.PURCHASE, 1.2, (30, 300)),
    (RecordKind.SALE, 0.5, (80, 1500)),
    (RecordKind.PAYMENT, 2.0, None),
]
SERVICES_OFFERED = [Service.EXPRESS, Service.PURCHASE, Service.SALE, Service.PAYMENT, Service.INFO]


def _target(program, key, division=None):
    t = program.targets.filter(key=key, division=division).order_by("-value").first()
    return t.value if t else None


def _name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng):
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _jitter(rng, lat, lng, km=4.0):
    if lat is None:
        return None, None
    d = km / 111.0
    return (
        Decimal(str(round(float(lat) + rng.uniform(-d, d), 6))),
        Decimal(str(round(float(lng) + rng.uniform(-d, d), 6))),
    )


def _plan_sizes(program, villages, poverty):
    """How many village points, how many villages covered, how many demonstration stations."""
    n = len(villages)
    pct = _target(program, "network.village_coverage_pct") or Decimal(50)
    points = _target(program, "network.village_points")
    covered = round(n * float(pct) / 100 * 1.03) + 1  # a little over the plan, not exactly on it
    covered = max(covered, len(poverty) if _target(program, "network.poverty_village_coverage_pct") else 0)
    covered = min(covered, n)
    points = int(points) if points else covered
    points = min(points, covered)
    demo_stations = int(_target(program, "network.demonstration_stations") or max(1, points // 10))
    return points, covered, demo_stations


def build(ctx):
    rng = ctx.seeded("network")
    code = ctx.county_code
    program = Program.objects.get(county_id=code)
    county = Division.objects.get(code=code)
    townships = list(Division.objects.within(code).townships().order_by("code"))
    villages = list(Division.objects.within(code).administrative_villages().select_related("parent").order_by("code"))
    poverty = [v for v in villages if v.poverty_status]
    full = {t.division_id for t in program.targets.filter(key="network.village_coverage_pct").exclude(division=None)}
    points, covered_n, demo_n = _plan_sizes(program, villages, poverty)

    # Which villages get a point: the named townships in full, then poverty villages, then the rest.
    first = [v for v in villages if v.parent_id in full]
    rest = [v for v in villages if v.parent_id not in full]
    rng.shuffle(rest)
    rest.sort(key=lambda v: not v.poverty_status)
    covered = (first + rest)[:covered_n]
    hosts = covered[:points]
    extra = covered[points:]  # served by a neighbouring point of the same township

    start = program.starts_on
    span = max((program.ends_on - start).days, 60)
    station_host = Organisation.objects.filter(kind="station_host", division__parent=demo_township(code)).first()

    stations, served = [], defaultdict(list)

    def station(level, division, name, opened, **extra_fields):
        """The station's fields as a form would send them, kept until it is registered through the service."""
        lat, lng = _jitter(
            rng,
            division.lat or (division.parent.lat if division.parent else None),
            division.lng or (division.parent.lng if division.parent else None),
        )
        s = {
            "code": f"{division.code}-{len(stations) + 1:03d}",
            "name": name,
            "level": level,
            "division": division,
            "host_type": extra_fields.pop("host_type", rng.choice(list(HostType))),
            "operator_name": _name(rng),
            "operator_phone": _phone(rng),
            "address": f"{division.full_name if level != StationLevel.VILLAGE_POINT else ''}",
            "status_since": start,
            "opened_on": opened,
            "opening_hours": "08:00-20:00",
            "lat": lat,
            "lng": lng,
            "is_demonstration": False,
            "is_central_funded": False,
            **extra_fields,
        }
        stations.append(s)
        return s

    station(
        StationLevel.COUNTY_CENTRE,
        county,
        f"{county.name}电子商务公共服务中心",
        start + timedelta(days=30),
        host_type=HostType.ENTERPRISE,
        is_central_funded=True,
        is_demonstration=True,
        staff_count=int(_target(program, "network.county_center_staff") or 8) + rng.choice([-1, 0, 1]),
    )
    for t in townships:
        if t.kind == Kind.FARM_UNIT and rng.random() < 0.7:
            continue  # most farm units have no station of their own
        station(
            StationLevel.TOWNSHIP_STATION,
            t,
            f"{t.name}电子商务服务站",
            start + timedelta(days=rng.randrange(60, 240)),
            host_type=rng.choice([HostType.POST_OFFICE, HostType.SUPPLY_COOP, HostType.ENTERPRISE]),
            is_central_funded=True,
        )
    for v in hosts:
        short = v.name.removesuffix("村委会").removesuffix("村民委员会")
        s = station(
            StationLevel.VILLAGE_POINT,
            v,
            f"{short}村电商服务点",
            start + timedelta(days=rng.randrange(90, int(span * 0.8))),
            is_central_funded=rng.random() < 0.85,
        )
        served[s["code"]].append(v)
        if station_host and v.parent_id == station_host.division.parent_id and v.code == station_host.division_id:
            s["host"], s["host_type"] = station_host, HostType.CONVENIENCE_STORE
            s["name"] = station_host.name.replace("便民超市", "电商服务点")
    by_township = defaultdict(list)
    for s in stations:
        if s["level"] == StationLevel.VILLAGE_POINT:
            by_township[s["division"].parent_id].append(s)
    for v in extra:
        neighbours = by_township.get(v.parent_id) or [s for s in stations if s["level"] == StationLevel.VILLAGE_POINT]
        served[rng.choice(neighbours)["code"]].append(v)
    village_points = [s for s in stations if s["level"] == StationLevel.VILLAGE_POINT]
    for s in rng.sample(village_points, min(demo_n - 1, len(village_points))):
        s["is_demonstration"] = True

    # Registered and moved along their life cycle by the services, as the county office would.
    today = ctx.today
    suspended_on = {
        s["code"]: today - timedelta(days=rng.randrange(60, 200))
        for s in rng.sample(village_points, max(1, len(village_points) // 60))
    }
    saved = []
    for data in stations:
        opened = data["opened_on"]
        if opened > today:
            data["opened_on"] = None  # not open yet: it stays under construction
        s = services.save_station(
            SYSTEM,
            data,
            services=SERVICES_OFFERED,
            served_villages=served[data["code"]] if data["level"] == StationLevel.VILLAGE_POINT else None,
            reason="纳入示范项目",
        )
        building = max(start, opened - timedelta(days=45))
        if building <= today:
            services.change_status(SYSTEM, s, StationStatus.BUILDING, building, "开工建设")
        if opened <= today:
            services.change_status(SYSTEM, s, StationStatus.OPERATING, opened, "挂牌运营")
        # A few points were suspended along the way.
        if s.code in suspended_on and s.status == StationStatus.OPERATING and suspended_on[s.code] > opened:
            services.change_status(SYSTEM, s, StationStatus.SUSPENDED, suspended_on[s.code], "负责人外出务工")
        saved.append(s)
    working = [s for s in saved if s.level != StationLevel.COUNTY_CENTRE and s.opened_on is not None]
    suspended = [s for s in working if s.status == StationStatus.SUSPENDED]
    # A handful fade out lately: the review candidates.
    active = [s for s in working if s.level == StationLevel.VILLAGE_POINT and s not in suspended]
    fading = set(rng.sample(active, min(5, len(active) // 20 + 1)))

    _operations(ctx, rng, working, fading, suspended)
    for s in list(fading)[:1]:
        services.decide_review(
            SYSTEM,
            s,
            ReviewDecisionKind.RECTIFY,
            "服务量连续下降，约谈负责人",
            rectify_by=today + timedelta(days=30),
            today=today - timedelta(days=20),
        )


def _operations(ctx, rng, stations, fading, suspended):
    """Months of daily records through the recording service, monthly reports with the figures the report
    service takes (submitted, approved, accepted), and recent check-ins."""
    today = ctx.today
    first_month = month_start(today.replace(day=1) - timedelta(days=round(ctx.months * 30.44)))
    fade_from = month_start(today.replace(day=1) - timedelta(days=80))
    level_factor = {StationLevel.TOWNSHIP_STATION: 2.5, StationLevel.VILLAGE_POINT: 1.0}
    vigour = {s.pk: rng.lognormvariate(0, 0.45) * level_factor[s.level] for s in stations}
    until = {s.pk: (s.status_since if s in suspended else today) for s in stations}
    rows = defaultdict(list)
    day = first_month
    while day < today:
        season = day.month - 1
        weekend = 1.15 if day.weekday() >= 5 else 1.0
        for s in stations:
            if day < s.opened_on or day >= until[s.pk]:
                continue
            f = vigour[s.pk] * weekend * (0.05 if s in fading and day >= fade_from else 1.0)
            for kind, mean, money in DAILY:
                seasonal = SALE_SEASON[season] if kind == RecordKind.SALE else PARCEL_SEASON[season]
                expected = mean * f * seasonal
                n = int(expected) + (rng.random() < expected - int(expected))
                if n <= 0:
                    continue
                amount = Decimal(sum(rng.randint(*money) for _ in range(n))) if money else Decimal(0)
                rows[s.pk].append(
                    {
                        "kind": kind,
                        "occurred_on": day,
                        "count": n,
                        "amount": amount,
                        "villagers": n,
                        "client_id": f"demo-{day:%Y%m%d}-{kind}",
                    }
                )
        day += timedelta(days=1)
    for s in stations:
        if rows[s.pk]:
            services.record_services(SYSTEM, s, rows[s.pk], today=today)
    _reports(rng, stations, first_month, today, fading, suspended)
    _check_ins(rng, stations, today, suspended)


def _reports(rng, stations, first_month, today, fading, suspended):
    current = month_start(today)
    fade_from = month_start(today.replace(day=1) - timedelta(days=80))
    reports, events = [], []
    for s in stations:
        month = max(first_month, month_start(s.opened_on))
        last = month_start(s.status_since) if s in suspended else current  # no report for a month not operated
        while month < current and month <= last:
            due = due_date(month)
            missing = (s in fading and month >= fade_from) or rng.random() < 0.02
            if due >= today and rng.random() < 0.4:
                missing = True  # not yet submitted; still on time
            if not missing:
                late = rng.random() < 0.08
                submitted_day = (
                    due + timedelta(days=rng.randint(1, 12)) if late else due - timedelta(days=rng.randint(0, 20))
                )
                submitted_day = min(submitted_day, today)
                at = datetime.combine(submitted_day, time(rng.randint(8, 20), rng.randint(0, 59)), TZ)
                if due < today - timedelta(days=20):
                    status = ReportStatus.ACCEPTED
                elif due < today:
                    status = rng.choice([ReportStatus.APPROVED, ReportStatus.ACCEPTED, ReportStatus.SUBMITTED])
                else:
                    status = rng.choice([ReportStatus.SUBMITTED, ReportStatus.SUBMITTED, ReportStatus.APPROVED])
                # The figures as submit_report takes them; the steps as its events record them.
                report = MonthlyReport(station=s, month=month, status=status, due_on=due)
                apply_figures(report, services.month_figures(s, month))
                report.first_submitted_at = report.submitted_at = at
                reports.append(report)
                steps = [ReportAction.SUBMIT, ReportAction.APPROVE, ReportAction.ACCEPT]
                done = {ReportStatus.SUBMITTED: 1, ReportStatus.APPROVED: 2, ReportStatus.ACCEPTED: 3}[status]
                events += [(report, action, at + timedelta(days=2 * n)) for n, action in enumerate(steps[:done])]
            month = next_month(month)
    # Thousands of months: written in bulk, as the services would write them one by one.
    MonthlyReport.objects.bulk_create(reports, batch_size=2000)
    ReportEvent.objects.bulk_create(
        [ReportEvent(report=r, action=action, at=at) for r, action, at in events], batch_size=5000
    )


def _check_ins(rng, stations, today, suspended):
    """The last 60 days' 考勤 of operating village points: the rows ``check_in`` stores (one a day, no position)."""
    rows = []
    for s in stations:
        if s in suspended or s.level != StationLevel.VILLAGE_POINT:
            continue
        for back in range(1, 61):
            day = today - timedelta(days=back)
            if day >= s.opened_on and rng.random() < 0.9:
                at = datetime.combine(day, time(7, rng.randint(0, 59)), TZ)
                rows.append(CheckIn(station=s, day=day, at=at))
    CheckIn.objects.bulk_create(rows, batch_size=5000)
