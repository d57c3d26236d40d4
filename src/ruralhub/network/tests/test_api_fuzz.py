"""Whatever a client sends, the API answers 4xx, never 5xx, and a rejected batch stores nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruralhub.accounts.models import ApiToken
from ruralhub.network.models import ServiceRecord

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=80),
    st.sampled_from(["parcel_in", "sale", "2026-02-30", "1e400", "NaN", "Infinity", "-1", "０", "¥12"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
record = st.fixed_dictionaries(
    {},
    optional={k: values for k in ["kind", "client_id", "count", "amount", "occurred_on", "villagers", "note"]},
)
bodies = st.one_of(values, st.fixed_dictionaries({"records": st.lists(record, max_size=4)}))


@pytest.fixture
def token(station_operator):
    return ApiToken.issue(station_operator, "fuzz")[1]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_record_batches_never_crash(client, operator_station, token, body):
    before = ServiceRecord.objects.count()
    response = client.post(
        f"/api/network/stations/{operator_station.pk}/records",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert ServiceRecord.objects.count() == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=values, month=st.text(max_size=12))
def test_station_creation_and_report_submission_never_crash(client, operator_station, county_office, body, month):
    key = ApiToken.issue(county_office, "fuzz")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.post("/api/network/stations", body, content_type="application/json", **headers).status_code < 500
    url = f"/api/network/stations/{operator_station.pk}/reports/{month}/submit"
    if "/" not in month and "?" not in month and "#" not in month and month.strip():
        assert client.post(url, **headers).status_code < 500
