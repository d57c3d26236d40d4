"""Pages under load: N concurrent keep-alive clients per page against `ruralhub serve` (figures: bench/README.md).

    python bench/pages.py [--clients 20] [--seconds 30] [--data DIR] [--workers W] [--threads T] [--smoke]

Prepares the demo county in a fresh folder (or uses --data, a folder `ruralhub demo --no-serve` made, or
DATABASE_URL with a database the demo filled), serves it with `ruralhub serve` in a subprocess, signs in as
each role, and drives every main page and API list in turn: requests/s, p50/p95/p99, errors, the server's
CPU per request under load and for single requests (the page's CPU budget), and each page's throughput as a
share of a trivial view served the same way (the ceiling). Bounded: every page runs for --seconds, then stops.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "ruralhub2026"
TARGET_P95_MS = 150
TARGET_CPU_MS = 15
# (role's demo username, path, label). "{program}", "{county}" and "{station}" are filled in after signing in.
PAGES = [
    ("county", "/healthz", "trivial view (ceiling)"),
    ("county", "/network/", "station list"),
    ("county", "/network/?sort=-opened_on&page=2", "station list, sorted, page 2"),
    ("county", "/network/reports/", "monthly reports"),
    ("county", "/network/coverage/", "coverage"),
    ("county", "/network/review/", "station review"),
    ("county", "/network/{station}/", "station page"),
    ("county", "/programs/{program}/targets/", "targets"),
    ("county", "/", "home (county office)"),
    ("township", "/network/", "station list (township)"),
    ("township", "/network/coverage/", "coverage (township)"),
    ("township", "/", "home (township)"),
    ("station", "/network/my/", "operator's phone page"),
    ("station", "/", "home (operator)"),
    ("county", "/api/network/coverage", "API coverage"),
    ("county", "/api/network/stations", "API station list"),
    ("county", "/api/network/stations/{station}/reports", "API station's reports"),
    ("county", "/api/programs", "API programs"),
    ("county", "/api/programs/{program}/progress", "API target progress"),
    ("county", "/api/organisations", "API organisations"),
    ("county", "/api/regions/divisions?within={county}", "API divisions"),
    ("county", "/regions/", "divisions"),
    ("county", "/organisations/", "organisations"),
    ("county", "/users/", "users"),
]
ROOT = Path(__file__).resolve().parent.parent


def ruralhub_command() -> list[str]:
    exe = Path(sys.executable).with_name("ruralhub")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ruralhub"]


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data: str, months: int) -> None:
    started = time.monotonic()
    env = {**os.environ, "RURALHUB_DATA": data}
    subprocess.run(
        [*ruralhub_command(), "demo", "--no-serve", "--months", str(months)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"demo prepared in {data} ({time.monotonic() - started:.0f} s, {months} months of records)")


def start_server(data: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "RURALHUB_DATA": data}
    cmd = [*ruralhub_command(), "serve", "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server stopped while starting") from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU of the server process and its children (the workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root_pid or ppid == root_pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# ---------------------------------------------------------------- clients


class Client:
    """One keep-alive connection with a session cookie."""

    def __init__(self, port: int, cookie: str = ""):
        self.port = port
        self.cookie = cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = {"Cookie": self.cookie, **(headers or {})}
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response, response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def sign_in(port: int, username: str) -> str:
    """The session cookie of a demo user, signed in through the login form as a person would."""
    client = Client(port)
    response, body = client.request("GET", "/login/")
    cookies = {c.split("=", 1)[0]: c.split(";", 1)[0].split("=", 1)[1] for c in response.headers.get_all("Set-Cookie")}
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    client.cookie = f"csrftoken={cookies['csrftoken']}"
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/login/"}
    response, _body = client.request("POST", "/login/", form, headers)
    session = [c for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("sessionid=")]
    if response.status != 302 or not session:
        raise SystemExit(f"could not sign in as {username} (HTTP {response.status})")
    return session[0].split(";", 1)[0]


@dataclass
class Run:
    label: str
    path: str
    role: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu_ms_loaded: float = 0.0
    cpu_ms_single: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def drive(port: int, cookie: str, run: Run, clients: int, seconds: float, server_pid: int) -> None:
    lock = threading.Lock()
    stop_at = [0.0]
    start = threading.Barrier(clients + 1)

    def worker():
        client = Client(port, cookie)
        client.request("GET", run.path)  # open the connection before the clock starts
        start.wait()
        mine, errors = [], 0
        while time.monotonic() < stop_at[0]:
            began = time.monotonic()
            try:
                response, _body = client.request("GET", run.path)
                ok = response.status == 200
            except (http.client.HTTPException, OSError):
                ok = False
            mine.append(time.monotonic() - began)
            errors += not ok
        with lock:
            run.latencies.extend(mine)
            run.errors += errors

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.monotonic() + seconds
    cpu_before, began = cpu_seconds(server_pid), time.monotonic()
    start.wait()
    for t in threads:
        t.join(seconds + 60)
    run.seconds = time.monotonic() - began
    run.requests = len(run.latencies)
    run.cpu_ms_loaded = (cpu_seconds(server_pid) - cpu_before) * 1000 / max(run.requests, 1)


def single(port: int, cookie: str, run: Run, server_pid: int, n: int) -> None:
    """Server CPU per request with one client and nothing else running: the page's CPU budget."""
    client = Client(port, cookie)
    client.request("GET", run.path)
    before = cpu_seconds(server_pid)
    for _ in range(n):
        client.request("GET", run.path)
    run.cpu_ms_single = (cpu_seconds(server_pid) - before) * 1000 / n


