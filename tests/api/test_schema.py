"""Schemathesis against our OpenAPI: every operation, valid and invalid input, never a server error.

Each case is sent as the county office or as the station's operator (or with whatever credentials
schemathesis made up), and ids in the path are the cast's own objects half of the time, so the
operations run past authentication and the 404 into the services.
"""

from datetime import date

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import DataGenerationMethod
from schemathesis.checks import not_a_server_error

from ruralhub.accounts.models import ApiToken
from ruralhub.core.scoping import SYSTEM
from ruralhub.network import services
from ruralhub.network.choices import Service, StationStatus
from ruralhub.programs.services import load_program

# ninja writes OpenAPI 3.1; schemathesis 3 reads it with its 3.0 rules, which our document keeps to.
schema = schemathesis.from_wsgi(
    "/api/openapi.json",
    WSGIHandler(),
    force_schema_version="30",
    data_generation_methods=DataGenerationMethod.all(),
)


@pytest.fixture
def cast(county_office, station_operator, station_host, dazhe_village):
    """What the path ids point at: a program, the operator's organisation and station, a month reported."""
    program = load_program("331123")
    place = {"level": "village_point", "division": dazhe_village.code, "status_since": date(2024, 1, 1)}
    station = services.save_station(
        SYSTEM,
        {"name": "永安村服务点", "host_type": "convenience_store", "host": station_host, **place},
        services=[Service.PURCHASE, Service.EXPRESS],
    )
    services.change_status(SYSTEM, station, StationStatus.OPERATING, date(2024, 1, 1), "开业")
    rows = [{"kind": "parcel_in", "client_id": f"c{n}", "occurred_on": date(2024, 3, n + 1)} for n in range(5)]
    services.record_services(SYSTEM, station, rows)
    report = services.submit_report(SYSTEM, station, date(2024, 3, 1))
    return {
        "pk": {"organisations": station_host.pk, "programs": program.pk, "stations": station.pk, "reports": report.pk},
        "code": dazhe_village.code,
        "month": "2024-04",
        "tokens": {u.username: f"Bearer {ApiToken.issue(u, 't')[1]}" for u in (county_office, station_operator)},
    }


@pytest.fixture
def one_transaction():
    """Django's WSGI handler closes the connection after each request; the test's transaction must survive it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _with_real_ids(case, cast) -> None:
    parameters = case.path_parameters or {}
    collection = next((part for part in reversed(case.path.split("/")) if part in cast["pk"]), None)
    if "pk" in parameters and collection:
        parameters["pk"] = cast["pk"][collection]
    for name in ("code", "month"):
        if name in parameters:
            parameters[name] = cast[name]


@schema.parametrize()
@schema.given(real_ids=st.booleans(), user=st.sampled_from(["county", "station", None]))
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_reaches_a_server_error(case, real_ids, user, cast, one_transaction):
    if real_ids:
        _with_real_ids(case, cast)
    if user:
        case.headers = {**(case.headers or {}), "Authorization": cast["tokens"][user]}
    response = case.call_wsgi()
    case.validate_response(response, checks=(not_a_server_error,))
