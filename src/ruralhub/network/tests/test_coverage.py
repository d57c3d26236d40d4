from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruralhub.core.roles import Role
from ruralhub.network import services
from ruralhub.network.choices import ReviewDecisionKind, StationLevel, StationStatus
from ruralhub.network.models import ReviewDecision, Station, StationStatusChange
from ruralhub.programs.services import load_county, target_progress
from ruralhub.regions.models import Division
from ruralhub.testing import make_user


def _village_points(county, n, opened=date(2021, 3, 1)):
    """n operating village points in the first n 村委会 of the county, created in bulk like an import would."""
    villages = list(Division.objects.within(county).administrative_villages().order_by("code")[:n])
    stations = Station.objects.bulk_create(
        Station(
            code=f"{v.code}-1",
            name=f"{v.name}服务点",
            level=StationLevel.VILLAGE_POINT,
            division=v,
            host_type="supermarket",
            status=StationStatus.OPERATING,
            status_since=opened,
            opened_on=opened,
        )
        for v in villages
    )
    StationStatusChange.objects.bulk_create(
        StationStatusChange(station=s, status=StationStatus.OPERATING, effective_on=opened) for s in stations
    )
    Station.served_villages.through.objects.bulk_create(
        Station.served_villages.through(station_id=s.pk, division_id=s.division_id) for s in stations
    )
    return stations


@pytest.mark.django_db
def test_wengyuan_80_points_cover_51_3_percent_of_156_villages():
    # 翁源: 建设80个村级服务站点，覆盖率51%
    program = load_county("440229")
    _village_points("440229", 80)
    cov = services.coverage("440229", date(2021, 12, 31))
    assert (cov.covered, cov.villages, cov.village_pct) == (80, 156, Decimal("51.3"))
    row = next(r for r in target_progress(program) if r.target.key == "network.village_coverage_pct")
    assert row.reading.value == Decimal("51.3") and row.status == "met"  # target 51 %


@pytest.mark.django_db
def test_coverage_reads_the_status_history_for_any_date():
    wengyuan_office = make_user("wengyuan", Role.COUNTY_OFFICE, division=load_county("440229").county)
    stations = _village_points("440229", 10)
    services.change_status(wengyuan_office, stations[0], StationStatus.SUSPENDED, date(2022, 6, 1), "店主外出务工")
    assert services.coverage("440229", date(2021, 2, 1)).covered == 0  # before opening
    assert services.coverage("440229", date(2022, 5, 31)).covered == 10
    assert services.coverage("440229", date(2022, 6, 1)).covered == 9


@pytest.mark.django_db
def test_communities_are_counted_separately_from_administrative_villages():
    load_county("331123")
    community = Division.objects.get(code="331123105001")
    s = Station.objects.create(
        code="C1",
        name="社区点",
        level="village_point",
        division=community,
        host_type="other",
        status="operating",
        opened_on=date(2021, 1, 1),
    )
    StationStatusChange.objects.create(station=s, status="operating", effective_on=date(2021, 1, 1))
    s.served_villages.add(community)
    cov = services.coverage("331123", date(2022, 1, 1))
    assert cov.covered == 0 and cov.communities_covered == 1 and cov.villages == 201


@pytest.mark.django_db
def test_poverty_village_coverage_counts_flagged_villages_only():
    # 耿马: 贫困村覆盖率100%
    load_county("440229")
    villages = list(Division.objects.within("440229").administrative_villages().order_by("code")[:4])
    for v in villages:
        v.poverty_status = "provincial"
        v.save()
    _village_points("440229", 3)
    cov = services.coverage("440229", date(2022, 1, 1))
    assert (cov.poverty_covered, cov.poverty, cov.poverty_pct) == (3, 4, 75)


@pytest.mark.django_db
def test_suichangs_four_named_townships_are_measured_one_by_one():
    program = load_county("331123")
    dazhe = Division.objects.filter(parent_id="331123105").administrative_villages().count()
    villages = Division.objects.filter(parent_id="331123105").administrative_villages()
    stations = Station.objects.bulk_create(
        Station(
            code=v.code,
            name=v.name,
            level="village_point",
            division=v,
            host_type="other",
            status="operating",
            opened_on=date(2021, 1, 1),
        )
        for v in villages
    )
    for s in stations:
        StationStatusChange.objects.create(station=s, status="operating", effective_on=date(2021, 1, 1))
        s.served_villages.add(s.division)
    rows = [r for r in target_progress(program) if r.target.key == "network.village_coverage_pct"]
    by_township = {r.target.division.name: r for r in rows if r.target.division}
    assert by_township["大柘镇"].reading.value == 100 and by_township["大柘镇"].status == "met"
    assert by_township["石练镇"].reading.value == 0 and by_township["石练镇"].status == "not_met"
    county_row = next(r for r in rows if r.target.division is None)
    assert float(county_row.reading.value) == pytest.approx(100 * dazhe / 201, abs=0.05)


