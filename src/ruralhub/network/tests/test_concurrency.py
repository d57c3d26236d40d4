"""Real concurrent clients against a live server: threads, each its own HTTP connection and database connection.

On SQLite the suite's test database lives in memory and one connection would be shared by every thread,
which proves nothing; this module therefore moves the default database to a file for its tests (WAL,
IMMEDIATE transactions and the busy timeout come from settings, as in production). On PostgreSQL the
test database is used as it is. Sizes are small enough to keep each test to a few seconds and large
enough for real contention; bench/concurrency.py runs the full 8 × 50 × 100 load.
"""

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from datetime import date
from functools import partial
from urllib.parse import urlencode

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client as DjangoClient
from django.test.testcases import LiveServerThread
from django.urls import reverse
from django.utils import timezone

from ruralhub.accounts.models import ApiToken
from ruralhub.core.dates import month_start
from ruralhub.network import services
from ruralhub.network.choices import STATUS_MOVES, ReportAction, ReportStatus, StationStatus
from ruralhub.network.models import MonthlyReport, ReportEvent, ServiceRecord, Station, StationStatusChange

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS, BATCHES, RECORDS = 8, 10, 50
TRIALS = 5
CSRF_TOKEN = "concurrency" * 3 + "t" * 31  # any 64 characters: the cookie and the header only have to agree


@pytest.fixture(scope="module")
def live_url(django_db_setup, django_db_blocker, tmp_path_factory):
    """A live server whose request threads each open their own database connection."""
    with django_db_blocker.unblock():
        swapped = connection.vendor == "sqlite"
        if swapped:
            in_memory_settings, in_memory = connections.settings["default"], connections["default"]
            path = tmp_path_factory.mktemp("live") / "live.sqlite3"
            connections.settings["default"] = {**in_memory_settings, "NAME": str(path)}
            connections["default"] = connections.create_connection("default")
            call_command("migrate", verbosity=0, interactive=False)
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override={})
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        yield f"http://127.0.0.1:{server.port}"
        server.terminate()
        if swapped:
            connections["default"].close()
            connections.settings["default"], connections["default"] = in_memory_settings, in_memory


def token_for(user) -> str:
    return ApiToken.issue(user, "并发测试")[1]


def post(url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body)
        except ValueError:
            return exc.code, {"raw": body[:200].decode(errors="replace")}


def at_once(*calls):
    """Run the calls in threads released together; their (status, body) answers in order."""
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


@pytest.fixture
def submitted(station_operator, operator_station):
    """make a submitted report of a past month for the operator's station."""

    def make(month: date) -> MonthlyReport:
        return services.submit_report(station_operator, operator_station, month)

    return make


def test_eight_clients_store_every_record_and_never_answer_5xx(live_url, station_operator, operator_station):
    token = token_for(station_operator)
    url = f"{live_url}/api/network/stations/{operator_station.pk}/records"
    today = timezone.localdate().isoformat()

    def client(n):
        statuses = []
        for b in range(BATCHES):
            rows = [{"kind": "parcel_in", "client_id": f"c{n}-b{b}-r{r}", "occurred_on": today} for r in range(RECORDS)]
            statuses.append(post(url, token, {"records": rows})[0])
        return statuses

    answers = at_once(*[partial(client, n) for n in range(CLIENTS)])
    statuses = Counter(s for client_statuses in answers for s in client_statuses)
    assert statuses == {201: CLIENTS * BATCHES}
    assert ServiceRecord.objects.filter(station=operator_station).count() == CLIENTS * BATCHES * RECORDS


def test_a_double_approve_or_accept_logs_one_event_and_refuses_the_second(
    live_url, submitted, township_officer, county_office
):
    officer, county = token_for(township_officer), token_for(county_office)
    for trial in range(TRIALS):
        report = submitted(date(2025, 1 + trial, 1))
        approve = f"{live_url}/api/network/reports/{report.pk}/approve"
        answers = at_once(partial(post, approve, officer), partial(post, approve, officer))
        assert sorted(status for status, _body in answers) == [200, 422]
        refusal = next(body for status, body in answers if status == 422)
        assert refusal["detail"][0]["msg"] == "只有已报送的月报才能审核，当前为“乡镇已审核”"
        accept = f"{live_url}/api/network/reports/{report.pk}/accept"
        answers = at_once(partial(post, accept, county), partial(post, accept, county))
        assert sorted(status for status, _body in answers) == [200, 422]
        actions = Counter(report.events.values_list("action", flat=True))
        assert actions == {ReportAction.SUBMIT: 1, ReportAction.APPROVE: 1, ReportAction.ACCEPT: 1}
        assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED


