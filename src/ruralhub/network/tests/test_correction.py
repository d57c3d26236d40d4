"""The report correction loop: outliers for the approver, return reasons for the operator, voiding and
correcting a tap in an open or returned month, submitting from the month's last day, 按时 only when due."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ruralhub.core.dates import month_end, month_start
from ruralhub.core.roles import Role
from ruralhub.core.scoping import SYSTEM
from ruralhub.network import services
from ruralhub.network.choices import ReportStatus
from ruralhub.network.models import MonthlyReport, ServiceRecord
from ruralhub.testing import make_organisation, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
THIS_MONTH = month_start(timezone.localdate())
LAST_MONTH = month_start(THIS_MONTH - timedelta(days=1))
DAY = LAST_MONTH.replace(day=10)


def tap(client_id, kind="payment", on=DAY, **row):
    return {"client_id": client_id, "kind": kind, "occurred_on": on, **row}


@pytest.fixture
def wrong_purchase(station_operator, operator_station, program):
    """Last month's taps with one 代购 typed with extra zeros (¥86,000 for ¥86)."""
    services.record_services(
        station_operator,
        operator_station,
        [tap("ok-1", count=3), tap("ok-2", "purchase", amount="120"), tap("typo", "purchase", amount="86000")],
    )
    return ServiceRecord.objects.get(client_id="typo")


def test_a_voided_tap_no_longer_counts_and_stays_with_who_when_and_why(
    station_operator, operator_station, wrong_purchase
):
    assert services.month_figures(operator_station, LAST_MONTH)["purchase"]["amount"] == "86120.00"
    assert services.void_record(station_operator, wrong_purchase, "多打了三个零") is None
    wrong_purchase.refresh_from_db()
    assert wrong_purchase.void_reason == "多打了三个零" and wrong_purchase.voided_by == station_operator
    assert wrong_purchase.voided_at is not None
    assert services.month_figures(operator_station, LAST_MONTH)["purchase"] == {
        "count": 1,
        "amount": "120.00",
        "villagers": 1,
        "flagged": 0,
    }
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    assert report.purchase_amount == Decimal("120.00") and report.total_services == 4


def test_a_correction_voids_the_tap_and_enters_the_right_amount_in_its_place(
    station_operator, operator_station, wrong_purchase
):
    correction = services.void_record(station_operator, wrong_purchase, "应为86元", amount="86")
    assert (correction.amount, correction.occurred_on, correction.kind) == (Decimal("86.00"), DAY, "purchase")
    assert correction.replaces == wrong_purchase and not correction.flagged
    assert services.month_figures(operator_station, LAST_MONTH)["purchase"]["amount"] == "206.00"
    with pytest.raises(ValidationError) as err:
        services.void_record(station_operator, correction, "再改", amount="abc")
    assert err.value.message_dict == {"amount": ["更正：金额“abc”无效"]}


def test_voiding_needs_a_reason_and_happens_once(station_operator, wrong_purchase):
    with pytest.raises(ValidationError) as err:
        services.void_record(station_operator, wrong_purchase, "  ")
    assert err.value.message_dict == {"reason": ["作废或更正必须说明原因"]}
    with pytest.raises(ValidationError) as err:
        services.void_record(station_operator, wrong_purchase, "长" * 301)
    assert err.value.message_dict == {"reason": ["作废原因不能超过300个字符（现有301个）"]}
    services.void_record(station_operator, wrong_purchase, "多打了三个零")
    with pytest.raises(ValidationError, match=f"{DAY} 代购这条记录已于.*作废"):
        services.void_record(station_operator, wrong_purchase, "再来一次")


def test_a_submitted_month_keeps_its_taps_until_it_is_sent_back(
    station_operator, township_officer, operator_station, wrong_purchase
):
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    with pytest.raises(ValidationError) as err:
        services.void_record(station_operator, wrong_purchase, "多打了三个零")
    assert err.value.message_dict == {
        "record": [f"{LAST_MONTH:%Y年%m月}的月报已报送或已审核，不能作废或更正其中的记录；退回后可以更正"]
    }
    services.return_report(township_officer, report, "代购86000元明显有误")
    services.void_record(station_operator, wrong_purchase, "多打了三个零", amount="86")
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    assert report.purchase_amount == Decimal("206.00")


