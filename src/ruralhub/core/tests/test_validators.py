"""One rule, one message, every way in: the field validators of core/validators.py.

A value is refused by the form, the API, the directory import and the admin alike, with the same words,
and the field (or column) is named by each of them in its own way.
"""

import contextlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from ruralhub.accounts.models import ApiToken, Organisation, User
from ruralhub.core.scoping import SYSTEM
from ruralhub.core.validators import (
    coordinate_warning,
    validate_latitude,
    validate_longitude,
    validate_no_nul,
    validate_not_future,
    validate_phone,
)
from ruralhub.network import services
from ruralhub.network.models import ReviewRule, ServiceRecord, Station
from ruralhub.programs.services import load_program
from ruralhub.regions.models import Division
from ruralhub.testing import make_credit_code

PHONE_ABC = "电话号码“abc”格式不正确：应为11位手机号（如13912345678）或带区号的固定电话（如0578-8123456）"
LAT_999 = "纬度999不在中国境内（应在3.5至53.6之间）"
LNG_MINUS_999 = "经度-999不在中国境内（应在73.5至135.1之间）"
YONGAN = "331123105211"  # 大柘镇 永安村委会


def messages(exc: ValidationError) -> dict:
    return exc.value.message_dict


# ---------------------------------------------------------------- the rules one by one


@pytest.mark.parametrize(
    "phone", ["13912345678", "19900001111", "0578-8123456", "05788123456", "010-12345678", "01012345678"]
)
def test_a_mobile_or_a_landline_with_its_area_code_is_a_phone(phone):
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone",
    ["abc", "12345678901", "1391234567", "139123456789", "8123456", "0578 8123456", "+8613912345678", "1391234567\x00"],
)
def test_anything_else_is_refused_naming_the_value(phone):
    with pytest.raises(ValidationError) as exc:
        validate_phone(phone)
    assert exc.value.messages[0].startswith("电话号码“")


@pytest.mark.parametrize(("lat", "lng"), [("3.5", "73.5"), ("53.6", "135.1"), ("28.59", "119.27")])
def test_coordinates_inside_china_are_accepted(lat, lng):
    validate_latitude(Decimal(lat))
    validate_longitude(Decimal(lng))


def test_coordinates_outside_china_are_refused_with_the_range():
    with pytest.raises(ValidationError) as exc:
        validate_latitude(Decimal("999.000000"))
    assert exc.value.messages == [LAT_999]
    with pytest.raises(ValidationError) as exc:
        validate_longitude(Decimal("-999"))
    assert exc.value.messages == [LNG_MINUS_999]
    for lat in ("3.49", "53.61", "-28.5"):
        with pytest.raises(ValidationError):
            validate_latitude(Decimal(lat))


@given(st.one_of(st.text(), st.decimals(), st.floats(), st.integers()))
def test_the_validators_refuse_anything_with_a_validation_error_never_a_crash(value):
    for validator in (validate_phone, validate_latitude, validate_longitude, validate_no_nul):
        with contextlib.suppress(ValidationError):
            validator(value)


def test_a_fact_cannot_be_dated_after_today_in_beijing():
    today = timezone.localdate()
    validate_not_future(today)
    with pytest.raises(ValidationError) as exc:
        validate_not_future(today + timedelta(days=1))
    assert exc.value.messages == [f"日期{today + timedelta(days=1)}晚于今天（{today}）"]


def test_nul_is_refused_by_full_clean_on_every_database(dazhe):
    organisation = Organisation(
        name="茶\x00厂", kind="enterprise", credit_code=make_credit_code(), division=dazhe, address="x\x00"
    )
    with pytest.raises(ValidationError) as exc:
        organisation.full_clean()
    assert messages(exc) == {"name": ["不能包含NUL字符"], "address": ["不能包含NUL字符"]}


# ---------------------------------------------------------------- the same message every way in


