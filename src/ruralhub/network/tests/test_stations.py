from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ruralhub.network import services
from ruralhub.network.choices import StationLevel, StationStatus
from ruralhub.network.models import Station, StationStatusChange

VILLAGE = "331123105211"  # 大柘镇 永安村
OTHER_VILLAGE = "331123105212"


def test_a_village_point_serves_its_own_village_by_default(make_station):
    station = make_station(VILLAGE)
    assert list(station.served_villages.values_list("code", flat=True)) == [VILLAGE]
    assert station.status == StationStatus.OPERATING and station.opened_on == date(2021, 3, 1)


def test_a_village_point_in_a_township_is_refused(make_station):
    with pytest.raises(ValidationError) as err:
        make_station("331123105")
    assert err.value.message_dict["division"] == ["村级服务点必须设在村，“大柘镇”是乡镇级"]
    assert not Station.objects.exists()


def test_a_township_station_in_a_village_is_refused(make_station):
    with pytest.raises(ValidationError) as err:
        make_station(VILLAGE, level=StationLevel.TOWNSHIP_STATION)
    assert "乡镇服务站必须设在乡镇（街道）" in err.value.message_dict["division"][0]


def test_a_station_outside_the_program_county_is_refused(make_station):
    from ruralhub.regions.services import load_divisions

    load_divisions("440229")
    with pytest.raises(ValidationError) as err:
        make_station("440229100201")
    assert "不在开展示范项目的县内" in err.value.message_dict["division"][0]


def test_a_second_central_funded_point_in_a_village_names_the_first(make_station):
    # 宁强 annex: 每个行政村只能有一个中央资金支持的服务点 (−5)
    first = make_station(VILLAGE, is_central_funded=True, name="永安村电商服务点")
    with pytest.raises(ValidationError) as err:
        make_station(VILLAGE, is_central_funded=True, name="永安村第二服务点")
    assert err.value.message_dict["is_central_funded"] == [
        f"永安村委会已有中央资金支持的服务点“永安村电商服务点”（{first.code}），每个行政村只能有一个"
    ]
    assert Station.objects.count() == 1
    # a point without central funds in the same village is fine
    make_station(VILLAGE, name="永安村便民店")


def test_a_central_funded_point_serving_a_village_that_has_one_is_refused(make_station):
    make_station(VILLAGE, is_central_funded=True)
    with pytest.raises(ValidationError):
        make_station(OTHER_VILLAGE, is_central_funded=True, served=[OTHER_VILLAGE, VILLAGE])


def test_a_closed_central_funded_point_frees_the_village(make_station, county_office):
    first = make_station(VILLAGE, is_central_funded=True)
    services.change_status(county_office, first, StationStatus.CLOSED, date(2022, 1, 1), "停业")
    make_station(VILLAGE, is_central_funded=True)


def test_an_unknown_service_is_refused(make_station):
    with pytest.raises(ValidationError) as err:
        make_station(VILLAGE, services_offered=["purchase", "teleport"])
    assert err.value.message_dict["services"] == ["未知的服务项目“teleport”"]


def test_served_villages_must_be_villages_of_the_county(make_station):
    with pytest.raises(ValidationError) as err:
        make_station(VILLAGE, served=[VILLAGE, "331123105"])
    assert err.value.message_dict["served_villages"] == ["“331123105”不是村级区划"]


def test_status_moves_follow_the_life_cycle_and_keep_history(make_station, county_office):
    station = make_station(VILLAGE, status=StationStatus.PLANNED)
    with pytest.raises(ValidationError) as err:
        services.change_status(county_office, station, StationStatus.SUSPENDED, date(2021, 1, 1))
    assert "不能变更为“暂停”" in err.value.message_dict["status"][0]
    services.change_status(county_office, station, StationStatus.BUILDING, date(2021, 1, 1))
    services.change_status(county_office, station, StationStatus.OPERATING, date(2021, 4, 1))
    replacement = make_station(OTHER_VILLAGE)
    services.change_status(county_office, station, StationStatus.CLOSED, date(2022, 5, 1), "经营不善", replacement)
    history = list(StationStatusChange.objects.filter(station=station).values_list("status", flat=True))
    assert history == ["planned", "building", "operating", "closed"]
    station.refresh_from_db()
    assert station.replaced_by == replacement and station.opened_on == date(2021, 4, 1)


def test_a_township_officer_registers_points_only_in_the_township(make_station, township_officer):
    make_station(VILLAGE, actor=township_officer)
    with pytest.raises(ValidationError) as err:
        make_station("331123001009", actor=township_officer)  # 妙高街道
    assert "division" in err.value.message_dict


def test_a_station_operator_cannot_register_stations(make_station, station_operator):
    with pytest.raises(PermissionDenied, match="没有登记服务站点的权限"):
        make_station(VILLAGE, actor=station_operator)


def test_a_station_without_a_code_is_numbered_within_its_village(make_station):
    first = make_station(VILLAGE, code="")
    second = make_station(VILLAGE, code="")
    assert (first.code, second.code) == (f"{VILLAGE}-1", f"{VILLAGE}-2")


def test_a_central_funded_point_cannot_stand_in_a_village_another_one_serves(make_station):
    # A stands in 永安 and also serves 黄垵; a central-funded point in 黄垵 would make two there.
    make_station(VILLAGE, is_central_funded=True, served=[VILLAGE, OTHER_VILLAGE], name="永安服务点")
    with pytest.raises(ValidationError) as err:
        make_station(OTHER_VILLAGE, is_central_funded=True)
    assert err.value.message_dict["is_central_funded"][0].startswith("黄垵村委会已有中央资金支持的服务点“永安服务点”")


def test_a_township_officer_cannot_make_a_point_serve_another_townships_village(make_station, township_officer):
    with pytest.raises(ValidationError) as err:
        make_station(VILLAGE, served=[VILLAGE, "331123001201"], actor=township_officer)
    assert err.value.message_dict["served_villages"][0].endswith("不在您的管辖范围内")
    assert not Station.objects.exists()