def test_only_the_stations_own_operator_voids_a_tap(
    station_operator, township_officer, county_office, dazhe_village, wrong_purchase
):
    with pytest.raises(PermissionDenied):  # the township sees the tap but does not record: 403
        services.void_record(township_officer, wrong_purchase, "我来改")
    with pytest.raises(PermissionDenied):
        services.void_record(county_office, wrong_purchase, "我来改")
    other_host = make_organisation(dazhe_village, kind="station_host")
    stranger = make_user("stranger", Role.STATION_OPERATOR, division=dazhe_village, organisation=other_host)
    with pytest.raises(Http404):  # another station's operator does not see it at all
        services.void_record(stranger, wrong_purchase, "我来改")
    assert ServiceRecord.objects.get(pk=wrong_purchase.pk).voided_at is None


def test_the_void_page_answers_403_and_404_as_the_service_does(
    client, township_officer, other_township_officer, station_operator, wrong_purchase
):
    url = reverse("network:my_void", args=[wrong_purchase.pk])
    client.force_login(township_officer)
    assert client.post(url, {"reason": "我来改"}).status_code == 403
    client.force_login(other_township_officer)
    assert client.post(url, {"reason": "我来改"}).status_code == 404
    client.force_login(station_operator)
    response = client.post(url, {"reason": "多打了三个零", "amount": "86"}, follow=True)
    assert "已更正：代购" in response.content.decode()
    assert ServiceRecord.objects.filter(replaces=wrong_purchase, amount=Decimal("86")).exists()


def test_a_month_is_submitted_from_its_last_day_on(station_operator, operator_station):
    november = date(2026, 11, 1)
    with pytest.raises(ValidationError) as err:
        services.submit_report(
            station_operator, operator_station, november, at=datetime(2026, 11, 25, 9, tzinfo=SHANGHAI)
        )
    assert err.value.message_dict == {"month": ["2026年11月尚未结束，11月30日起才能报送"]}
    assert not MonthlyReport.objects.filter(status=ReportStatus.SUBMITTED).exists()
    report = services.submit_report(
        station_operator, operator_station, november, at=datetime(2026, 11, 30, 8, tzinfo=SHANGHAI)
    )
    assert report.status == ReportStatus.SUBMITTED


def test_the_phone_page_offers_this_month_only_from_its_last_day(client, station_operator, operator_station):
    client.force_login(station_operator)
    page = client.get(reverse("network:my_station")).content.decode()
    this_month = page.split(f'data-month="{THIS_MONTH:%Y-%m}"')[1].split("</div>")[0]
    last_month = page.split(f'data-month="{LAST_MONTH:%Y-%m}"')[1].split("</div>")[0]
    assert "报送月报" in last_month
    if timezone.localdate() < month_end(THIS_MONTH):
        assert "报送月报" not in this_month
        assert f"{month_end(THIS_MONTH).month}月{month_end(THIS_MONTH).day}日起可报送" in this_month


def test_the_operator_sees_the_return_reason_on_the_phone_and_on_the_report(
    client, station_operator, township_officer, operator_station, wrong_purchase
):
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    services.return_report(township_officer, report, "代购86000元明显有误，请核对")
    client.force_login(station_operator)
    phone = client.get(reverse("network:my_station")).content.decode()
    assert "月报已退回</b>：代购86000元明显有误，请核对" in phone
    assert "重新报送" in phone
    detail = client.get(reverse("network:report_detail", args=[report.pk])).content.decode()
    assert "代购86000元明显有误，请核对" in detail and "去作废或更正记录" in detail
    records = client.get(reverse("network:my_records"), {"month": f"{LAST_MONTH:%Y-%m}"}).content.decode()
    assert "代购86000元明显有误，请核对" in records
    assert reverse("network:my_void", args=[wrong_purchase.pk]) in records