def test_a_bad_phone_is_refused_alike_by_the_form_the_api_the_import_and_the_admin(
    client, admin_client, county_office, dazhe
):
    client.force_login(county_office)
    form_data = {"name": "茶厂", "kind": "enterprise", "credit_code": make_credit_code(), "division": dazhe.code}

    # the form
    response = client.post(reverse("accounts:organisation_create"), {**form_data, "phone": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [PHONE_ABC]

    # the API
    key = ApiToken.issue(county_office, "t")[1]
    response = client.post(
        "/api/organisations", {**form_data, "phone": "abc"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "phone"], "msg": PHONE_ABC, "type": "value_error"}]
    assert not Organisation.objects.filter(name="茶厂").exists()

    # the directory import (stations: 电话)
    from ruralhub.network.tests.test_directory import IMPORT, row, xlsx

    load_program("331123")
    sheet = xlsx([row(网点名称="永安村服务点", 层级="村级服务点", 所在乡镇="大柘镇", 所在行政村="永安村", 电话="abc")])
    response = client.post(IMPORT, {"file": sheet})
    assert [str(e) for e in response.context["errors"]] == [f"第2行 电话：{PHONE_ABC}"]
    assert not Station.objects.exists()

    # the admin (users: 手机号)
    user = User.objects.get(username="county")
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {"full_name": "县电商办", "role": user.role, "division": user.division_id, "phone": "abc", "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["phone"] == [PHONE_ABC]
    user.refresh_from_db()
    assert user.phone == "13912345678"


@pytest.fixture
def station_data(county_office):
    load_program("331123")
    return {"name": "永安村服务点", "level": "village_point", "division": YONGAN, "host_type": "convenience_store"}


def test_coordinates_outside_china_are_refused_alike_by_the_station_form_and_the_api(
    client, county_office, station_data
):
    client.force_login(county_office)
    response = client.post(reverse("network:station_create"), {**station_data, "lat": "999", "lng": "-999"})
    assert response.status_code == 200
    assert response.context["form"].errors["lat"] == [LAT_999]
    assert response.context["form"].errors["lng"] == [LNG_MINUS_999]

    key = ApiToken.issue(county_office, "t")[1]
    response = client.post(
        "/api/network/stations", {**station_data, "code": "YA-1", "lat": 999, "lng": -999},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}",
    )  # fmt: skip
    assert response.status_code == 422
    assert {(tuple(d["loc"]), d["msg"]) for d in response.json()["detail"]} == {
        (("body", "lat"), LAT_999),
        (("body", "lng"), LNG_MINUS_999),
    }
    assert not Station.objects.exists()


def test_a_station_cannot_have_opened_after_today(station_data):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.save_station(SYSTEM, {**station_data, "opened_on": tomorrow})
    assert messages(exc)["opened_on"] == [f"日期{tomorrow}晚于今天（{timezone.localdate()}）"]
    assert not Station.objects.exists()


def test_counts_and_amounts_are_bounded(station_data):
    with pytest.raises(ValidationError) as exc:
        services.save_station(SYSTEM, {**station_data, "staff_count": 5000})
    assert messages(exc)["staff_count"] == ["确保该值小于或等于1000。"]
    station = services.save_station(SYSTEM, station_data)
    record = ServiceRecord(
        station=station, kind="purchase", occurred_on=date(2024, 1, 1), client_id="c1",
        count=10001, amount=Decimal("10000000.01"), villagers=100001,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        record.full_clean()
    assert set(messages(exc)) == {"count", "amount", "villagers"}


def test_the_countys_caps_on_one_tap_are_set_on_the_review_page_within_bounds(client, county_office):
    load_program("331123")
    client.force_login(county_office)
    rule = {"rule-months": "3", "rule-min_services": "30", "rule-require_accepted_report": "on"}
    limits = {"rule-flag_count": "50", "rule-flag_amount": "3000", "rule-max_amount": "100000"}
    response = client.post(reverse("network:review"), {**rule, **limits, "rule-max_count": "20000"})
    assert response.context["rule_form"].errors["max_count"] == ["确保该值小于或等于10000。"]
    response = client.post(reverse("network:review"), {**rule, **limits, "rule-max_count": "500"})
    assert response.status_code in (200, 302)
    saved = ReviewRule.objects.get(county_id="331123")
    assert (saved.max_count, saved.flag_count, saved.max_amount) == (500, 50, Decimal("100000"))


def test_a_reason_of_250_characters_is_kept_whole_when_a_station_is_closed(station_data, county_office):
    station = services.save_station(SYSTEM, station_data)
    reason = "长" * 250
    services.change_status(county_office, station, "closed", timezone.localdate(), reason)
    assert station.status_changes.order_by("-id").first().reason == reason
    assert station.history.latest().history_change_reason == reason  # PostgreSQL: was a 500 past 100 characters


# ---------------------------------------------------------------- the county's box (a warning, not an error)


def test_a_point_outside_the_county_is_warned_about(suichang):
    assert coordinate_warning(YONGAN, Decimal("28.55"), Decimal("119.10")) is None
    warning = coordinate_warning(YONGAN, Decimal("39.90"), Decimal("116.40"))  # Beijing
    assert warning.startswith("坐标（纬度39.9，经度116.4）不在遂昌县范围内（纬度")
    assert warning.endswith("请核对")


def test_no_warning_without_a_point_or_without_county_coordinates(suichang):
    assert coordinate_warning(YONGAN, None, Decimal("119.10")) is None
    assert coordinate_warning("", Decimal("28.55"), Decimal("119.10")) is None
    Division.objects.within("331123").update(lat=None, lng=None)
    assert coordinate_warning(YONGAN, Decimal("39.90"), Decimal("116.40")) is None
