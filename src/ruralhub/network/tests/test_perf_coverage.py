"""Coverage computed once per change and read in the user's own scope; the nearest-point index."""

import importlib
import random
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from ruralhub.network import services
from ruralhub.network.models import Station
from ruralhub.regions.models import Division

COVERAGE = reverse("network:coverage")
# The module (``services.coverage`` is also the function the package exports).
coverage_module = importlib.import_module("ruralhub.network.services.coverage")


def _village_kpi(response) -> str:
    return re.search(r'id="kpi-villages"><b>([^<]*)</b><span>[^<]*?(\d+/\d+)', response.content.decode()).groups()


def _cover_dazhe(make_station):
    villages = Division.objects.filter(parent_id="331123105").administrative_villages().order_by("code")
    return [make_station(v.code, name=f"{v.name}服务点") for v in villages]


def test_a_status_change_is_seen_on_the_very_next_request(client, county_office, make_station):
    stations = _cover_dazhe(make_station)
    client.force_login(county_office)
    assert _village_kpi(client.get(COVERAGE)) == ("6.0%", "12/201")
    services.change_status(county_office, stations[0], "suspended", timezone.localdate(), "负责人外出")
    assert _village_kpi(client.get(COVERAGE)) == ("5.5%", "11/201")
    assert client.get("/api/network/coverage").json()["covered"] == 11


def test_a_second_request_does_not_recompute(client, county_office, make_station, monkeypatch):
    _cover_dazhe(make_station)
    computed = []
    real = coverage_module._coverage
    monkeypatch.setattr(coverage_module, "_coverage", lambda *a: computed.append(a) or real(*a))
    client.force_login(county_office)
    client.get(COVERAGE)
    client.get(COVERAGE)
    client.get("/api/network/coverage")
    assert len(computed) == 1
    client.get(COVERAGE, {"on": "2020-01-01"})  # another date is another figure
    assert len(computed) == 2


def test_serving_another_village_is_a_change_too(client, county_office, make_station):
    station = make_station("331123105211")
    client.force_login(county_office)
    assert _village_kpi(client.get(COVERAGE))[1] == "1/201"
    services.save_station(county_office, {}, station, served_villages=["331123105211", "331123105212"])
    assert _village_kpi(client.get(COVERAGE))[1] == "2/201"


def test_a_township_officer_reads_its_townships_figures(client, township_officer, county_office, make_station):
    _cover_dazhe(make_station)
    make_station("331123001201")  # 妙高街道: the county's figure, not 大柘's
    client.force_login(township_officer)
    page = client.get(COVERAGE)
    assert _village_kpi(page) == ("100.0%", "12/12")
    assert "大柘镇 电商服务站点覆盖率" in page.content.decode()
    assert [t.township.code for t in page.context["rows"]] == ["331123105"]
    assert "全部行政村均已覆盖" in page.content.decode()
    client.force_login(county_office)
    assert _village_kpi(client.get(COVERAGE)) == ("6.5%", "13/201")


def test_an_operator_reads_its_villages_township_and_only_its_village_in_the_gaps(
    client, station_operator, county_office, operator_station, make_station
):
    services.change_status(county_office, operator_station, "suspended", timezone.localdate(), "外出")
    make_station("331123105212")
    client.force_login(station_operator)
    page = client.get(COVERAGE)
    assert _village_kpi(page) == ("8.3%", "1/12")
    assert [g.village.code for g in page.context["gaps"]] == [operator_station.division_id]


def test_an_empty_scope_does_not_read_all_covered(client, suichang):
    from ruralhub.core.roles import Role
    from ruralhub.testing import make_user

    street = Division.objects.create(code="331123099", name="无村街道", level="township", parent=suichang)
    Division.objects.create(code="331123099001", name="某社区", level="village", parent=street, kind="community")
    from ruralhub.programs.services import load_program

    load_program("331123")
    client.force_login(make_user("street", Role.TOWNSHIP_OFFICER, division=street))
    page = client.get(COVERAGE).content.decode()
    assert "全部行政村均已覆盖" not in page
    assert "您的管辖范围内没有行政村" in page


def test_the_grid_index_finds_the_same_nearest_point_as_comparing_all():
    rng = random.Random(18)
    points = []
    for pk in range(400):
        s = Station(pk=pk, name=str(pk), lat=28.2 + rng.random() * 0.9, lng=118.6 + rng.random() * 0.9)
        points.append(s)
    index = coverage_module.PointIndex(points)
    for _ in range(300):
        lat, lng = 27.9 + rng.random() * 1.5, 118.3 + rng.random() * 1.5
        best = min(points, key=lambda s: services.distance_km(lat, lng, s.lat, s.lng))
        found, km = index.nearest(lat, lng)
        assert found.pk == best.pk
        assert km == pytest.approx(services.distance_km(lat, lng, best.lat, best.lng))
    assert coverage_module.PointIndex([]).nearest(28.5, 119.0) == (None, None)


def test_gaps_on_a_date_before_any_station_list_every_village(county_office, make_station):
    make_station("331123105211", lat=28.5, lng=119.1)
    cov = services.coverage("331123", date(2020, 1, 1))
    gaps = services.coverage_gaps(cov)
    assert len(gaps) == 201 and all(g.nearest is None for g in gaps)


def test_a_poverty_flag_changed_by_the_county_is_on_the_coverage_page_at_once(client, county_office, make_station):
    from ruralhub.regions.services import set_poverty_status

    _cover_dazhe(make_station)
    client.force_login(county_office)
    before = client.get("/api/network/coverage").json()
    village = Division.objects.filter(parent_id="331123105").administrative_villages().order_by("code").first()
    set_poverty_status(county_office, village, "provincial")
    after = client.get("/api/network/coverage").json()
    assert (after["poverty"], after["poverty_covered"]) == (before["poverty"] + 1, before["poverty_covered"] + 1)