def test_the_approver_sees_each_tap_with_the_county_flag_and_the_stations_own_history(
    client, station_operator, township_officer, finance_audit, other_township_officer, operator_station, program
):
    # five months of ordinary 缴费 (2 a tap), then one tap of 40 last month: under the county's
    # reminder value (100) but twenty times the station's usual tap
    rows = []
    month = LAST_MONTH
    for n in range(1, 6):
        month = month_start(month - timedelta(days=1))
        rows += [tap(f"h{n}-{d}", on=month.replace(day=d), count=2) for d in (3, 4, 5)]
    rows += [tap("usual", count=2), tap("odd", count=40), tap("big", "purchase", amount="9000")]
    services.record_services(station_operator, operator_station, rows)
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    odd, big = ServiceRecord.objects.get(client_id="odd"), ServiceRecord.objects.get(client_id="big")

    client.force_login(township_officer)
    page = client.get(reverse("network:report_detail", args=[report.pk])).content.decode()
    odd_row = page.split(f'data-record="{odd.pk}"')[1].split("</tr>")[0]
    big_row = page.split(f'data-record="{big.pk}"')[1].split("</tr>")[0]
    assert "20.0倍于本站以往单笔均值" in odd_row and "超过本县提醒值" not in odd_row
    assert "超过本县提醒值" in big_row  # ¥9,000 above the county's ¥5,000 reminder
    assert "本月有2条异常记录，请先核对" in page
    assert 'name="approve"' in page and 'name="return"' in page and 'name="accept"' not in page

    client.force_login(finance_audit)  # reads for audit, decides nothing
    page = client.get(reverse("network:report_detail", args=[report.pk])).content.decode()
    assert "20.0倍于本站以往单笔均值" in page and "<form" not in page.split("<main>")[1].split("</main>")[0]
    client.force_login(other_township_officer)
    assert client.get(reverse("network:report_detail", args=[report.pk])).status_code == 404


def test_the_county_sends_an_accepted_month_back_from_the_report_page_and_the_loop_runs_again(
    client, station_operator, township_officer, county_office, operator_station, wrong_purchase
):
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    services.approve_report(township_officer, report)
    services.accept_report(county_office, report)
    client.force_login(county_office)
    url = reverse("network:report_detail", args=[report.pk])
    page = client.get(url).content.decode()
    assert 'name="return"' in page and 'name="accept"' not in page
    response = client.post(
        reverse("network:report_action", args=[report.pk, "return"]), {"reason": "代购金额不实", "next": url}
    )
    assert response["Location"] == url
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    services.void_record(station_operator, wrong_purchase, "多打了三个零", amount="86")
    services.submit_report(station_operator, operator_station, LAST_MONTH)
    services.approve_report(township_officer, report)
    client.post(reverse("network:report_action", args=[report.pk, "accept"]))
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.purchase_amount == Decimal("206.00")
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["submit", "approve", "accept", "return", "submit", "approve", "accept"]


def test_on_time_says_not_due_for_a_month_whose_due_day_has_not_come(
    client, station_operator, township_officer, operator_station
):
    returned = services.submit_report(station_operator, operator_station, LAST_MONTH)
    services.return_report(township_officer, returned, "请补充代销明细")
    late = services.submit_report(
        station_operator,
        operator_station,
        date(2025, 9, 1),
        at=datetime(2025, 10, 28, 9, tzinfo=SHANGHAI),  # due 2025-10-25
    )
    on_time = services.submit_report(
        station_operator, operator_station, date(2025, 8, 1), at=datetime(2025, 9, 20, tzinfo=SHANGHAI)
    )
    client.force_login(township_officer)
    page = client.get(reverse("network:reports")).content.decode()

    def on_time_cell(report):
        return page.split(f'<tr data-report="{report.pk}">')[-1].split('class="on-time">')[1].split("<")[0]

    assert on_time_cell(late) == "逾期" and on_time_cell(on_time) == "是"
    if timezone.localdate() <= returned.due_on:
        assert on_time_cell(returned) == "未到期"


