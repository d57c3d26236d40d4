"""The report correction loop, as issue 7 tells it: the operator records a wrong amount → the township sees
it flagged and returns it with a reason → the operator sees the reason, voids the record, re-enters it and
resubmits → the township approves → the county accepts, returns it, and it is accepted again."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ruralhub.core.dates import month_start
from ruralhub.demo import runner
from ruralhub.network.models import MonthlyReport, ServiceRecord, Station

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e

LAST_MONTH = month_start(month_start(timezone.localdate()) - timedelta(days=1))
REASON = "代购86000元明显有误，请核对"


@pytest.fixture
def station(transactional_db):
    runner.build("331123", months=2)
    station = Station.objects.get(host__name__endswith="便民超市")
    # Last month not yet submitted, whatever the demo drew for it: the operator submits it below.
    MonthlyReport.objects.filter(station=station, month=LAST_MONTH).delete()
    return station


def login(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", runner.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    return context, page


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def add_purchase(page, amount: str):
    """补记 a 代购 on the last day of last month, from the month's records page."""
    page.select_option("#add-record select[name=kind]", "purchase")
    page.fill("#add-record input[name=amount]", amount)
    page.click("#add-record button[type=submit]")
    page.wait_for_selector("text=已记录：代购")


def submit_last_month(page, live_server, label):
    page.goto(f"{live_server.url}/network/my/")
    page.click(f".submit-month[data-month='{LAST_MONTH:%Y-%m}'] button:has-text('{label}')")
    page.wait_for_selector("text=月报已报送")


def decide(browser, live_server, username, report, button, screenshot=None, artifacts=None):
    context, page = login(browser, live_server, username, DESKTOP)
    page.goto(f"{live_server.url}/network/reports/{report.pk}/")
    if screenshot:
        page.screenshot(path=artifacts / screenshot, full_page=True)
    page.click(f"#decide button[name={button}]")
    page.wait_for_selector("text=" + {"approve": "已审核通过", "accept": "已确认"}[button])
    context.close()


def test_a_wrong_amount_is_returned_corrected_resubmitted_and_accepted_twice(browser, live_server, station, artifacts):
    records_url = f"{live_server.url}/network/my/records/?month={LAST_MONTH:%Y-%m}"

    # 1. the operator, on a phone, enters a forgotten 代购 for last month with three zeros too many, and submits
    context, page = login(browser, live_server, "station", PHONE)
    page.goto(records_url)
    add_purchase(page, "86000")
    submit_last_month(page, live_server, "报送月报")
    context.close()
    report = MonthlyReport.objects.get(station=station, month=LAST_MONTH)
    wrong = ServiceRecord.objects.get(station=station, kind="purchase", amount=Decimal("86000"))
    assert report.status == "submitted" and wrong.flagged

    # 2. the township officer sees it flagged, opens the month and sends it back with a reason
    context, page = login(browser, live_server, "township", DESKTOP)
    page.goto(f"{live_server.url}/network/reports/")
    assert "条超过提醒值" in page.inner_text(f"tr[data-report='{report.pk}']")
    page.click(f"tr[data-report='{report.pk}'] a:has-text('核对明细')")
    row = page.locator(f"tr[data-record='{wrong.pk}']")
    assert "超过本县提醒值" in row.inner_text()
    page.screenshot(path=artifacts / "correction-township-report-desktop.png", full_page=True)
    page.fill("#return-form input[name=reason]", REASON)
    page.click("#return-form button[name=return]")
    page.wait_for_selector("text=已退回")
    assert REASON in page.inner_text("#return-reason")
    context.close()

    # 3. the operator sees the reason, voids the wrong tap, enters the right one and submits again
    context, page = login(browser, live_server, "station", PHONE)
    page.goto(f"{live_server.url}/network/my/")
    assert REASON in page.inner_text(".returned-notice")
    page.screenshot(path=artifacts / "correction-operator-returned-phone.png", full_page=True)
    assert fits_the_phone(page)
    page.goto(f"{live_server.url}/network/reports/{report.pk}/")  # the report itself says why, too
    assert REASON in page.inner_text("#return-reason")
    page.screenshot(path=artifacts / "correction-operator-report-phone.png", full_page=True)
    assert fits_the_phone(page)
    page.goto(f"{live_server.url}/network/my/")
    page.click(".returned-notice a")
    page.wait_for_selector("#return-reason")
    page.click(f"tr[data-record='{wrong.pk}'] summary")
    page.fill(f"tr[data-record='{wrong.pk}'] input[name=reason]", "多打了三个零")
    page.click(f"tr[data-record='{wrong.pk}'] button[type=submit]")
    page.wait_for_selector("text=已作废：代购")
    add_purchase(page, "86")
    page.screenshot(path=artifacts / "correction-operator-records-phone.png", full_page=True)
    assert fits_the_phone(page)
    submit_last_month(page, live_server, "重新报送")
    context.close()
    wrong.refresh_from_db()
    assert wrong.void_reason == "多打了三个零" and wrong.voided_at is not None
    report.refresh_from_db()
    assert report.status == "submitted" and Decimal("86") <= report.purchase_amount < Decimal("86000")

    # 4. the township approves, the county accepts
    decide(browser, live_server, "township", report, "approve")
    decide(browser, live_server, "county", report, "accept", "correction-county-report-desktop.png", artifacts)

    # 5. the county sends the accepted month back from the web page …
    context, page = login(browser, live_server, "county", DESKTOP)
    page.goto(f"{live_server.url}/network/reports/{report.pk}/")
    page.fill("#return-form input[name=reason]", "请补充代购凭证后重报")
    page.click("#return-form button[name=return]")
    page.wait_for_selector("text=已退回")
    context.close()

    # … and the loop runs again: resubmitted, approved, accepted
    context, page = login(browser, live_server, "station", PHONE)
    page.goto(f"{live_server.url}/network/my/")
    assert "请补充代购凭证后重报" in page.inner_text(".returned-notice")
    submit_last_month(page, live_server, "重新报送")
    context.close()
    decide(browser, live_server, "township", report, "approve")
    decide(browser, live_server, "county", report, "accept")
    report.refresh_from_db()
    assert report.status == "accepted"
    assert list(report.events.values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
        "accept",
        "return",
        "submit",
        "approve",
        "accept",
    ]
