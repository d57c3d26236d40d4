from datetime import date

import pytest

from ruralhub.accounts.models import ApiToken
from ruralhub.network.models import CheckIn, ServiceRecord


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, '手机')[1]}"}


def test_a_batch_is_idempotent_over_the_api(client, station_operator, operator_station):
    url = f"/api/network/stations/{operator_station.pk}/records"
    body = {"records": [{"kind": "parcel_in", "count": 4, "client_id": "p1"}, {"kind": "payment", "client_id": "p2"}]}
    headers = bearer(station_operator)
    first = client.post(url, body, content_type="application/json", **headers)
    again = client.post(url, body, content_type="application/json", **headers)
    assert first.status_code == 201 and first.json() == {"created": 2, "duplicates": 0}
    assert again.status_code == 200 and again.json() == {"created": 0, "duplicates": 2}
    assert ServiceRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"records": [{"kind": "teleport", "client_id": "x"}]}, "kind"),
        ({"records": [{"kind": "sale", "client_id": "x"}]}, "amount"),
        ({"records": [{"kind": "payment", "client_id": "x", "occurred_on": "2999-01-01"}]}, "occurred_on"),
        ({"records": [{"kind": "payment", "client_id": "x", "count": "many"}]}, "count"),
        ({"records": []}, "records"),
        ({}, "records"),
    ],
)
def test_bad_records_are_422_naming_the_field_and_store_nothing(
    client, station_operator, operator_station, body, field
):
    response = client.post(
        f"/api/network/stations/{operator_station.pk}/records",
        body,
        content_type="application/json",
        **bearer(station_operator),
    )
    assert response.status_code == 422
    assert any(field in d["loc"] for d in response.json()["detail"])
    assert not ServiceRecord.objects.exists()


def test_another_stations_operator_gets_404(client, station_operator, make_station):
    other = make_station("331123105212")
    response = client.post(
        f"/api/network/stations/{other.pk}/records",
        {"records": [{"kind": "payment", "client_id": "x"}]},
        content_type="application/json",
        **bearer(station_operator),
    )
    assert response.status_code == 404


def test_check_in_over_the_api_twice(client, station_operator, operator_station):
    url = f"/api/network/stations/{operator_station.pk}/check-ins"
    assert client.post(url, {}, content_type="application/json", **bearer(station_operator)).status_code == 201
    assert client.post(url, {}, content_type="application/json", **bearer(station_operator)).status_code == 200
    assert CheckIn.objects.count() == 1


def test_report_workflow_over_the_api(client, station_operator, township_officer, county_office, operator_station):
    submitted = client.post(
        f"/api/network/stations/{operator_station.pk}/reports/2026-10/submit", **bearer(station_operator)
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    rid = submitted.json()["id"]
    assert client.post(f"/api/network/reports/{rid}/accept", **bearer(county_office)).status_code == 422
    assert client.post(f"/api/network/reports/{rid}/approve", **bearer(township_officer)).json()["status"] == "approved"
    back = client.post(
        f"/api/network/reports/{rid}/return",
        {"reason": "数据有误"},
        content_type="application/json",
        **bearer(county_office),
    )
    assert back.json()["status"] == "returned"
    bad_month = client.post(
        f"/api/network/stations/{operator_station.pk}/reports/2026-13/submit", **bearer(station_operator)
    )
    assert bad_month.status_code == 422


def test_creating_a_second_central_funded_point_over_the_api_is_422(client, county_office, make_station):
    make_station("331123105211", is_central_funded=True)
    body = {
        "code": "API1",
        "name": "第二点",
        "level": "village_point",
        "division": "331123105211",
        "host_type": "supermarket",
        "is_central_funded": True,
        "services": ["express"],
    }
    response = client.post("/api/network/stations", body, content_type="application/json", **bearer(county_office))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "is_central_funded"]


def test_coverage_over_the_api(client, county_office, make_station):
    make_station("331123105211")
    response = client.get("/api/network/coverage?on=2022-12-31", **bearer(county_office))
    assert response.json()["covered"] == 1 and response.json()["villages"] == 201
    assert date.fromisoformat(response.json()["on"]) == date(2022, 12, 31)
