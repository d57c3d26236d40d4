import pytest
from django.urls import reverse
from django.utils.html import escape

from ruralhub.accounts.models import ApiToken
from ruralhub.core.roles import Role
from ruralhub.programs.services import load_county, load_program
from ruralhub.regions.services import load_divisions
from ruralhub.testing import make_user


@pytest.fixture
def program(suichang):
    return load_program("331123")


def test_the_target_page_lists_every_target_with_its_citation(client, county_office, program):
    client.force_login(county_office)
    response = client.get(reverse("programs:targets", args=[program.pk]))
    page = response.content.decode()
    for target in program.targets.all():
        assert escape(target.citation) in page
    assert page.count("<tr data-key=") == program.targets.count()


def test_the_menu_entry_goes_straight_to_the_users_program(client, county_office, program):
    client.force_login(county_office)
    response = client.get(reverse("programs:current"))
    assert response.status_code == 302 and response["Location"] == reverse("programs:targets", args=[program.pk])


def test_a_township_officer_reads_the_county_program(client, township_officer, program):
    client.force_login(township_officer)
    assert client.get(reverse("programs:targets", args=[program.pk])).status_code == 200


def test_another_countys_staff_get_404(client, program, db):
    load_divisions("440229")
    wengyuan = make_user("wengyuan", Role.COUNTY_OFFICE, division=load_county("440229").county)
    client.force_login(wengyuan)
    assert client.get(reverse("programs:targets", args=[program.pk])).status_code == 404


def test_filtering_by_status_keeps_only_those_rows(client, county_office, program):
    client.force_login(county_office)
    response = client.get(reverse("programs:targets", args=[program.pk]), {"status": "met"})
    page = response.content.decode()
    assert page.count("<tr data-key=") == page.count('<span class="badge met">') > 0


def test_a_bad_date_falls_back_to_the_default_period(client, county_office, program):
    client.force_login(county_office)
    response = client.get(reverse("programs:targets", args=[program.pk]), {"as_of": "2022-13-45"})
    assert response.status_code == 200


def test_the_progress_api_gives_value_status_and_citation(client, county_office, program):
    _token, key = ApiToken.issue(county_office, "大屏")
    response = client.get(f"/api/programs/{program.pk}/progress", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    rows = {(r["key"], r["comparator"]): r for r in response.json()}
    assert rows[("regions.township_units", "=")]["status"] == "met"
    assert rows[("regions.township_units", "=")]["value"] == "20"
    assert all(r["citation"] for r in rows.values())
    assert client.get("/api/programs/999/progress", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 404
    assert (
        client.get(
            f"/api/programs/{program.pk}/progress?as_of=yesterday", HTTP_AUTHORIZATION=f"Bearer {key}"
        ).status_code
        == 422
    )
