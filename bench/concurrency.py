"""Concurrent writers against the served app (figures and how to read them: bench/README.md).

    python bench/concurrency.py [--clients 8] [--batches 50] [--records 100] [--trials 10] [--smoke]
                                [--database-url postgres://…/empty_db] [--workers 4] [--threads 4]

Prepares a fresh database (SQLite in a temporary RURALHUB_DATA folder, or the empty PostgreSQL
database named by --database-url): 遂昌's divisions and plan, one operating village point and its
operator, the township officer and the county office, each with an API token, and submitted
reports for the approval races. Then it serves the app with `ruralhub serve` in a subprocess and:

1. load: every client posts its batches of taps to POST /api/network/stations/{id}/records (all to
   the same station, the most contention there can be), one request at a time per client;
2. races, each trial on its own report: two approvals at once, two acceptances at once, and an
   acceptance and a return at once.

It prints the stored count, the 5xx count, requests/s and p50/p95 latencies, and the race outcomes.
A missed expectation is reported, not raised; the exit status is non-zero only when something raises.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta
from functools import partial


def configure(database_url: str) -> tuple[dict, str]:
    """Environment for this process and the served subprocess; a fresh SQLite folder unless a URL is given."""
    folder = tempfile.mkdtemp(prefix="ruralhub-concurrency-")
    env = {**os.environ, "RURALHUB_DATA": folder, "DJANGO_SETTINGS_MODULE": "ruralhub.settings"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    os.environ.update(env)
    if not database_url:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    return env, folder


def prepare(trials: int) -> dict:
    """Data and tokens, through the services as the app itself would write them."""
    from django.core.management import call_command
    from django.utils import timezone

    from ruralhub.accounts.credit_code import check_character
    from ruralhub.accounts.models import ApiToken, Organisation
    from ruralhub.accounts.services import create_user
    from ruralhub.core.dates import month_start
    from ruralhub.core.roles import Role
    from ruralhub.core.scoping import SYSTEM
    from ruralhub.network import services
    from ruralhub.network.choices import StationStatus
    from ruralhub.network.models import Station
    from ruralhub.programs.services import load_program
    from ruralhub.regions.models import Division
    from ruralhub.regions.services import load_divisions

    call_command("migrate", verbosity=0, interactive=False)
    if Station.objects.exists():
        raise SystemExit("the database already has stations: give the benchmark an empty one")
    county = load_divisions("331123").county
    load_program("331123")
    dazhe = Division.objects.get(code="331123105")
    village = Division.objects.filter(parent=dazhe).administrative_villages().order_by("code").first()
    body = "91331123000000001"  # 17 characters; the 18th is the check character
    host = Organisation.objects.create(
        name="大柘便民超市", kind="station_host", credit_code=body + check_character(body), division=village
    )
    password = "bench-password-1234"
    operator = create_user("operator", password, Role.STATION_OPERATOR, division=village, organisation=host)
    officer = create_user("township", password, Role.TOWNSHIP_OFFICER, division=dazhe)
    office = create_user("county", password, Role.COUNTY_OFFICE, division=county)
    today = timezone.localdate()
    station = services.save_station(
        SYSTEM,
        {
            "name": "永安村电商服务点",
            "level": "village_point",
            "division": village,
            "host_type": "other",
            "host": host,
            "status_since": today - timedelta(days=3 * trials * 31 + 60),
        },
        services=["express", "purchase", "sale", "payment"],
    )
    services.change_status(SYSTEM, station, StationStatus.OPERATING, station.status_since, "开业")
    month, reports = month_start(today), []
    for _n in range(2 * trials):
        month = month_start(month - timedelta(days=1))
        reports.append(services.submit_report(operator, station, month).pk)
    for pk in reports[trials:]:
        services.approve_report(officer, pk)
    return {
        "station": station.pk,
        "double": reports[:trials],  # submitted: approve twice, then accept twice
        "accept_or_return": reports[trials:],  # approved: accept and return at once
        "tokens": {u.username: ApiToken.issue(u, "bench")[1] for u in (operator, officer, office)},
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "ruralhub.cli", "serve", "--port", str(port), "--workers", str(workers)]
    env = {**env, "RURALHUB_LOG_LEVEL": "ERROR"}  # the refused second approvals are expected, not news
    process = subprocess.Popen([*command, "--threads", str(threads)], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(200):
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)
            return process, url
        except urllib.error.HTTPError:
            return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not start")


def post(url: str, token: str, body: dict | None = None) -> tuple[int, float, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    elapsed = time.perf_counter() - started
    try:
        return status, elapsed, json.loads(raw or b"{}")
    except ValueError:
        return status, elapsed, {}


def at_once(*calls):
    start = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i, call):
        start.wait()
        answers[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def load(url: str, plan: dict, clients: int, batches: int, records: int) -> dict:
    from django.utils import timezone

    target = f"{url}/api/network/stations/{plan['station']}/records"
    token, today = plan["tokens"]["operator"], timezone.localdate().isoformat()

    def client(n):
        answers = []
        for b in range(batches):
            rows = [{"kind": "parcel_in", "client_id": f"c{n}-{b}-{r}", "occurred_on": today} for r in range(records)]
            answers.append(post(target, token, {"records": rows})[:2])
        return answers

    started = time.perf_counter()
    answers = [a for per_client in at_once(*[partial(client, n) for n in range(clients)]) for a in per_client]
    wall = time.perf_counter() - started
    latencies = sorted(elapsed for _status, elapsed in answers)
    return {
        "statuses": Counter(status for status, _elapsed in answers),
        "requests": len(answers),
        "wall": wall,
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
    }


def races(url: str, plan: dict) -> dict:
    officer, office = plan["tokens"]["township"], plan["tokens"]["county"]
    outcome = Counter()
    for pk in plan["double"]:
        for action, token in (("approve", officer), ("accept", office)):
            answers = at_once(*[partial(post, f"{url}/api/network/reports/{pk}/{action}", token)] * 2)
            outcome[f"double {action}: " + "+".join(sorted(str(a[0]) for a in answers))] += 1
    for pk in plan["accept_or_return"]:
        accepted, returned = at_once(
            partial(post, f"{url}/api/network/reports/{pk}/accept", office),
            partial(post, f"{url}/api/network/reports/{pk}/return", office, {"reason": "数据有误"}),
        )
        outcome[f"accept {accepted[0]} / return {returned[0]}"] += 1
    return outcome


def check(plan: dict, expected_records: int) -> list[str]:
    """What the database holds afterwards, against what must be true."""
    from django.db import connections

    from ruralhub.network.models import MonthlyReport, ReportEvent, ServiceRecord

    connections.close_all()
    lines = []
    stored = ServiceRecord.objects.filter(station_id=plan["station"]).count()
    lines.append(
        f"stored records: {stored:,} (expected {expected_records:,}){'' if stored == expected_records else '  ✗'}"
    )
    for pk in plan["double"]:
        events = Counter(ReportEvent.objects.filter(report_id=pk).values_list("action", flat=True))
        if events != {"submit": 1, "approve": 1, "accept": 1}:
            lines.append(f"report {pk}: events {dict(events)}  ✗")
    legal = [["submit", "approve", "accept", "return"], ["submit", "approve", "return"]]
    for pk in plan["accept_or_return"]:
        actions = list(ReportEvent.objects.filter(report_id=pk).order_by("at", "id").values_list("action", flat=True))
        status = MonthlyReport.objects.get(pk=pk).status
        if actions not in legal or status != "returned":
            lines.append(f"report {pk}: {status} after {actions}  ✗")
    lines.append(f"races: one event per action, legal end states: {'yes' if len(lines) == 1 else 'NO'}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--trials", type=int, default=10, help="reports per race")
    parser.add_argument("--workers", type=int, default=4, help="server processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per server process")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database; default SQLite")
    parser.add_argument("--smoke", action="store_true", help="2 clients × 3 batches × 10 records, 2 trials")
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.batches, args.records, args.trials = 2, 3, 10, 2
    env, folder = configure(args.database_url)
    print(f"database: {args.database_url.rsplit('@', 1)[-1] if args.database_url else f'SQLite in {folder}'}")
    plan = prepare(args.trials)
    from django.db import connections

    connections.close_all()
    process, url = serve(env, args.workers, args.threads)
    try:
        figures = load(url, plan, args.clients, args.batches, args.records)
        outcome = races(url, plan)
    finally:
        process.terminate()
        process.wait(timeout=30)
    size = f"{args.clients} clients × {args.batches} batches × {args.records} records"
    errors = sum(n for status, n in figures["statuses"].items() if status >= 500)
    print(f"load: {size}, server {args.workers} processes × {args.threads} threads")
    print(f"answers: {dict(sorted(figures['statuses'].items()))}; 5xx: {errors}")
    print(
        f"{figures['requests'] / figures['wall']:.1f} requests/s, "
        f"{figures['requests'] * args.records / figures['wall']:,.0f} records/s, "
        f"p50 {figures['p50'] * 1000:.0f} ms, p95 {figures['p95'] * 1000:.0f} ms, wall {figures['wall']:.1f} s"
    )
    for name, n in sorted(outcome.items()):
        print(f"race {name}: {n}")
    for line in check(plan, args.clients * args.batches * args.records):
        print(line)
    if not args.database_url:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
