"""Browser: the county office opens a station operator's login and unlocks a user locked by wrong passwords."""

import pytest

from ruralhub.accounts.models import Organisation, User
from ruralhub.demo import runner

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "spring-rain-2026"


@pytest.fixture
def demo(transactional_db):
    runner.build("331123", only={"regions", "accounts", "programs"})


def _sign_in(page, url, username, password):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


@pytest.mark.parametrize(("size_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_county_office_opens_a_login_and_unlocks_a_locked_user(
    browser, live_server, demo, artifacts, size_name, viewport
):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    # the township officer types a wrong password five times and is locked out
    for _ in range(5):
        _sign_in(page, live_server.url, "township", "wrong-password")
    _sign_in(page, live_server.url, "township", runner.PASSWORD)
    assert "联系县电商办" in page.inner_text("main")

    _sign_in(page, live_server.url, "county", runner.PASSWORD)
    page.wait_for_selector("h1:has-text('您好')")
    if size_name == "phone":
        page.click("button.menu-toggle")
    page.click("nav >> text=用户")
    page.wait_for_selector("h1:has-text('用户')")
    assert "已锁定" in page.inner_text("main")
    page.screenshot(path=artifacts / f"users-{size_name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.click("main >> a:text-is('township')")
    page.wait_for_selector("button:has-text('解除锁定')")
    page.screenshot(path=artifacts / f"user-detail-{size_name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.click("button:has-text('解除锁定')")
    page.wait_for_selector("text=已解除township的登录锁定")

    # a login for a station operator in 大柘镇
    host = Organisation.objects.filter(kind="station_host", division__code__startswith="331123105").first()
    page.goto(f"{live_server.url}/users/new/")
    page.fill("#id_username", f"new-operator-{size_name}")
    page.fill("#id_full_name", "新站长")
    page.select_option("#id_role", "station_operator")
    page.select_option("#id_division", host.division_id)
    page.select_option("#id_organisation", str(host.pk))
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.screenshot(path=artifacts / f"user-new-{size_name}.png", full_page=True)
    page.click("button:has-text('开通')")
    page.wait_for_selector(f"text=已开通账号：new-operator-{size_name}")
    assert User.objects.get(username=f"new-operator-{size_name}").organisation == host

    # both can sign in now
    context.clear_cookies()
    _sign_in(page, live_server.url, "township", runner.PASSWORD)
    page.wait_for_selector("h1:has-text('您好')")
    context.clear_cookies()
    _sign_in(page, live_server.url, f"new-operator-{size_name}", NEW_PASSWORD)
    page.wait_for_selector("header .user")
    assert "新站长" in page.inner_text("header")
    context.close()
