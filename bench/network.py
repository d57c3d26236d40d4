"""Benchmark of the service network at province size (figures and how to read them: bench/README.md).

    python bench/network.py [--stations 2000] [--years 3] [--smoke] [--keep]

Builds a fresh database (SQLite in a temporary RURALHUB_DATA folder, or the empty PostgreSQL
database named by DATABASE_URL), loads the five counties, spreads a network of stations over them
with a consistent status history and years of daily service records, then times the calls the
pages and the phone API make. Setup is bulk inserts and is not measured. A missed target is
reported, never an error: the exit status is non-zero only when something raises.
"""

import argparse
import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as day_time
from decimal import Decimal

COUNTIES = ["230223", "440229", "530926", "610726", "331123"]
BATCH = 500  # rows per record_services call, as the phone API sends them
RUNS = 5
TARGET_MS = 200
TARGET_RATE = 10_000  # records/second
# Share of each kind of tap; a station only records the services it offers.
KIND_WEIGHTS = {
    "parcel_in": 40,
    "parcel_out": 14,
    "purchase": 14,
    "sale": 5,
    "payment": 15,
    "exchange": 3,
    "info": 3,
    "finance": 3,
    "poverty_aid": 3,
}
BASE_SERVICES = ["express", "purchase", "sale", "payment"]
EXTRA_SERVICES = ["exchange", "info", "finance", "poverty_aid"]


