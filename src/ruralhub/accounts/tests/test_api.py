import pytest

from ruralhub.accounts.models import ApiToken, Organisation
from ruralhub.testing import make_credit_code, make_organisation

URL = "/api/organisations"


def _bearer(user):
    _token, key = ApiToken.issue(user, "测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _payload(division, **overrides):
    data = {
        "name": "石练菊米专业合作社",
        "kind": "cooperative",
        "credit_code": make_credit_code("9"),
        "division": division,
    }
    data.update(overrides)
    return data


def test_a_token_creates_an_organisation(client, township_officer, dazhe_village):
    response = client.post(
        URL, _payload(dazhe_village.code), content_type="application/json", **_bearer(township_officer)
    )
    assert response.status_code == 201
    assert response.json()["division"] == dazhe_village.code


def test_a_bad_credit_code_is_a_422_naming_the_field(client, township_officer, dazhe_village):
    response = client.post(
        URL,
        _payload(dazhe_village.code, credit_code="123"),
        content_type="application/json",
        **_bearer(township_officer),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "credit_code"], "msg": "统一社会信用代码应为18位，实际为3位", "type": "value_error"}
    ]
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "x"},
        {"name": "x", "kind": "spaceship", "credit_code": "1", "division": "331123"},
        {"name": "x", "kind": "enterprise", "credit_code": "1", "division": "999999"},
        {"name": ["x"], "kind": "enterprise", "credit_code": None, "division": 5},
    ],
)
def test_malformed_bodies_are_4xx_never_5xx(client, county_office, body):
    response = client.post(URL, body, content_type="application/json", **_bearer(county_office))
    assert 400 <= response.status_code < 500


def test_garbage_json_is_4xx(client, county_office):
    response = client.post(URL, "{not json", content_type="application/json", **_bearer(county_office))
    assert 400 <= response.status_code < 500


def test_no_credentials_is_401(client, suichang):
    assert client.get(URL).status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer rh_wrong").status_code == 401


def test_out_of_scope_is_404_and_lists_leave_it_out(client, township_officer, suichang):
    elsewhere = make_organisation(suichang, name="县城某公司")
    headers = _bearer(township_officer)
    assert client.get(f"{URL}/{elsewhere.pk}", **headers).status_code == 404
    assert (
        client.patch(f"{URL}/{elsewhere.pk}", {"name": "改名"}, content_type="application/json", **headers).status_code
        == 404
    )
    assert client.get(URL, **headers).json() == []


def test_phones_are_masked_for_roles_that_do_not_need_them(client, township_officer, county_office, dazhe):
    organisation = make_organisation(dazhe, phone="13912345678")
    assert client.get(f"{URL}/{organisation.pk}", **_bearer(township_officer)).json()["phone"] == "139****5678"
    assert client.get(f"{URL}/{organisation.pk}", **_bearer(county_office)).json()["phone"] == "13912345678"


def test_patch_changes_only_the_given_fields(client, county_office, dazhe):
    organisation = make_organisation(dazhe, contact_name="旧联系人")
    response = client.patch(
        f"{URL}/{organisation.pk}",
        {"contact_name": "新联系人"},
        content_type="application/json",
        **_bearer(county_office),
    )
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.contact_name == "新联系人" and organisation.name.startswith("测试单位")


def test_the_token_key_is_not_stored(county_office):
    token, key = ApiToken.issue(county_office, "扫码枪")
    assert key not in (token.key_hash, token.prefix) and token.key_hash == ApiToken.hash_key(key)
