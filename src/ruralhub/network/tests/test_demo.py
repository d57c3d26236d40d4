import re
from datetime import date
from decimal import Decimal

import pytest

from ruralhub.accounts.models import User
from ruralhub.demo import runner
from ruralhub.network import services
from ruralhub.network.choices import STATUS_MOVES, ReportAction, StationLevel, StationStatus
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
    # Built through the services: a report holds exactly what the records give, to the cent.
    report = MonthlyReport.objects.filter(station__level=StationLevel.TOWNSHIP_STATION).exclude(purchase_amount=0)[0]
    assert report.figures == services.month_figures(report.station, report.month)
    assert report.purchase_amount == Decimal(report.figures["purchase"]["amount"])
    assert re.fullmatch(r"\d+\.\d\d", report.figures["purchase"]["amount"])
    assert services.draft_report(report.station, report.month).figures == report.figures
    assert list(report.events.values_list("action", flat=True))[0] == ReportAction.SUBMIT
    for s in Station.objects.exclude(level=StationLevel.COUNTY_CENTRE):
        history = list(s.status_changes.order_by("effective_on", "id").values_list("status", flat=True))
        assert s.status == history[-1]
        assert all(b in STATUS_MOVES[StationStatus(a)] for a, b in zip(history, history[1:], strict=False))


@pytest.mark.django_db
def test_wengyuan_demo_covers_its_poverty_villages():
    runner.build("440229", today=date(2026, 11, 24), months=1)
    cov = services.coverage("440229", date(2026, 11, 1))
    assert cov.poverty == 51 and cov.poverty_covered >= 50
    assert 51 <= cov.village_pct < 58