@pytest.mark.django_db
def test_gaps_name_the_nearest_operating_point_when_coordinates_exist():
    load_county("331123")
    stations = _village_points("331123", 3)
    stations[0].lat, stations[0].lng = 28.60, 119.27
    stations[0].save()
    cov = services.coverage("331123", date(2022, 1, 1))
    gaps = services.coverage_gaps(cov)
    assert len(gaps) == 201 - 3
    measured = [g for g in gaps if g.nearest is not None]
    assert measured and all(g.nearest == stations[0] and g.distance_km >= 0 for g in measured)
    assert all(g.estimated for g in measured if g.village.lat is None)


def _with_records(station, months_counts):
    from ruralhub.network.models import ServiceRecord

    ServiceRecord.objects.bulk_create(
        ServiceRecord(station=station, kind="payment", occurred_on=m, count=n, client_id=f"{station.pk}-{m}")
        for m, n in months_counts
    )


@pytest.mark.django_db
def test_a_station_short_three_months_running_is_a_candidate():
    load_county("440229")
    weak, busy = _village_points("440229", 2)
    _with_records(weak, [(date(2026, 8, 5), 40), (date(2026, 9, 5), 10), (date(2026, 10, 5), 5)])
    _with_records(busy, [(date(2026, 8, 5), 80), (date(2026, 9, 5), 90), (date(2026, 10, 5), 70)])
    rule = services.review_rule("440229")
    rule.require_accepted_report = False
    rule.save()
    assert [c.station for c in services.underperformers("440229", date(2026, 11, 24))] == []  # August was fine
    _with_records(weak, [(date(2026, 11, 5), 3)])
    candidates = services.underperformers("440229", date(2026, 12, 2))
    assert [c.station for c in candidates] == [weak]
    assert [m["services"] for m in candidates[0].months] == [10, 5, 3]


@pytest.mark.django_db
def test_closing_an_underperformer_records_the_decision_and_the_status(county_office):
    load_county("331123")
    weak, replacement = _village_points("331123", 2)
    decision = services.decide_review(
        county_office,
        weak,
        ReviewDecisionKind.CLOSE,
        "连续三个月未开展服务",
        replacement=replacement,
        today=date(2026, 11, 24),
    )
    weak.refresh_from_db()
    assert weak.status == StationStatus.CLOSED and weak.replaced_by == replacement
    assert decision.decision == "close" and ReviewDecision.objects.count() == 1


@pytest.mark.django_db
def test_rectify_needs_a_future_deadline_and_others_cannot_decide(county_office, township_officer):
    load_county("331123")
    (station,) = _village_points("331123", 1)
    with pytest.raises(ValidationError) as err:
        services.decide_review(
            county_office, station, "rectify", "整改", rectify_by=date(2026, 1, 1), today=date(2026, 11, 24)
        )
    assert "rectify_by" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.decide_review(township_officer, station, "keep", "保留")
    assert not ReviewDecision.objects.exists()


@pytest.mark.django_db
def test_suichangs_12_person_centre_team_is_read_from_the_county_centre(county_office):
    # 遂昌: 组建12人的专业团队负责县级公共服务中心运营
    program = load_county("331123")
    centre = services.save_station(
        county_office,
        {
            "name": "遂昌县电子商务公共服务中心",
            "level": "county_centre",
            "division": "331123",
            "host_type": "enterprise",
            "staff_count": 11,
            "status_since": date(2020, 6, 1),
        },
    )
    services.change_status(county_office, centre, StationStatus.OPERATING, date(2020, 9, 1))
    row = next(r for r in target_progress(program) if r.target.key == "network.county_center_staff")
    assert (row.reading.value, row.status) == (11, "not_met")


@pytest.mark.django_db
def test_the_review_page_costs_the_same_queries_for_one_or_four_candidates(client, django_assert_max_num_queries):
    from django.urls import reverse

    office = make_user("wy", Role.COUNTY_OFFICE, division=load_county("440229").county)
    stations = _village_points("440229", 4)
    client.force_login(office)
    for s in stations[1:]:
        _with_records(s, [(date(2026, 8, 5), 500), (date(2026, 9, 5), 500), (date(2026, 10, 5), 500)])
    rule = services.review_rule("440229")
    rule.require_accepted_report = False
    rule.save()
    with django_assert_max_num_queries(40) as one:
        response = client.get(reverse("network:review"), {"as_of": "2026-11-24"})
    assert len(response.context["candidates"]) == 1
    rule.require_accepted_report = True  # no accepted reports: now all four are candidates
    rule.save()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("network:review"), {"as_of": "2026-11-24"})
    assert len(response.context["candidates"]) == 4
