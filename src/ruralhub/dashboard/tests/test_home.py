"""The home page: each figure in the user's own scope, each aggregate computed once per change."""

import importlib
import re

from django.urls import reverse
from django.utils import timezone

from ruralhub.network import services
from ruralhub.regions.models import Division

HOME = reverse("home")
coverage_module = importlib.import_module("ruralhub.network.services.coverage")


def _kpi(page: str, label: str) -> str:
    """The number shown above ``label`` on a home card."""
    return re.search(rf"<b>([^<]*)</b><span>{label}", page).group(1)


def _cover_dazhe(make_station):
    villages = Division.objects.filter(parent_id="331123105").administrative_villages().order_by("code")
    return [make_station(v.code) for v in villages]


def test_a_township_officers_card_shows_its_townships_coverage(client, township_officer, county_office, make_station):
    _cover_dazhe(make_station)
    make_station("331123001201")  # 妙高街道: counted for the county only
    client.force_login(township_officer)
    page = client.get(HOME).content.decode()
    assert _kpi(page, "行政村覆盖率 12/12") == "100.0%"
    assert _kpi(page, "运营中站点") == "12"
    client.force_login(county_office)
    page = client.get(HOME).content.decode()
    assert _kpi(page, "行政村覆盖率 13/201") == "6.5%"
    assert _kpi(page, "运营中站点") == "13"


def test_an_operator_sees_its_stations_figures(client, station_operator, operator_station, make_station):
    make_station("331123105212")  # another station of the township: not on the operator's card
    services.record_services(station_operator, operator_station, [{"kind": "payment", "client_id": "a", "count": 3}])
    client.force_login(station_operator)
    page = client.get(HOME).content.decode()
    assert operator_station.name in page
    assert _kpi(page, "今日服务次数") == "3"
    assert "运营中站点" not in page  # the office card's county or township figures are not the operator's


def test_a_status_change_shows_on_the_next_home_page(client, county_office, make_station):
    stations = _cover_dazhe(make_station)
    client.force_login(county_office)
    assert _kpi(client.get(HOME).content.decode(), "运营中站点") == "12"
    services.change_status(county_office, stations[0], "suspended", timezone.localdate(), "负责人外出")
    page = client.get(HOME).content.decode()
    assert _kpi(page, "运营中站点") == "11"
    assert _kpi(page, "行政村覆盖率 11/201") == "5.5%"


def test_coverage_is_computed_once_for_the_home_page_and_not_again(
    client, county_office, make_station, monkeypatch, django_assert_max_num_queries
):
    _cover_dazhe(make_station)
    computed = []
    real = coverage_module._coverage
    monkeypatch.setattr(coverage_module, "_coverage", lambda *a: computed.append(a) or real(*a))
    client.force_login(county_office)
    client.get(HOME)  # the card and the program's targets (each at its own period end) share each figure
    assert len(computed) == len(set(computed)) and ("331123", timezone.localdate()) in computed
    first = len(computed)
    with django_assert_max_num_queries(14):
        client.get(HOME)
    assert len(computed) == first  # nothing recomputed until a station changes