def configure() -> str | None:
    """Point Django at a fresh SQLite folder unless DATABASE_URL names a database; returns the folder."""
    folder = None
    if os.environ.get("DATABASE_URL"):
        print(f"database: DATABASE_URL ({os.environ['DATABASE_URL'].rsplit('@', 1)[-1]})")
    else:
        folder = tempfile.mkdtemp(prefix="ruralhub-bench-")
        os.environ["RURALHUB_DATA"] = folder
        print(f"database: SQLite in fresh folder {folder}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ruralhub.settings"
    import django

    django.setup()
    return folder


# ---------------------------------------------------------------- setup (not measured)


class Plan:
    """What the benchmark built: the measured county, dates and sizes."""

    def __init__(self, start: date, today: date):
        self.start = start  # first day of the record history
        self.today = today  # history ends yesterday; ingestion writes today's taps
        self.stations = 0
        self.records = 0
        self.villages = 0  # 村委会 of the five counties
        self.county_stations = defaultdict(int)
        self.county_records = defaultdict(int)
        self.county_villages = {}
        self.largest = ""
        self.operating_now = []  # (station, offered kinds) operating today, for ingestion


def load_counties():
    from django.core.management import call_command

    from ruralhub.network.models import Station
    from ruralhub.programs.services import load_county, plan_data
    from ruralhub.regions.choices import PovertyStatus
    from ruralhub.regions.models import Division

    call_command("migrate", verbosity=0)
    if Station.objects.exists():
        raise SystemExit("this database already has stations; the benchmark needs an empty one")
    for code in COUNTIES:
        load_county(code)
        # As the demo does: flag the plan's number of poverty villages (which ones is not public).
        planned = plan_data(code)["program"].get("poverty_villages", 0)
        villages = list(Division.objects.within(code).administrative_villages().order_by("code"))
        chosen = random.Random(code).sample(villages, min(planned, len(villages)))
        for village in chosen:
            village.poverty_status = PovertyStatus.PROVINCIAL
        Division.objects.bulk_update(chosen, ["poverty_status"])


def allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    shares = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[: total - sum(shares.values())]:
        shares[k] += 1
    return shares


def life_cycle(rng: random.Random, level: str, start: date, end: date) -> list[tuple[str, date]]:
    """A station's status history as (status, effective_on), following the allowed moves."""
    days = (end - start).days
    if level != "village_point" or rng.random() < 0.6:
        opened = start - timedelta(days=rng.randint(0, 120))
    else:  # the network grows over the first two thirds of the history
        opened = start + timedelta(days=rng.randint(1, max(1, days * 2 // 3)))
    registered = opened - timedelta(days=rng.randint(40, 200))
    history = [("planned", registered)]
    if rng.random() < 0.3:
        history.append(("building", opened - timedelta(days=rng.randint(10, 35))))
    history.append(("operating", opened))
    first = max(opened, start)
    roll = rng.random()
    if level == "village_point" and roll < 0.08 and (end - first).days > 200:
        pause = first + timedelta(days=rng.randint(30, (end - first).days - 150))
        history.append(("suspended", pause))
        back = pause + timedelta(days=rng.randint(20, 120))
        history.append(("closed" if rng.random() < 0.3 else "operating", back))
    elif level == "village_point" and roll < 0.11 and (end - first).days > 60:
        history.append(("closed", first + timedelta(days=rng.randint(30, (end - first).days))))
    return history


def operating_days(history, start: date, end: date):
    """The days in [start, end] on which the station was operating."""
    for (status, since), nxt in zip(history, [*history[1:], (None, end + timedelta(days=1))], strict=True):
        if status != "operating":
            continue
        day = max(since, start)
        while day < nxt[1] and day <= end:
            yield day
            day += timedelta(days=1)


def jitter(rng, value):
    return (Decimal(value) + Decimal(rng.randint(-200, 200)) / 10000).quantize(Decimal("0.000001"))


def build_network(n_stations: int, plan: Plan, rng: random.Random):
    """Stations, status history, services offered and served villages, all bulk-inserted."""
    from ruralhub.network.models import Station, StationService, StationStatusChange
    from ruralhub.regions.choices import Kind, Level
    from ruralhub.regions.models import Division

    divisions = list(Division.objects.filter(code__regex=r"^(" + "|".join(COUNTIES) + ")"))
    by_code = {d.code: d for d in divisions}
    admin_villages = {
        c: [d for d in divisions if d.code.startswith(c) and d.kind == Kind.VILLAGE_COMMITTEE] for c in COUNTIES
    }
    plan.villages = sum(len(v) for v in admin_villages.values())
    plan.county_villages = {c: len(v) for c, v in admin_villages.items()}
    shares = allocate(n_stations, plan.county_villages)
    end = plan.today - timedelta(days=1)
    stations, served, histories, funded = [], [], [], set()
    for county in COUNTIES:
        share = shares[county]
        townships = sorted(
            (d for d in divisions if d.code.startswith(county) and d.level == Level.TOWNSHIP), key=lambda d: d.code
        )
        towns = townships[: min(len(townships), max(1, (share - 1) // 3))]
        points = share - 1 - len(towns)
        vcs = admin_villages[county]
        communities = [d for d in divisions if d.code.startswith(county) and d.kind == Kind.COMMUNITY]
        hosts = rng.sample(vcs, min(points, round(len(vcs) * 0.88)))
        hosts += rng.sample(communities, min(points - len(hosts), round(len(communities) * 0.3)))
        hosts += [rng.choice(hosts) for _ in range(points - len(hosts))]  # the busy villages get 2 or more
        places = [("county_centre", by_code[county])] + [("township_station", t) for t in towns]
        places += [("village_point", v) for v in sorted(hosts, key=lambda d: d.code)]
        # 一点多村: some uncovered 村委会 are served by a point of a neighbouring village.
        hosted = {v.code for v in hosts}
        neighbours = {v.code: v for v in vcs if v.code not in hosted and rng.random() < 0.5}
        for n, (level, division) in enumerate(places, start=1):
            history = life_cycle(rng, level, plan.start, end)
            status, since = history[-1]
            origin = next(d for d in (division, by_code[division.code[:9]], by_code[county]) if d.lat is not None)
            station = Station(
                code=f"BENCH{county}{n:05d}",
                name=f"{division.name}{'服务点' if level == 'village_point' else '服务中心'}{n}",
                level=level,
                division=division,
                host_type=rng.choice(["convenience_store", "supermarket", "post_office", "supply_coop", "cooperative"]),
                operator_name="张桂英",
                operator_phone=f"139{rng.randint(0, 99_999_999):08d}",
                status=status,
                status_since=since,
                opened_on=next(d for s, d in history if s == "operating"),
                is_central_funded=level == "village_point" and division.code not in funded,
                lat=jitter(rng, origin.lat),
                lng=jitter(rng, origin.lng),
            )
            stations.append(station)
            histories.append(history)
            if level == "village_point":
                funded.add(division.code)  # 宁强 annex: one central-funded point per village
            if level == "village_point":
                villages = [division.code]
                near = [c for c in neighbours if c[:9] == division.code[:9]]
                if near and rng.random() < 0.3:
                    villages.append(neighbours.pop(near[0]).code)
                served.append((station, villages))
    Station.objects.bulk_create(stations, batch_size=500)
    plan.stations = len(stations)
    changes, offers, links = [], [], []
    offered_kinds = {}
    for station, history in zip(stations, histories, strict=True):
        plan.county_stations[station.division_id[:6]] += 1
        for status, since in history:
            reason = {"planned": "登记", "operating": "开业"}.get(status, "")
            changes.append(StationStatusChange(station=station, status=status, effective_on=since, reason=reason))
        services = BASE_SERVICES + [s for s in EXTRA_SERVICES if rng.random() < 0.4]
        offers += [StationService(station=station, service=s) for s in services]
        kinds = {"parcel_in", "parcel_out", *(s for s in services if s != "express")}
        offered_kinds[station.pk] = [k for k in KIND_WEIGHTS if k in kinds]
    for station, villages in served:
        links += [Station.served_villages.through(station_id=station.pk, division_id=v) for v in villages]
    StationStatusChange.objects.bulk_create(changes, batch_size=2000)
    StationService.objects.bulk_create(offers, batch_size=2000)
    Station.served_villages.through.objects.bulk_create(links, batch_size=2000)
    plan.operating_now = [(s, offered_kinds[s.pk]) for s in stations if s.status == "operating"]
    return stations, histories, offered_kinds


def tap(rng, kind: str) -> tuple[int, Decimal, int]:
    count = 1 if rng.random() < 0.6 else rng.randint(2, 6)
    amount = Decimal(rng.randint(500, 50_000)) / 100 if kind in ("purchase", "sale") else Decimal(0)
    return count, amount, count if rng.random() < 0.8 else max(1, count - 1)


def build_records(target: int, plan: Plan, stations, histories, offered_kinds, rng: random.Random):
    """About ``target`` daily records over the operating days, bulk-inserted; returns each station-month's figures."""
    from django.db import transaction

    from ruralhub.network.models import ServiceRecord

    end = plan.today - timedelta(days=1)
    weights = {}
    for station in stations:
        if station.level == "county_centre":
            weights[station.pk] = 3.0
        elif station.level == "township_station":
            weights[station.pk] = 2.0
        elif rng.random() < 0.05:
            weights[station.pk] = 0.05  # a dormant point: the review lists these
        else:
            weights[station.pk] = rng.lognormvariate(0, 0.5)
    days = {s.pk: list(operating_days(h, plan.start, end)) for s, h in zip(stations, histories, strict=True)}
    rate = target / sum(weights[pk] * len(d) for pk, d in days.items())
    figures = defaultdict(lambda: defaultdict(lambda: [0, Decimal(0), 0]))  # (station, month) → kind → sums
    pending = []

    def flush():
        with transaction.atomic():
            ServiceRecord.objects.bulk_create(pending, batch_size=2000)
        plan.records += len(pending)
        pending.clear()

    for station in stations:
        kinds = offered_kinds[station.pk]
        kind_weights = [KIND_WEIGHTS[k] for k in kinds]
        mean = rate * weights[station.pk]
        whole, part = int(mean), mean - int(mean)
        for day in days[station.pk]:
            n = whole + (rng.random() < part)
            if not n:
                continue
            month = figures[(station.pk, day.replace(day=1))]
            for i, kind in enumerate(rng.choices(kinds, kind_weights, k=n)):
                count, amount, villagers = tap(rng, kind)
                pending.append(
                    ServiceRecord(
                        station_id=station.pk,
                        kind=kind,
                        occurred_on=day,
                        count=count,
                        amount=amount,
                        villagers=villagers,
                        client_id=f"{day:%Y%m%d}-{i}",
                    )
                )
                sums = month[kind]
                sums[0] += count
                sums[1] += amount
                sums[2] += villagers
            plan.county_records[station.division_id[:6]] += n
        if len(pending) >= 50_000:
            flush()
    flush()
    return figures


def build_reports(plan: Plan, stations, figures, rng: random.Random):
    """Monthly reports of the history's months, mostly accepted; figures as month_figures gives them."""
    from django.utils import timezone

    from ruralhub.core.dates import next_month
    from ruralhub.network import services
    from ruralhub.network.models import MonthlyReport, ReviewDecision
    from ruralhub.network.services.reports import apply_figures

    tz = timezone.get_current_timezone()
    reports = []
    for station in stations:
        dormant = sum(sum(k[0] for k in figures[(station.pk, m)].values()) for m in _months(plan)) < 50
        for month in _months(plan):
            if station.opened_on >= next_month(month) or services.due_date(month) >= plan.today:
                continue
            if station.status == "closed" and station.status_since < month:
                continue
            roll = rng.random()
            if roll < (0.5 if dormant else 0.05):
                continue  # never reported
            by_kind = {
                k: {"count": c, "amount": str(a.quantize(Decimal("0.01"))), "villagers": v}
                for k, (c, a, v) in figures[(station.pk, month)].items()
            }
            due = services.due_date(month)
            sent = (
                due - timedelta(days=rng.randint(0, 20))
                if rng.random() < 0.9
                else due + timedelta(days=rng.randint(1, 9))
            )
            at = datetime.combine(sent, day_time(10), tzinfo=tz)
            status = "accepted" if roll < 0.92 else rng.choice(["approved", "submitted", "returned"])
            report = MonthlyReport(
                station=station, month=month, status=status, due_on=due, first_submitted_at=at, submitted_at=at
            )
            apply_figures(report, by_kind)
            reports.append(report)
    MonthlyReport.objects.bulk_create(reports, batch_size=1000)
    county = plan.largest
    decided = [s for s in stations if s.division_id.startswith(county) and s.status == "operating"][:10]
    ReviewDecision.objects.bulk_create(
        ReviewDecision(station=s, decision="keep", reason="服务量回升", decided_on=plan.today - timedelta(days=40))
        for s in decided
    )
    services.review_rule(county)
    return len(reports)


def _months(plan: Plan):
    month = plan.start.replace(day=1)
    while month < plan.today:
        yield month
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)


# ---------------------------------------------------------------- measurements


def timed(fn, runs=RUNS):
    seconds = []
    result = None
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - began)
    return seconds, result


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class Table:
    def __init__(self):
        self.rows = []

    def latency(self, operation, size, seconds, queries, target_ms=None):
        median, worst = statistics.median(seconds), max(seconds)
        verdict = "—" if target_ms is None else ("pass" if median * 1000 < target_ms else "FAIL")
        target = f"< {target_ms} ms" if target_ms else "none set"
        self.rows.append((operation, size, ms(median), ms(worst), target, verdict, queries))
        print(f"  {operation}: median {ms(median)}, max {ms(worst)}, {queries} queries")

    def rate(self, operation, size, rates, queries, target=TARGET_RATE):
        median, slowest = statistics.median(rates), min(rates)
        verdict = "pass" if median >= target else "FAIL"
        self.rows.append(
            (operation, size, f"{median:,.0f} rec/s", f"{slowest:,.0f} rec/s", f"≥ {target:,} rec/s", verdict, queries)
        )
        print(f"  {operation}: median {median:,.0f} rec/s, slowest run {slowest:,.0f} rec/s, {queries} queries/batch")

    def missing(self, operation, size, why):
        self.rows.append((operation, size, "—", "—", f"< {TARGET_MS} ms", why, "—"))

    def markdown(self) -> str:
        head = ["operation", "data size", "median", "max", "target", "pass/fail", "queries"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines)


def measure_reads(plan: Plan, table: Table):
    from ruralhub.network import services

    county = plan.largest
    on = plan.start + (plan.today - plan.start) // 2
    size = (
        f"{plan.county_stations[county]:,} stations, {plan.county_records[county]:,} records, "
        f"{plan.county_villages[county]} 村委会 (of {plan.stations:,} / {plan.records:,} / {plan.villages})"
    )
    print(f"\ncoverage of {county} on {on} (middle of the history)")
    seconds, cov = timed(lambda: services.coverage(county, on))
    table.latency(
        f"coverage({county}, {on})", size, seconds, count_queries(lambda: services.coverage(county, on)), TARGET_MS
    )
    print(f"  {cov.covered}/{cov.villages} 村委会 covered by {cov.operating_points} operating points")

    seconds, gaps = timed(lambda: services.coverage_gaps(cov))
    table.latency(
        f"coverage_gaps (on {on})",
        f"{len(gaps)} gaps, {cov.operating_points} points",
        seconds,
        count_queries(lambda: services.coverage_gaps(cov)),
    )

    as_of = plan.today
    seconds, found = timed(lambda: services.underperformers(county, as_of))
    queries = count_queries(lambda: services.underperformers(county, as_of))
    table.latency(
        f"underperformers({county}, {as_of})",
        f"{len(found)} listed of {plan.county_stations[county]} stations",
        seconds,
        queries,
    )
    return size, on


def measure_page(plan: Plan, table: Table, size: str, on: date):
    from django.test import Client

    from ruralhub.accounts.services import create_user
    from ruralhub.regions.models import Division

    county = plan.largest
    user = create_user(f"bench-{county}", uuid.uuid4().hex, "county_office", division=Division.objects.get(pk=county))
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    client.force_login(user)
    url = "/network/coverage/"
    print(f"\ncounty coverage page GET {url} as a county office user of {county}")
    response = client.get(url)
    if response.status_code != 200 or not response.content.strip():
        why = f"HTTP {response.status_code}" if response.status_code != 200 else "empty page (view not written yet)"
        print(f"  coverage page: not available yet ({why})")
        table.missing(f"GET {url}", size, f"not available yet ({why})")
        return
    # The page as it opens (today) and for the date coverage() was timed on (?on=).
    for label, address in ((f"GET {url} (today)", url), (f"GET {url}?on={on}", f"{url}?on={on}")):
        seconds, _response = timed(lambda address=address: client.get(address))
        table.latency(label, size, seconds, count_queries(lambda address=address: client.get(address)), TARGET_MS)


def tap_rows(rng, kinds, today: date, n: int) -> list[dict]:
    rows = []
    weights = [KIND_WEIGHTS[k] for k in kinds]
    for kind in rng.choices(kinds, weights, k=n):
        count, amount, villagers = tap(rng, kind)
        # As the phone sends them: JSON strings for the date and the yuan.
        rows.append(
            {
                "client_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "kind": kind,
                "count": count,
                "amount": str(amount),
                "villagers": villagers,
                "occurred_on": today.isoformat(),
            }
        )
    return rows


def measure_ingestion(plan: Plan, table: Table, batches_per_run: int, rng: random.Random):
    from ruralhub.core.scoping import SYSTEM
    from ruralhub.network import services
    from ruralhub.network.models import ServiceRecord

    stations = plan.operating_now
    needed = batches_per_run * RUNS
    print(f"\ningestion: {RUNS} runs of {batches_per_run} batches × {BATCH} rows, one station per batch, as SYSTEM")
    runs = []
    for r in range(RUNS):
        picked = [stations[(r * batches_per_run + b) % len(stations)] for b in range(batches_per_run)]
        runs.append([(station, tap_rows(rng, kinds, plan.today, BATCH)) for station, kinds in picked])
    fresh, again = [], []
    for batches in runs:
        began = time.perf_counter()
        for station, rows in batches:
            result = services.record_services(SYSTEM, station, rows, today=plan.today)
            assert result.created == BATCH, result
        fresh.append(len(batches) * BATCH / (time.perf_counter() - began))
    for batches in runs:
        began = time.perf_counter()
        for station, rows in batches:
            result = services.record_services(SYSTEM, station, rows, today=plan.today)
            assert result.duplicates == BATCH, result
        again.append(len(batches) * BATCH / (time.perf_counter() - began))
    station, rows = runs[0][0]
    queries = count_queries(lambda: services.record_services(SYSTEM, station, rows, today=plan.today))
    total = ServiceRecord.objects.count()
    spread = min(needed, len(stations))
    size = f"{batches_per_run * BATCH:,} rows/run in {batches_per_run} batches, {spread} stations; table {total:,} rows"
    table.rate("record_services, new client_ids", size, fresh, queries)
    table.rate("record_services, re-sent (all duplicates)", size, again, queries)


# ---------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=2000)
    parser.add_argument("--years", type=float, default=3)
    parser.add_argument("--smoke", action="store_true", help="60 stations, 2 months: a check that it runs, in seconds")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite folder for inspection")
    args = parser.parse_args(argv)
    days = 61 if args.smoke else round(args.years * 365.25)
    n_stations = 60 if args.smoke else args.stations
    batches_per_run = 2 if args.smoke else 20
    folder = configure()
    began = time.perf_counter()
    try:
        from django.db import connection
        from django.utils import timezone

        today = timezone.localdate()
        plan = Plan(start=today - timedelta(days=days), today=today)
        rng = random.Random(20260101)
        print(f"setup: {n_stations} stations, {days} days of records ending {today - timedelta(days=1)} …", flush=True)
        load_counties()
        step = time.perf_counter()
        stations, histories, offered = build_network(n_stations, plan, rng)
        plan.largest = max(COUNTIES, key=lambda c: (plan.county_stations[c], c))
        target = round(2_000_000 * n_stations / 2000 * days / 1096)
        print(f"  network built in {time.perf_counter() - step:.0f} s; records …", flush=True)
        figures = build_records(target, plan, stations, histories, offered, rng)
        print(f"  records built in {time.perf_counter() - step:.0f} s; reports …", flush=True)
        n_reports = build_reports(plan, stations, figures, rng)
        # Measure in a heap like a server's: millions of setup objects would make every GC pass slow.
        del stations, histories, offered, figures
        gc.collect()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as a database that grew over years would have
        print(
            f"setup done in {time.perf_counter() - step:.0f} s: {plan.stations:,} stations, {plan.records:,} records, "
            f"{n_reports:,} monthly reports, {plan.villages} 村委会; largest county {plan.largest}",
            flush=True,
        )
        table = Table()
        size, on = measure_reads(plan, table)
        measure_page(plan, table, size, on)
        measure_ingestion(plan, table, batches_per_run, rng)
        print(f"\n## ruralhub network benchmark ({connection.vendor}, {'smoke' if args.smoke else 'full'} size)\n")
        print(table.markdown())
        print(
            f"\nmedian and max of {RUNS} runs; for ingestion “max” is the slowest run. "
            f"Total {time.perf_counter() - began:.0f} s."
        )
    finally:
        if folder and not args.keep:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(folder, ignore_errors=True)
        elif folder:
            print(f"kept {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
