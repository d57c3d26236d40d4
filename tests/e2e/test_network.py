"""The service network end to end, as the issue tells it: a station operator on a phone checks in,
records three services and submits last month; the township officer approves; the county office
sees coverage move and exports the directory."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ruralhub.demo import runner
from ruralhub.network.models import CheckIn, MonthlyReport, ServiceRecord, Station

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(transactional_db):
    runner.build("331123", months=2)


def login(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", runner.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    return context, page


def test_operator_township_and_county_work_the_network(browser, live_server, demo, artifacts):
    station = Station.objects.get(host__name__endswith="便民超市")
    # A month is submitted from its last day on: the operator sends last month's report.
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    records_before = ServiceRecord.objects.filter(station=station).count()

    # 1. the station operator, on a phone
    context, page = login(browser, live_server, "station", PHONE)
    page.click("button.menu-toggle")
    page.click("nav >> text=我的站点")
    page.click("#check-in")
    page.wait_for_selector("#checked-in")
    page.fill("form[data-kind=parcel_in] input[name=count]", "6")
    page.click("form[data-kind=parcel_in] button")
    page.wait_for_selector("text=已记录：代收包裹 ×6")
    page.fill("form[data-kind=purchase] input[name=amount]", "128.50")
    page.click("form[data-kind=purchase] button")
    page.wait_for_selector("text=已记录：代购 ×1")
    page.click("form[data-kind=payment] button")
    page.wait_for_selector("text=已记录：缴费充值 ×1")
    assert "代收包裹 ×6" in page.inner_text("#today")
    page.screenshot(path=artifacts / "network-operator-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click(f".submit-month[data-month='{month:%Y-%m}'] button")
    page.wait_for_selector("text=月报已报送")
    context.close()
    assert CheckIn.objects.filter(station=station, day=timezone.localdate()).exists()
    assert ServiceRecord.objects.filter(station=station).count() == records_before + 3
    report = MonthlyReport.objects.get(station=station, month=month)
    assert report.status == "submitted"

    # 2. the 大柘镇 township officer approves it
    context, page = login(browser, live_server, "township", DESKTOP)
    page.goto(f"{live_server.url}/network/reports/")
    page.click(f"tr[data-report='{report.pk}'] button[name=approve]")
    page.wait_for_selector("text=已审核通过")
    context.close()
    report.refresh_from_db()
    assert report.status == "approved"

    # 3. the county office brings a planned point into operation and sees coverage move
    planned = Station.objects.filter(level="village_point", status="suspended").first()
    assert planned is not None, "the demo suspends a few village points"
    context, page = login(browser, live_server, "county", DESKTOP)
    page.goto(f"{live_server.url}/network/coverage/")
    before = page.inner_text("#kpi-villages b")
    page.goto(f"{live_server.url}/network/{planned.pk}/")
    page.click("summary:has-text('变更状态')")
    page.select_option("#id_status", "operating")
    page.fill("#id_effective_on", date.today().isoformat())
    page.fill("#id_reason", "重新开业")
    page.click("form[action$='/status/'] button[type=submit]")
    page.wait_for_selector("text=状态已变更为“运营中”")
    page.goto(f"{live_server.url}/network/coverage/")
    after = page.inner_text("#kpi-villages b")
    page.screenshot(path=artifacts / "network-coverage-desktop.png", full_page=True)
    assert float(after.rstrip("%")) > float(before.rstrip("%"))

    page.goto(f"{live_server.url}/network/")
    with page.expect_download() as download:
        page.click("text=导出名录（Excel）")
    path = artifacts / "station-directory.xlsx"
    download.value.save_as(path)
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["网点编号", "网点名称", "层级"] and sheet.max_row == Station.objects.count() + 1
    context.close()
