"""Station rules that live only in the services: linked objects in scope, codes, one status truth, audit."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ruralhub.core.scoping import SYSTEM
from ruralhub.core.validators import REASON_MAX_LENGTH
from ruralhub.network import services
from ruralhub.network.choices import StationStatus
from ruralhub.network.models import ReviewDecision, ServiceRecord, Station, StationStatusChange
from ruralhub.regions.models import Division
from ruralhub.testing import MIAOGAO, make_organisation

YONGAN, HUANGAN = "331123105211", "331123105212"  # 大柘镇
DONGHONG = "331123001200"  # 妙高街道


def station_data(division, **fields):
    return {"name": "测试服务点", "level": "village_point", "division": division, "host_type": "other", **fields}


# ---------------------------------------------------------------- linked objects in scope


def test_a_host_outside_the_actors_scope_is_refused(township_officer, program):
    elsewhere = make_organisation(Division.objects.get(code=MIAOGAO), kind="station_host")
    with pytest.raises(ValidationError) as err:
        services.save_station(township_officer, station_data(YONGAN, host=elsewhere.pk))
    assert err.value.message_dict == {"host": ["所选承办单位不存在或不在您的管辖范围内"]}
    assert not Station.objects.exists()


def test_the_api_answers_an_out_of_scope_host_like_a_missing_one(client, township_officer, program):
    from ruralhub.accounts.models import ApiToken

    elsewhere = make_organisation(Division.objects.get(code=MIAOGAO), kind="station_host")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(township_officer, 't')[1]}"}
    answers = [
        client.post(
            "/api/network/stations",
            {**station_data(YONGAN, host=host), "code": "", "host_type": "other"},
            content_type="application/json",
            **headers,
        )
        for host in (elsewhere.pk, 10**9)
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    assert not Station.objects.exists()


def test_a_replacement_must_be_a_visible_open_station_other_than_itself(make_station, township_officer, county_office):
    station = make_station(YONGAN)
    closed = make_station(HUANGAN, status=StationStatus.CLOSED)
    other_township = make_station(DONGHONG)
    today = timezone.localdate()
    cases = [
        (township_officer, other_township, "所选站点不存在或不在您的管辖范围内"),
        (county_office, closed, f"“{closed.name}”已关闭，不能接替"),
        (county_office, station, "接替站点不能是本站点"),
    ]
    for actor, replacement, message in cases:
        with pytest.raises(ValidationError) as err:
            services.change_status(actor, station, StationStatus.CLOSED, today, "撤并", replacement=replacement)
        assert err.value.message_dict == {"replaced_by": [message]}
        if actor == county_office:  # decisions are the county office's
            with pytest.raises(ValidationError) as err:
                services.decide_review(actor, station, "close", "撤并", replacement=replacement)
            assert err.value.message_dict == {"replacement": [message]}
    assert Station.objects.get(pk=station.pk).status == StationStatus.OPERATING
    assert not ReviewDecision.objects.exists()


def test_a_review_decision_by_a_township_officer_is_403(make_station, township_officer):
    with pytest.raises(PermissionDenied, match="只有县电商办可以作出站点考核决定"):
        services.decide_review(township_officer, make_station(YONGAN), "keep", "保留")


def test_a_role_that_sees_but_may_not_change_a_station_is_refused_with_403(make_station, finance_audit):
    station = make_station(YONGAN)
    with pytest.raises(PermissionDenied):
        services.change_status(finance_audit, station, StationStatus.SUSPENDED, timezone.localdate(), "测试")
    assert StationStatusChange.objects.filter(station=station).count() == 2


# ---------------------------------------------------------------- codes


def test_a_generated_code_lies_inside_the_actors_division(township_officer, program):
    station = services.save_station(township_officer, station_data(YONGAN))
    assert station.code == f"{YONGAN}-1" and station.code.startswith(township_officer.division_id)


def test_an_explicit_division_code_outside_the_actors_division_is_refused(county_office, township_officer, program):
    with pytest.raises(ValidationError) as err:
        services.save_station(county_office, station_data(YONGAN, code="440229001-1"))  # 翁源's prefix
    assert err.value.message_dict == {"code": ["以区划代码开头的站点编号须在您的辖区（331123）内"]}
    with pytest.raises(ValidationError):
        services.save_station(township_officer, station_data(YONGAN, code="331123001200-9"))  # 妙高街道
    assert not Station.objects.exists()


def test_a_code_clash_reads_the_same_whether_the_other_station_is_visible_or_not(make_station, township_officer):
    visible, hidden = make_station(HUANGAN), make_station(DONGHONG)
    messages = []
    for other in (visible, hidden):
        with pytest.raises(ValidationError) as err:
            services.save_station(township_officer, station_data(YONGAN, code=other.code))
        messages.append(err.value.message_dict)
    assert messages == [{"code": ["站点编号已被使用"]}] * 2


# ---------------------------------------------------------------- one status truth


def test_a_future_dated_change_is_refused_and_check_ins_and_records_still_agree(
    station_operator, operator_station, county_office
):
    with pytest.raises(ValidationError) as err:
        services.change_status(county_office, operator_station, StationStatus.SUSPENDED, date(2099, 12, 31), "外出")
    assert err.value.message_dict["effective_on"][0].startswith("生效日期不能晚于今天")
    operator_station.refresh_from_db()
    assert operator_station.status == StationStatus.OPERATING
    _check, created = services.check_in(station_operator, operator_station)
    recorded = services.record_services(station_operator, operator_station, [{"kind": "payment", "client_id": "a"}])
    assert created and recorded.created == 1


def test_after_a_suspension_today_check_ins_and_records_are_both_refused(
    station_operator, operator_station, county_office
):
    services.change_status(county_office, operator_station, StationStatus.SUSPENDED, timezone.localdate(), "外出")
    with pytest.raises(ValidationError, match="不在运营中"):
        services.check_in(station_operator, operator_station)
    with pytest.raises(ValidationError, match="不在运营中"):
        services.record_services(station_operator, operator_station, [{"kind": "payment", "client_id": "a"}])
    assert not ServiceRecord.objects.exists()


def test_a_change_dated_before_the_last_one_is_refused(operator_station, county_office):
    with pytest.raises(ValidationError) as err:
        services.change_status(county_office, operator_station, StationStatus.SUSPENDED, date(2021, 1, 1), "补记")
    assert err.value.message_dict == {"effective_on": ["生效日期不能早于上一次状态变更的日期 2021-03-01"]}


def test_a_status_reason_too_long_or_with_nul_names_the_field(operator_station, county_office):
    today = timezone.localdate()
    for reason in ("长" * (REASON_MAX_LENGTH + 1), "外\x00出"):
        with pytest.raises(ValidationError) as err:
            services.change_status(county_office, operator_station, StationStatus.CLOSED, today, reason)
        assert list(err.value.message_dict) == ["reason"]
    assert Station.objects.get(pk=operator_station.pk).status == StationStatus.OPERATING


def test_editing_a_station_never_writes_its_status(operator_station, county_office):
    stale = Station.objects.get(pk=operator_station.pk)
    services.change_status(county_office, operator_station, StationStatus.SUSPENDED, timezone.localdate(), "外出")
    services.save_station(county_office, {"name": "新名字"}, stale)  # a form opened before the suspension
    assert Station.objects.get(pk=operator_station.pk).status == StationStatus.SUSPENDED


# ---------------------------------------------------------------- audit


def test_the_station_history_says_who_when_and_why(operator_station, county_office):
    services.change_status(county_office, operator_station, StationStatus.SUSPENDED, timezone.localdate(), "负责人外出")
    latest = operator_station.history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        StationStatus.SUSPENDED,
        county_office,
        "负责人外出",
    )
    services.change_status(SYSTEM, operator_station, StationStatus.OPERATING, timezone.localdate(), "名录导入")
    latest = operator_station.history.first()
    assert (latest.history_user, latest.history_change_reason) == (None, "名录导入")


def test_a_review_decision_to_close_is_in_the_station_history(make_station, county_office):
    station = make_station(YONGAN)
    services.decide_review(county_office, station, "close", "连续三个月无服务", today=timezone.localdate())
    latest = station.history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        StationStatus.CLOSED,
        county_office,
        "连续三个月无服务",
    )


def test_registration_and_edits_are_in_the_history(county_office, program):
    station = services.save_station(county_office, station_data(YONGAN))
    services.save_station(county_office, {"name": "改名"}, station)
    reasons = list(station.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons == ["登记", "修改站点资料"]
    assert timezone.localdate() - station.history.first().history_date.date() <= timedelta(days=1)
