"""Site-wide pages: Chinese error pages in the site layout with a way back, and API docs that work offline."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse

from ruralhub import urls as site_urls


def refuse(request):
    raise PermissionDenied("您没有审核月报的权限")


def refuse_silently(request):
    raise PermissionDenied


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test/refuse/", refuse),
    path("test/refuse-silently/", refuse_silently),
    path("test/crash/", crash),
    *site_urls.urlpatterns,
]


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = __name__


def _in_layout(page: str) -> None:
    assert 'class="topbar"' in page and f'href="{reverse("home")}"' in page and "返回首页" in page


def test_an_unknown_page_is_a_chinese_404_with_a_way_home(client, county_office):
    client.force_login(county_office)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in page and "Not Found" not in page
    _in_layout(page)


def test_a_refusal_is_a_chinese_403_that_gives_the_reason(client, county_office, error_urls):
    client.force_login(county_office)
    response = client.get("/test/refuse/")
    page = response.content.decode()
    assert response.status_code == 403 and "没有权限" in page and "您没有审核月报的权限" in page
    _in_layout(page)
    plain = client.get("/test/refuse-silently/").content.decode()
    assert "您的角色不能进行此项操作。" in plain


def test_a_server_error_is_a_chinese_500_with_a_way_home(county_office, error_urls):
    client = Client(raise_request_exception=False)
    client.force_login(county_office)
    response = client.get("/test/crash/")
    page = response.content.decode()
    assert response.status_code == 500 and "服务器出错" in page and "boom" not in page
    _in_layout(page)


def test_the_api_docs_page_uses_only_the_sites_own_files(client, county_office):
    response = client.get("/api/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "/static/vendor/swagger-ui/swagger-ui.css" in page
    assert re.findall(r"(?:src|href)=\"(?:https?:)?//", page) == []
    assert "cdn" not in page.lower() and '"validatorUrl": null' in page
    assert '"url": "/api/openapi.json"' in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200
