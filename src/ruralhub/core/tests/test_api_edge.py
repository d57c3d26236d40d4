"""The API's edge, for every router alike: bodies that are not objects, nulls, unknown ids, refusals, dates."""

import pytest

from ruralhub.accounts.models import ApiToken, Organisation
from ruralhub.api import api
from ruralhub.programs.services import load_program
from ruralhub.testing import make_organisation

NOT_FOUND = {"detail": "未找到该对象，或它不在您的管辖范围内"}


@pytest.fixture
def bearer(county_office):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(county_office, '测试')[1]}"}


@pytest.fixture
def organisation(dazhe):
    return make_organisation(dazhe, name="大柘茶厂", address="大柘镇1号")


@pytest.mark.parametrize(("body", "kind"), [("42", "数字"), ("[null]", "数组"), ('"x"', "字符串"), ("null", "null")])
@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_body_that_is_not_an_object_is_a_422_naming_the_body(client, bearer, organisation, method, body, kind):
    url = "/api/organisations" if method == "post" else f"/api/organisations/{organisation.pk}"
    response = getattr(client, method)(url, body, content_type="application/json", **bearer)
    assert response.status_code == 422
    error = {"loc": ["body"], "msg": f"应为JSON对象，收到的是{kind}", "type": "json_object"}
    assert response.json() == {"detail": [error]}
    assert Organisation.objects.count() == 1


def test_a_list_item_that_is_not_an_object_is_named_by_its_position(client, bearer, county_office):
    response = client.post(
        "/api/network/stations/1/records", {"records": [None]}, content_type="application/json", **bearer
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "records", 0]


@pytest.mark.parametrize("field", ["address", "name", "division", "is_active", "kind"])
def test_null_for_a_field_is_a_422_naming_the_field_and_changes_nothing(client, bearer, organisation, field):
    response = client.patch(
        f"/api/organisations/{organisation.pk}", {field: None}, content_type="application/json", **bearer
    )
    assert response.status_code == 422
    error = {"loc": ["body", field], "msg": "不能为null；不修改的字段请省略", "type": "null"}
    assert response.json() == {"detail": [error]}
    organisation.refresh_from_db()
    assert (organisation.name, organisation.address) == ("大柘茶厂", "大柘镇1号")


def test_a_missing_required_field_is_named_in_chinese(client, bearer, dazhe):
    response = client.post(
        "/api/organisations", {"name": None, "kind": "enterprise"}, content_type="application/json", **bearer
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "name"], "msg": "应为文本", "type": "string_type"},
        {"loc": ["body", "credit_code"], "msg": "必填", "type": "missing"},
        {"loc": ["body", "division"], "msg": "必填", "type": "missing"},
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/api/organisations/abc",
        "/api/organisations/999999",
        "/api/organisations/1.5",
        "/api/network/stations/-1",
        "/api/network/reports/x/approve",
        "/api/nothing-here",
        "/api/organisations/",
        "/api",
    ],
)
def test_an_unknown_or_malformed_id_under_api_is_a_json_404(client, bearer, url):
    response = client.get(url, **bearer) if "approve" not in url else client.post(url, **bearer)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == NOT_FOUND


def test_an_object_outside_scope_is_the_same_json_404(client, township_officer, suichang):
    elsewhere = make_organisation(suichang.children.get(code="331123001"))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(township_officer, 't')[1]}"}
    response = client.get(f"/api/organisations/{elsewhere.pk}", **headers)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_in_scope_but_not_permitted_is_a_json_403_with_the_reason(client, finance_audit, organisation):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(finance_audit, 't')[1]}"}
    response = client.patch(
        f"/api/organisations/{organisation.pk}", {"name": "改名"}, content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有修改单位的权限"}
    organisation.refresh_from_db()
    assert organisation.name == "大柘茶厂"


@pytest.mark.parametrize("as_of", ["-5.8e-112", "0", "1700000000", "2024-W01-1", "20240101", "2024-13-01", "x"])
def test_a_query_date_that_is_not_yyyy_mm_dd_is_a_422_naming_the_parameter(client, bearer, as_of):
    program = load_program("331123")
    response = client.get(f"/api/programs/{program.pk}/progress", {"as_of": as_of}, **bearer)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["query", "as_of"], "msg": "日期应为YYYY-MM-DD格式", "type": "date_parsing"}]
    }


def test_a_good_query_date_answers(client, bearer):
    program = load_program("331123")
    assert client.get(f"/api/programs/{program.pk}/progress", {"as_of": "2024-06-30"}, **bearer).status_code == 200


def test_every_operation_documents_its_refusals_with_their_shapes():
    schema = api.get_openapi_schema(path_prefix="/api/")
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert len(operations) >= 15
    for operation in operations:
        responses = {str(status): body for status, body in operation["responses"].items()}
        for status in ("401", "403", "404", "422"):
            assert status in responses, (operation["operationId"], status)
        assert responses["422"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ValidationErrors"
        }
        assert responses["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Message"}
    shapes = schema["components"]["schemas"]
    assert shapes["ValidationErrors"]["properties"]["detail"]["items"]["required"] == ["loc", "msg", "type"]
    assert shapes["Message"]["required"] == ["detail"]


def test_the_served_openapi_document_has_the_refusals(client, db):
    document = client.get("/api/openapi.json").json()
    assert "422" in document["paths"]["/api/organisations/{pk}"]["patch"]["responses"]


def test_a_post_to_an_unknown_address_is_a_json_404_not_a_csrf_page(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).patch("/api/organisations/-5", {}, content_type="application/json")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_an_unknown_level_is_a_422_naming_the_parameter(client, bearer):
    response = client.get("/api/regions/divisions", {"level": "province"}, **bearer)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["query", "level"], "msg": "应为以下之一：'county', 'township' or 'village'", "type": "enum"}
    ]
    assert len(client.get("/api/regions/divisions", {"level": "township"}, **bearer).json()) == 20


@pytest.mark.parametrize(("field", "limit"), [("name", 200), ("address", 200), ("contact_name", 50)])
def test_over_long_text_is_a_422_on_every_database(client, bearer, organisation, field, limit):
    response = client.patch(
        f"/api/organisations/{organisation.pk}", {field: "长" * (limit + 1)}, content_type="application/json", **bearer
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", field],
            "msg": f"确保该变量包含不超过 {limit} 字符 (目前字符数 {limit + 1})。",
            "type": "value_error",
        }
    ]


def test_a_partial_update_is_documented_without_null():
    patch = api.get_openapi_schema(path_prefix="/api/")["components"]["schemas"]["OrganisationPatch"]
    assert patch["properties"]["address"] == {"title": "Address", "type": "string"}
    assert "required" not in patch
