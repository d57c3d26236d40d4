import pytest

from ruralhub.demo import runner
from ruralhub.programs.models import Program

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(transactional_db):
    runner.build("331123", only={"regions", "accounts", "programs"})
    return Program.objects.get(county_id="331123")


@pytest.mark.parametrize(("size_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_county_office_logs_in_and_reads_the_target_progress(
    browser, live_server, demo, artifacts, size_name, viewport
):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "county")
    page.fill("#id_password", runner.PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_selector("h1:has-text('您好')")
    assert "遂昌县电子商务进农村综合示范项目" in page.inner_text("main")
    page.screenshot(path=artifacts / f"home-{size_name}.png", full_page=True)
    # nothing on the page is wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    if size_name == "phone":
        page.click("button.menu-toggle")
    page.click("nav >> text=目标进度")
    page.wait_for_selector("table.targets")
    rows = page.locator("table.targets tbody tr")
    assert rows.count() == demo.targets.count()
    township_row = page.locator("tr[data-key='regions.township_units']").first
    assert "已达标" in township_row.inner_text()
    page.screenshot(path=artifacts / f"targets-{size_name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    context.close()