def test_accept_and_return_at_once_end_in_a_legal_state_with_a_matching_log(
    live_url, submitted, township_officer, county_office
):
    county = token_for(county_office)
    for trial in range(TRIALS):
        report = services.approve_report(township_officer, submitted(date(2025, 1 + trial, 1)))
        accept = f"{live_url}/api/network/reports/{report.pk}/accept"
        send_back = f"{live_url}/api/network/reports/{report.pk}/return"
        (accepted, _a), (returned, _r) = at_once(
            partial(post, accept, county), partial(post, send_back, county, {"reason": "数据有误"})
        )
        # Accept then return is legal (the county may send back an accepted month); after a return, accept is refused.
        assert (accepted, returned) in ((200, 200), (422, 200))
        actions = list(ReportEvent.objects.filter(report=report).order_by("at", "id").values_list("action", flat=True))
        expected = ["submit", "approve", "accept", "return"] if accepted == 200 else ["submit", "approve", "return"]
        assert actions == expected
        assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.RETURNED


def session_cookies(user) -> str:
    """Cookies of a signed-in browser session, with a CSRF token the requests repeat in a header."""
    browser = DjangoClient()
    browser.force_login(user)
    return f"sessionid={browser.cookies['sessionid'].value}; csrftoken={CSRF_TOKEN}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(url: str, cookies: str, fields: dict) -> int:
    request = urllib.request.Request(
        url,
        data=urlencode(fields).encode(),
        headers={"Cookie": cookies, "X-CSRFToken": CSRF_TOKEN},
        method="POST",
    )
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_concurrent_status_changes_leave_a_legal_history(live_url, make_station, county_office):
    cookies = session_cookies(county_office)
    today = timezone.localdate().isoformat()
    for trial in range(TRIALS):
        station = make_station("331123105211", code=f"RACE{trial}")
        url = live_url + reverse("network:station_status", args=[station.pk])
        answers = at_once(
            *[
                partial(post_form, url, cookies, {"status": status, "effective_on": today, "reason": "测试"})
                for status in (StationStatus.CLOSED, StationStatus.SUSPENDED)
            ]
        )
        assert answers == [302, 302]  # the page redirects back with a message either way; never a 5xx
        history = list(
            StationStatusChange.objects.filter(station=station)
            .order_by("effective_on", "id")
            .values_list("status", flat=True)
        )
        assert history[:2] == [StationStatus.PLANNED, StationStatus.OPERATING]
        # Closed alone (suspending a closed station is refused) or suspended then closed; never closed then more.
        assert history[2:] in ([StationStatus.CLOSED], [StationStatus.SUSPENDED, StationStatus.CLOSED]), history
        for before, after in zip(history, history[1:], strict=False):
            assert after in STATUS_MOVES[StationStatus(before)], history
        assert Station.objects.get(pk=station.pk).status == history[-1]


def test_records_posted_while_the_month_is_submitted_match_the_report(
    live_url, station_operator, operator_station, monkeypatch
):
    # The month's last day (a month is submitted from then on); the server thread shares this clock.
    from datetime import datetime, time

    from ruralhub.core.dates import month_end

    evening = timezone.make_aware(datetime.combine(month_end(timezone.localdate()), time(18)))
    monkeypatch.setattr(timezone, "now", lambda: evening)
    token = token_for(station_operator)
    records = f"{live_url}/api/network/stations/{operator_station.pk}/records"
    month = month_start(timezone.localdate())
    submit = f"{live_url}/api/network/stations/{operator_station.pk}/reports/{month:%Y-%m}/submit"
    today = timezone.localdate().isoformat()

    def recorder(n):
        statuses = []
        for b in range(BATCHES):
            rows = [{"kind": "payment", "client_id": f"s{n}-{b}-{r}", "occurred_on": today} for r in range(RECORDS)]
            statuses.append(post(records, token, {"records": rows})[0])
        return statuses

    answers = at_once(*[partial(recorder, n) for n in range(3)], lambda: [post(submit, token)[0]])
    assert all(status < 500 for statuses in answers for status in statuses)
    assert answers[-1] == [200]
    report = MonthlyReport.objects.get(station=operator_station, month=month)
    stored = ServiceRecord.objects.filter(station=operator_station, occurred_on__gte=month).count()
    assert report.status == ReportStatus.SUBMITTED
    assert report.total_services == stored
    assert report.figures == services.month_figures(operator_station, month)
