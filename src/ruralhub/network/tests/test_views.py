from datetime import date

import pytest
from django.urls import reverse

from ruralhub.network.models import CheckIn, MonthlyReport, ServiceRecord, Station

LIST = reverse("network:station_list")


def test_the_station_list_costs_the_same_queries_for_3_or_30_stations(
    client, county_office, make_station, django_assert_max_num_queries
):
    from ruralhub.regions.models import Division

    villages = list(Division.objects.filter(parent_id="331123105").administrative_villages()[:3])
    for v in villages:
        make_station(v.code)
    client.force_login(county_office)
    with django_assert_max_num_queries(12) as small:
        client.get(LIST)
    more = list(Division.objects.within("331123").administrative_villages().exclude(parent_id="331123105")[:27])
    for v in more:
        make_station(v.code)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(LIST)
    assert response.context["count"] == 30
    assert len(large.captured_queries) == len(small.captured_queries)


def test_filters_narrow_the_list(client, county_office, make_station):
    make_station("331123105211", is_demonstration=True)
    make_station("331123001009", services_offered=["payment"])  # 妙高街道
    client.force_login(county_office)
    assert client.get(LIST, {"township": "331123105"}).context["count"] == 1
    assert client.get(LIST, {"is_demonstration": "true"}).context["count"] == 1
    assert client.get(LIST, {"service": "express"}).context["count"] == 1


def test_a_township_officer_lists_only_the_townships_stations(client, township_officer, make_station):
    make_station("331123105211")
    elsewhere = make_station("331123001009")
    client.force_login(township_officer)
    assert client.get(LIST).context["count"] == 1
    assert client.get(reverse("network:station_detail", args=[elsewhere.pk])).status_code == 404


def test_operator_phones_are_masked_outside_the_county_office(client, township_officer, county_office, make_station):
    make_station("331123105211", operator_phone="13912345678")
    client.force_login(township_officer)
    assert "139****5678" in client.get(LIST).content.decode()
    client.force_login(county_office)
    assert "13912345678" in client.get(LIST).content.decode()


