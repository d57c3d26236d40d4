from datetime import date

import pytest

from ruralhub.accounts.models import User
from ruralhub.demo import runner
from ruralhub.network import services
from ruralhub.network.choices import StationLevel
from ruralhub.network.models import MonthlyReport, ServiceRecord, Station


@pytest.mark.django_db
def test_the_suichang_demo_network_is_sized_from_the_plan():
    runner.build("331123", today=date(2026, 11, 24), months=4)
    assert Station.objects.filter(level=StationLevel.COUNTY_CENTRE).count() == 1
    assert Station.objects.filter(level=StationLevel.TOWNSHIP_STATION).count() == 20
    assert Station.objects.filter(level=StationLevel.VILLAGE_POINT).count() == 120
    assert Station.objects.filter(is_demonstration=True).count() == 12
    cov = services.coverage("331123", date(2022, 12, 31))
    # near, not exactly on, the plan's 60 %; the four named townships in full
    assert 60 < cov.village_pct < 66
    for name in ["湖山乡", "金竹镇", "大柘镇", "石练镇"]:
        row = next(t for t in cov.townships if t.township.name == name)
        assert row.covered == row.villages, name


@pytest.mark.django_db
def test_the_demo_station_operator_runs_a_station_with_records_and_reports():
    runner.build("331123", today=date(2026, 11, 24), months=4)
    operator = User.objects.get(username="station")
    (station,) = Station.objects.visible_to(operator)
    assert station.level == StationLevel.VILLAGE_POINT and station.host == operator.organisation
    assert ServiceRecord.objects.filter(station=station).exists()
    assert MonthlyReport.objects.filter(station=station).exists()
    assert services.underperformers("331123", date(2026, 11, 24))  # a handful fade out


@pytest.mark.django_db
def test_wengyuan_demo_covers_its_poverty_villages():
    runner.build("440229", today=date(2026, 11, 24), months=1)
    cov = services.coverage("440229", date(2026, 11, 1))
    assert cov.poverty == 51 and cov.poverty_covered >= 50
    assert 51 <= cov.village_pct < 58