def discover(port: int, cookie: str) -> dict:
    """The ids the paths need: the county's program, and the busiest kind of station (the operator's own)."""
    client = Client(port, cookie)
    response, body = client.request("GET", "/api/programs")
    programs = json.loads(body) if response.status == 200 else []
    response, body = client.request("GET", "/api/network/stations?level=village_point&status=operating")
    stations = json.loads(body) if response.status == 200 else []
    return {
        "program": programs[0]["id"] if programs else 1,
        "county": programs[0]["county_id"] if programs else "331123",
        "station": stations[0]["id"] if stations else 1,
    }


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--data", help="a folder prepared by `ruralhub demo --no-serve` (default: a fresh one)")
    parser.add_argument("--months", type=int, default=24, help="months of history when preparing the demo")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--single", type=int, default=50, help="single requests per page for the CPU budget")
    parser.add_argument("--only", default="", help="comma-separated substrings of the page paths to run")
    parser.add_argument("--smoke", action="store_true", help="tiny run for CI: 2 months, 3 clients, 1 s a page")
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.seconds, args.months, args.single = 3, 1.0, 2, 5

    folder, made = args.data, False
    if folder is None and not os.environ.get("DATABASE_URL"):
        folder, made = tempfile.mkdtemp(prefix="ruralhub-pages-"), True
    if folder is None:
        folder = tempfile.mkdtemp(prefix="ruralhub-pages-")  # secret key only; the data is in DATABASE_URL
        made = True
    if made:
        prepare(folder, args.months)
    port = free_port()
    server = start_server(folder, port, args.workers, args.threads)
    print(
        f"server: ruralhub serve --workers {args.workers} --threads {args.threads} (pid {server.pid}); "
        f"{args.clients} keep-alive clients × {args.seconds:g} s per page; {os.cpu_count()} cores"
    )
    runs: list[Run] = []
    try:
        cookies = {role: sign_in(port, role) for role in sorted({p[0] for p in PAGES})}
        values = discover(port, cookies["county"])
        for role, path, label in PAGES:
            path = path.format(**values)
            if args.only and not any(s in path for s in args.only.split(",")):
                continue
            run = Run(label, path, role)
            single(port, cookies[role], run, server.pid, args.single)
            drive(port, cookies[role], run, args.clients, args.seconds, server.pid)
            runs.append(run)
            print(f"  {path:<32} {run.rate:7.1f} req/s  p95 {run.pct(0.95):6.0f} ms  errors {run.errors}")
    finally:
        os.killpg(server.pid, 15)
        server.wait(30)
        if made:
            shutil.rmtree(folder, ignore_errors=True)
    report(runs)
    if any(r.errors for r in runs):
        sys.exit(1)


def report(runs: list[Run]) -> None:
    ceiling = next((r.rate for r in runs if r.path == "/healthz"), 0.0)
    print()
    print(
        "| page | role | requests/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/request (single) | "
        "CPU ms/request (loaded) | share of ceiling |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        share = f"{r.rate / ceiling:.0%}" if ceiling else "—"
        p95 = r.pct(0.95)
        flag = "" if p95 < TARGET_P95_MS else " ✗"
        print(
            f"| `{r.path}` {r.label} | {r.role} | {r.rate:.1f} | {r.pct(0.50):.0f} | {p95:.0f}{flag} | "
            f"{r.pct(0.99):.0f} | {r.errors} | {r.cpu_ms_single:.1f} | {r.cpu_ms_loaded:.1f} | {share} |"
        )
    slow = [r.path for r in runs if r.pct(0.95) >= TARGET_P95_MS]
    over = [r.path for r in runs if r.cpu_ms_single > TARGET_CPU_MS]
    print(f"\np95 target {TARGET_P95_MS} ms: " + ("all pages met" if not slow else f"missed by {', '.join(slow)}"))
    print(f"CPU budget {TARGET_CPU_MS} ms: " + ("all pages within" if not over else f"over: {', '.join(over)}"))
    print(f"measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