def test_registering_a_village_point_in_a_township_shows_the_error_on_the_field(client, county_office, program):
    client.force_login(county_office)
    response = client.post(
        reverse("network:station_create"),
        {
            "code": "X1",
            "name": "错误点",
            "level": "village_point",
            "division": "331123105",
            "host_type": "supermarket",
            "services": ["express"],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["division"] == ["村级服务点必须设在村，“大柘镇”是乡镇级"]
    assert not Station.objects.exists()


def test_the_coverage_page_shows_the_county_and_township_figures(client, county_office, make_station):
    make_station("331123105211", lat=28.61, lng=119.27)
    client.force_login(county_office)
    response = client.get(reverse("network:coverage"), {"on": "2022-12-31"})
    page = response.content.decode()
    assert response.context["cov"].covered == 1
    assert "0.5%" in page  # 1 of 201
    assert page.count("<tr data-township=") == 20
    assert len(response.context["gaps"]) == 200
    assert "station-map" in page and "119.27" in response.context["map_data"]


def test_the_operator_checks_in_records_and_submits_from_the_phone_page(
    client, station_operator, operator_station, monkeypatch
):
    # The last day of the month, when a month may be submitted without asking to lock the rest.
    from datetime import datetime, time

    from django.utils import timezone

    from ruralhub.core.dates import month_end

    last_day = month_end(timezone.localdate())
    evening = timezone.make_aware(datetime.combine(last_day, time(18)))
    monkeypatch.setattr(timezone, "now", lambda: evening)
    client.force_login(station_operator)
    page = client.get(reverse("network:my_station"))
    assert page.status_code == 200 and operator_station.name in page.content.decode()
    client.post(reverse("network:my_check_in"))
    tap = {"kind": "parcel_in", "count": "3", "client_id": "abc-parcel_in"}
    client.post(reverse("network:my_record"), tap)
    client.post(reverse("network:my_record"), tap)  # a double tap
    client.post(reverse("network:my_record"), {"kind": "purchase", "amount": "45.5", "client_id": "abc-purchase"})
    assert CheckIn.objects.count() == 1
    assert ServiceRecord.objects.count() == 2
    month = last_day.replace(day=1)
    client.post(reverse("network:my_submit"), {"month": month.isoformat()})
    report = MonthlyReport.objects.get()
    assert report.status == "submitted" and report.parcels_in == 3


def test_a_township_officer_cannot_open_the_phone_page(client, township_officer):
    client.force_login(township_officer)
    assert client.get(reverse("network:my_station")).status_code == 403


def test_the_township_approves_and_the_county_accepts_on_the_reports_page(
    client, station_operator, township_officer, county_office, operator_station
):
    from ruralhub.network import services

    report = services.submit_report(station_operator, operator_station, date(2026, 10, 1))
    client.force_login(township_officer)
    assert list(client.get(reverse("network:reports")).context["waiting"]) == [report]
    client.post(reverse("network:report_action", args=[report.pk, "approve"]))
    client.force_login(county_office)
    assert list(client.get(reverse("network:reports")).context["waiting"]) == [report]
    client.post(reverse("network:report_action", args=[report.pk, "accept"]))
    report.refresh_from_db()
    assert report.status == "accepted"


def test_another_township_gets_404_on_a_report_action(
    client, station_operator, other_township_officer, operator_station
):
    from ruralhub.network import services

    report = services.submit_report(station_operator, operator_station, date(2026, 10, 1))
    client.force_login(other_township_officer)
    assert client.post(reverse("network:report_action", args=[report.pk, "approve"])).status_code == 404


def test_the_review_page_is_for_the_county_office(client, county_office, township_officer, program):
    client.force_login(township_officer)
    assert client.get(reverse("network:review")).status_code == 403
    client.force_login(county_office)
    assert client.get(reverse("network:review")).status_code == 200


@pytest.mark.parametrize("url_name", ["station_list", "coverage", "reports"])
def test_every_page_renders_for_every_role(client, url_name, county_office, township_officer, finance_audit, program):
    for user in (county_office, township_officer, finance_audit):
        client.force_login(user)
        assert client.get(reverse(f"network:{url_name}")).status_code == 200


def test_the_operators_home_page_leads_to_the_station(client, station_operator, operator_station):
    client.force_login(station_operator)
    page = client.get(reverse("home")).content.decode()
    assert operator_station.name in page and "开门签到并记录服务" in page


def test_the_township_home_page_counts_reports_to_approve(client, station_operator, township_officer, operator_station):
    from ruralhub.network import services

    services.submit_report(station_operator, operator_station, date(2026, 10, 1))
    client.force_login(township_officer)
    cards = client.get(reverse("home")).context["cards"]
    waiting = next(i for c in cards for i in c["items"] if i["label"] == "待乡镇审核月报")
    assert waiting["value"] == 1


def test_report_actions_never_redirect_off_site(client, station_operator, township_officer, operator_station):
    from ruralhub.network import services

    report = services.submit_report(station_operator, operator_station, date(2026, 10, 1))
    client.force_login(township_officer)
    for target in ["foo", "https://evil.example/x", "//evil.example"]:
        response = client.post(
            reverse("network:report_action", args=[report.pk, "return"]), {"reason": "测试", "next": target}
        )
        assert response.status_code == 302 and response["Location"] == reverse("network:reports")


def test_the_edit_form_masks_the_operators_phone_for_a_township_officer(client, township_officer, make_station):
    station = make_station("331123105211", operator_phone="13912345678")
    client.force_login(township_officer)
    page = client.get(reverse("network:station_edit", args=[station.pk])).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    form = client.get(reverse("network:station_edit", args=[station.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("served_villages", "sign_photo")}
    data.update({"division": "331123105211", "services": ["express"], "name": "改名后的服务点"})
    client.post(reverse("network:station_edit", args=[station.pk]), data)
    station.refresh_from_db()
    assert station.name == "改名后的服务点" and station.operator_phone == "13912345678"


def test_the_sign_photo_is_checked_served_in_scope_and_clearable(
    client, county_office, other_township_officer, make_station, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    station = make_station("331123105211")
    client.force_login(county_office)
    url = reverse("network:station_edit", args=[station.pk])
    form = client.get(url).context["form"]
    base = {k: v for k, v in form.initial.items() if v is not None and k not in ("served_villages", "sign_photo")}
    base.update({"division": "331123105211", "services": ["express"]})
    bad = client.post(url, {**base, "sign_photo": SimpleUploadedFile("x.html", b"<script>")})
    assert "sign_photo" in bad.context["form"].errors
    client.post(url, {**base, "sign_photo": SimpleUploadedFile("sign.png", b"\x89PNG fake", content_type="image/png")})
    station.refresh_from_db()
    assert station.sign_photo
    assert client.get(reverse("network:station_sign", args=[station.pk])).status_code == 200
    client.force_login(other_township_officer)
    assert client.get(reverse("network:station_sign", args=[station.pk])).status_code == 404
    client.force_login(county_office)
    client.post(url, {**base, "sign_photo-clear": "on"})
    station.refresh_from_db()
    assert not station.sign_photo


def test_the_gap_list_names_only_points_the_user_may_see(client, township_officer, make_station):
    make_station("331123001201", lat=28.59, lng=119.27)  # 妙高街道, close to 大柘's villages
    client.force_login(township_officer)
    gaps = client.get(reverse("network:coverage")).context["gaps"]
    assert gaps and all(g.village.code.startswith("331123105") for g in gaps)
    assert all(g.nearest is None for g in gaps)


def _names(response):
    return [row.record.name for row in response.context["table"].rows]


def test_a_township_officer_cannot_sort_or_filter_stations_by_the_masked_phone(
    client, township_officer, county_office, make_station
):
    for name, phone in [("甲点", "13900000003"), ("乙点", "13900000001"), ("丙点", "13900000002")]:
        make_station("331123105211", name=name, operator_phone=phone)
    client.force_login(township_officer)
    default = _names(client.get(LIST))
    for sort in ("operator_phone", "-operator_phone"):
        assert _names(client.get(LIST, {"sort": sort})) == default
    assert "sort=operator_phone" not in client.get(LIST).content.decode()  # no sort link on the column
    assert client.get(LIST, {"q": "13900000001"}).context["count"] == 0
    assert client.get(LIST, {"operator_phone": "13900000001"}).context["count"] == 3
    client.force_login(county_office)  # who sees the numbers may sort by them
    assert _names(client.get(LIST, {"sort": "operator_phone"})) == ["乙点", "丙点", "甲点"]


def test_the_binary_search_probe_on_a_masked_phone_learns_nothing(client, township_officer, make_station):
    """The issue's attack: edit a probe station's phone, sort by phone, see whether the probe moves past the target."""
    make_station("331123105211", name="目标点", operator_phone="13789456220")
    probe = make_station("331123105211", name="探测点", operator_phone="13000000000")
    client.force_login(township_officer)
    places = []
    for guess in ("10000000000", "13789456219", "13789456221", "19999999999"):
        Station.objects.filter(pk=probe.pk).update(operator_phone=guess)
        places.append(_names(client.get(LIST, {"sort": "operator_phone"})).index("探测点"))
    assert len(set(places)) == 1
    api = client.get("/api/network/stations", {"ordering": "operator_phone", "sort": "-operator_phone"}).json()
    assert [s["name"] for s in api] == [s["name"] for s in client.get("/api/network/stations").json()]
    assert {s["operator_phone"] for s in api} == {"137****6220", "199****9999"}


def test_the_station_page_shows_its_change_history_with_phones_masked_as_elsewhere(
    client, county_office, township_officer, make_station
):
    from django.utils import timezone

    from ruralhub.network import services

    station = make_station("331123105211", operator_phone="13912345678")
    services.save_station(county_office, {"operator_phone": "13812345678"}, station, reason="负责人更换")
    services.change_status(county_office, station, "suspended", timezone.localdate(), "停业整顿")
    url = reverse("network:station_detail", args=[station.pk])

    client.force_login(township_officer)
    response = client.get(url)
    log = response.context["change_log"]
    phone_change = next(e for e in log if e["reason"] == "负责人更换")
    assert phone_change["who"] == county_office
    assert phone_change["changes"] == [{"field": "负责人电话", "old": "139****5678", "new": "138****5678"}]
    status_change = next(e for e in log if e["reason"] == "停业整顿")
    assert {"field": "状态", "old": "运营中", "new": "暂停"} in status_change["changes"]
    page = response.content.decode()
    assert "139****5678 → 138****5678" in page and "停业整顿" in page
    assert "13912345678" not in page and "13812345678" not in page

    client.force_login(county_office)
    assert "13912345678 → 13812345678" in client.get(url).content.decode()
