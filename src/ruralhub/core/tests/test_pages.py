import re

from django.test import Client
from django.urls import reverse

from ruralhub.programs.services import load_program


def test_every_stylesheet_and_script_the_layout_links_is_served(client, county_office):
    client.force_login(county_office)
    page = client.get(reverse("home")).content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {"/static/ruralhub/site.css", "/static/vendor/htmx/htmx.min.js"} <= set(assets)
    for asset in assets:
        response = Client().get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_the_county_office_home_shows_the_programs_progress_and_scope(client, county_office):
    program = load_program("331123")
    client.force_login(county_office)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert program.name in page
    summary = response.context["summary"]
    assert summary["met"] + summary["not_met"] + summary["no_data"] == program.targets.filter(baseline=False).count()
    assert response.context["village_count"] == 201 and response.context["township_count"] == 20


def test_the_township_officer_home_counts_only_the_township(client, township_officer, dazhe):
    load_program("331123")
    client.force_login(township_officer)
    response = client.get(reverse("home"))
    assert response.context["township_count"] == 1
    assert response.context["village_count"] == dazhe.children.filter(kind="village_committee").count()
    assert "遂昌县电子商务进农村综合示范项目" in response.content.decode()


def test_the_station_operator_home_shows_its_village(client, station_operator, dazhe_village):
    client.force_login(station_operator)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert dazhe_village.name in response.content.decode()


def test_chinese_is_the_default_whatever_the_browser_says(client, county_office):
    client.force_login(county_office)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "管辖范围" in page


def test_english_is_there_when_chosen(client, county_office):
    client.force_login(county_office)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "Target progress" in page and "目标进度" not in page


def test_the_admin_lists_open_for_the_county_office(client, county_office):
    client.force_login(county_office)
    for url in ["/admin/", "/admin/regions/division/", "/admin/accounts/organisation/", "/admin/network/station/"]:
        assert client.get(url).status_code == 200, url


def test_the_health_check_answers_ok_without_signing_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response.headers["Cache-Control"]
