"""Odd input from a client is a 4xx, never a 500 — the cases a review found, kept as tests."""

import pytest
from django.urls import reverse

from ruralhub.accounts.models import ApiToken


@pytest.mark.parametrize(
    "url",
    [
        "/regions/?township=%00",
        "/api/regions/divisions?within=%00",
        "/api/regions/divisions/%00",
        "/api/network/stations?township=%00&level=%00",
    ],
)
def test_nul_in_a_query_or_path_is_a_400(client, county_office, url):
    client.force_login(county_office)
    assert client.get(url).status_code == 400


def test_nul_in_a_json_body_is_a_422_on_any_database(client, county_office, dazhe):
    key = ApiToken.issue(county_office, "t")[1]
    body = {"name": "坏\x00名字", "kind": "enterprise", "credit_code": "91330100799655058B", "division": dazhe.code}
    response = client.post(
        "/api/organisations", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "name"], "msg": "不能包含NUL字符", "type": "nul"}]


@pytest.mark.parametrize("as_of", ["0001-01-15", "0001-03-01", "9999-12-31", "garbage"])
def test_extreme_dates_in_query_strings_are_clamped(client, county_office, as_of):
    from ruralhub.programs.services import load_program

    load_program("331123")
    client.force_login(county_office)
    assert client.get(reverse("network:review"), {"as_of": as_of}).status_code == 200
    assert client.get(reverse("network:coverage"), {"on": as_of}).status_code == 200
    program = load_program("331123")
    assert client.get(reverse("programs:targets", args=[program.pk]), {"as_of": as_of}).status_code == 200


def test_gengma_targets_far_in_the_future_answer(client, db):
    from ruralhub.core.roles import Role
    from ruralhub.programs.services import load_county
    from ruralhub.testing import make_user

    program = load_county("530926")
    office = make_user("gengma", Role.COUNTY_OFFICE, division=program.county)
    client.force_login(office)
    assert client.get(reverse("programs:targets", args=[program.pk]), {"as_of": "9999-12-31"}).status_code == 200
    key = ApiToken.issue(office, "t")[1]
    response = client.get(f"/api/programs/{program.pk}/progress?as_of=9999-12-31", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_a_review_rule_out_of_range_is_refused(client, county_office):
    from ruralhub.programs.services import load_program

    load_program("331123")
    client.force_login(county_office)
    response = client.post(
        reverse("network:review"),
        {"rule-months": "30000", "rule-min_services": "5", "rule-require_accepted_report": "on"},
    )
    assert response.status_code == 200 and "months" in response.context["rule_form"].errors
    assert client.get(reverse("network:review")).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"name": "茶\x00厂", "kind": "enterprise"},
        {"name\x00": "茶厂"},
        {"reason": "关闭" + "\x00" * 3},
    ],
)
def test_nul_in_a_posted_form_is_a_400_and_nothing_is_stored(client, county_office, dazhe, data):
    from ruralhub.accounts.models import Organisation

    client.force_login(county_office)
    response = client.post(reverse("accounts:organisation_create"), {**data, "division": dazhe.code})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert not Organisation.objects.exists()


def test_nul_in_a_multipart_form_field_is_a_400_but_a_file_may_hold_nul_bytes(client, county_office, dazhe):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(county_office)
    url = reverse("accounts:organisation_create")
    photo = SimpleUploadedFile("sign.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="image/png")
    assert client.post(url, {"name": "茶\x00厂", "file": photo}).status_code == 400
    photo.seek(0)
    response = client.post(url, {"name": "茶厂", "file": photo})
    assert response.status_code == 200  # the form answers (with its own errors); the file's bytes are not read