def test_the_reports_page_costs_the_same_queries_for_one_or_many_reports(
    client, make_station, station_operator, township_officer, operator_station, dazhe
):
    def reports_page_queries():
        client.force_login(township_officer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("network:reports")).status_code == 200
        return len(queries)

    services.submit_report(station_operator, operator_station, LAST_MONTH)
    few = reports_page_queries()
    villages = list(dazhe.children.administrative_villages().order_by("code").values_list("code", flat=True))
    for code in villages[1:6]:
        services.submit_report(SYSTEM, make_station(code), LAST_MONTH)
    assert reports_page_queries() == few


def test_the_review_page_quotes_only_the_countys_own_plan(client, county_office, program, monkeypatch):
    client.force_login(county_office)
    page = client.get(reverse("network:review")).content.decode()
    assert "定期淘汰" not in page and "plan-sentence" not in page
    from ruralhub.network.services import review

    real = review.plan_data

    def with_sentence(code):
        data = real(code)
        data["program"]["station_review_citation"] = "建立站点动态考核机制，按季度通报。"
        return data

    monkeypatch.setattr(review, "plan_data", with_sentence)
    page = client.get(reverse("network:review")).content.decode()
    assert "建立站点动态考核机制，按季度通报。" in page


def test_a_forgotten_tap_is_entered_later_for_a_day_of_an_open_month_only(
    client, station_operator, township_officer, operator_station, program
):
    client.force_login(station_operator)
    records = reverse("network:my_records")
    page = client.get(records, {"month": f"{LAST_MONTH:%Y-%m}"}).content.decode()
    assert 'id="add-record"' in page
    late = {"kind": "sale", "amount": "35.5", "occurred_on": f"{DAY}", "client_id": "late-1"}
    response = client.post(reverse("network:my_record"), late)
    assert response["Location"] == f"{records}?station={operator_station.pk}&month={LAST_MONTH:%Y-%m}"
    assert services.month_figures(operator_station, LAST_MONTH)["sale"]["amount"] == "35.50"
    services.submit_report(station_operator, operator_station, LAST_MONTH)
    response = client.post(reverse("network:my_record"), {**late, "client_id": "late-2"}, follow=True)
    assert f"{LAST_MONTH:%Y年%m月}的月报已报送或已审核，不能再添加记录" in response.content.decode()
    page = client.get(records, {"month": f"{LAST_MONTH:%Y-%m}"}).content.decode()
    assert 'id="add-record"' not in page and "作废/更正" not in page


def test_the_reports_page_lists_follow_each_change_on_the_next_request(
    client, station_operator, township_officer, operator_station
):
    client.force_login(township_officer)
    august = date(2026, 8, 1)  # due 2026-09-25: late or missing by now
    page = client.get(reverse("network:reports")).content.decode()
    assert "2026-08" in page.split('class="stack gaps"')[1].split("</table>")[0]
    report = services.submit_report(station_operator, operator_station, august)
    page = client.get(reverse("network:reports")).content.decode()
    gaps = page.split('class="stack gaps"')[1].split("</table>")[0]
    assert "逾期报送" in gaps and f'data-report="{report.pk}"' in page.split('class="stack recent"')[1]
    services.return_report(township_officer, report, "请核对")
    page = client.get(reverse("network:reports")).content.decode()
    assert "已退回" in page.split('class="stack recent"')[1]


def test_the_api_voids_and_corrects_a_tap_as_the_phone_page_does(
    client, station_operator, township_officer, other_township_officer, operator_station, wrong_purchase
):
    url = f"/api/network/records/{wrong_purchase.pk}/void"
    client.force_login(other_township_officer)
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 404
    client.force_login(township_officer)
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 403
    client.force_login(station_operator)
    refused = client.post(url, {"reason": " "}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "reason"]
    answer = client.post(url, {"reason": "应为86元", "amount": "86"}, content_type="application/json")
    assert answer.status_code == 200
    correction = ServiceRecord.objects.get(pk=answer.json()["correction"])
    assert correction.amount == Decimal("86.00") and correction.replaces_id == wrong_purchase.pk
    assert services.month_figures(operator_station, LAST_MONTH)["purchase"]["amount"] == "206.00"
