from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from ruralhub.network import services
from ruralhub.network.choices import ReportStatus
from ruralhub.network.models import CheckIn, MonthlyReport, ReportEvent, ServiceRecord
from ruralhub.network.services import records

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 24)


def taps(*rows):
    return [{"client_id": f"tap-{i}", **row} for i, row in enumerate(rows)]


def test_a_batch_of_taps_is_stored_once_even_when_retried(station_operator, operator_station):
    batch = taps({"kind": "parcel_in", "count": 5}, {"kind": "purchase", "amount": "86.50"}, {"kind": "payment"})
    first = services.record_services(station_operator, operator_station, batch, today=TODAY)
    again = services.record_services(station_operator, operator_station, batch, today=TODAY)
    assert (first.created, first.duplicates) == (3, 0)
    assert (again.created, again.duplicates) == (0, 3)
    assert ServiceRecord.objects.count() == 3
    assert ServiceRecord.objects.get(kind="purchase").amount == pytest.approx(86.5)


def test_a_batch_with_one_bad_row_stores_nothing_and_names_the_row(station_operator, operator_station):
    batch = taps({"kind": "parcel_in"}, {"kind": "teleport"}, {"kind": "sale"}, {"kind": "payment", "count": 0})
    with pytest.raises(ValidationError) as err:
        services.record_services(station_operator, operator_station, batch, today=TODAY)
    assert err.value.message_dict == {
        "kind": ["第2条：未知的服务类型“teleport”"],
        "amount": ["第3条：代销需要填写金额"],
        "count": ["第4条：次数应为1到10000的整数"],
    }
    assert not ServiceRecord.objects.exists()


def test_a_service_the_station_does_not_offer_is_refused(station_operator, operator_station):
    with pytest.raises(ValidationError) as err:
        services.record_services(station_operator, operator_station, taps({"kind": "mentoring"}), today=TODAY)
    assert err.value.message_dict["kind"] == ["第1条：本站未开通“创业指导”服务"]


def test_a_record_in_the_future_is_refused(station_operator, operator_station):
    with pytest.raises(ValidationError, match="在未来"):
        services.record_services(
            station_operator, operator_station, taps({"kind": "payment", "occurred_on": "2026-11-25"}), today=TODAY
        )


def test_another_stations_operator_cannot_record(make_station, station_operator, operator_station):
    other = make_station("331123105212")
    with pytest.raises(Http404):  # another host's station is outside the operator's scope: as if it did not exist
        services.record_services(station_operator, other, taps({"kind": "payment"}), today=TODAY)
    assert not ServiceRecord.objects.exists()


def test_checking_in_twice_a_day_keeps_the_first(station_operator, operator_station):
    morning = datetime(2026, 11, 24, 7, 30, tzinfo=SHANGHAI)
    first, created = services.check_in(station_operator, operator_station, at=morning)
    second, created_again = services.check_in(station_operator, operator_station, at=morning.replace(hour=9))
    assert created and not created_again and first.pk == second.pk
    assert CheckIn.objects.count() == 1


def _record_october(actor, station):
    rows = taps(
        {"kind": "parcel_in", "count": 12, "occurred_on": "2026-10-03"},
        {"kind": "parcel_out", "count": 4, "occurred_on": "2026-10-03"},
        {"kind": "purchase", "amount": "120", "occurred_on": "2026-10-08"},
        {"kind": "sale", "amount": "860", "occurred_on": "2026-10-20"},
        {"kind": "payment", "count": 3, "occurred_on": "2026-10-31"},
        {"kind": "payment", "count": 1, "occurred_on": "2026-11-01"},  # next month
    )
    services.record_services(actor, station, rows, today=TODAY)


def test_the_monthly_report_is_built_from_the_daily_records(station_operator, operator_station):
    _record_october(station_operator, operator_station)
    at = datetime(2026, 11, 20, 10, tzinfo=SHANGHAI)
    report = services.submit_report(station_operator, operator_station, date(2026, 10, 1), at=at)
    assert (report.parcels_in, report.parcels_out, report.total_services) == (12, 4, 21)
    assert (report.purchase_amount, report.sale_amount) == (120, 860)
    assert report.due_on == date(2026, 11, 25) and report.on_time


def test_a_report_for_a_future_month_is_refused(station_operator, operator_station):
    with pytest.raises(ValidationError) as err:
        services.submit_report(
            station_operator, operator_station, date(2026, 12, 1), at=datetime(2026, 11, 24, tzinfo=SHANGHAI)
        )
    assert err.value.message_dict["month"] == ["2026年12月尚未开始，不能报送"]


def test_submitted_on_the_26th_is_late(station_operator, operator_station):
    # 耿马: 每月25日前报送
    report = services.submit_report(
        station_operator, operator_station, date(2026, 10, 1), at=datetime(2026, 11, 26, 9, tzinfo=SHANGHAI)
    )
    assert not report.on_time


def test_township_approves_then_county_accepts_and_the_month_is_locked(
    station_operator, township_officer, county_office, operator_station
):
    _record_october(station_operator, operator_station)
    report = services.submit_report(station_operator, operator_station, date(2026, 10, 1))
    with pytest.raises(ValidationError, match="只有乡镇已审核的月报才能确认"):
        services.accept_report(county_office, report)
    services.approve_report(township_officer, report)
    services.accept_report(county_office, report)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    with pytest.raises(ValidationError) as err:
        services.record_services(
            station_operator,
            operator_station,
            [{"client_id": "late", "kind": "payment", "occurred_on": "2026-10-15"}],
            today=TODAY,
        )
    assert err.value.message_dict["occurred_on"] == ["2026年10月的月报已报送或已审核，不能再添加记录"]
    assert list(ReportEvent.objects.values_list("action", flat=True)) == ["submit", "approve", "accept"]


def test_the_county_sends_an_accepted_month_back_and_the_operator_resubmits(
    station_operator, township_officer, county_office, operator_station
):
    report = services.submit_report(station_operator, operator_station, date(2026, 10, 1))
    services.approve_report(township_officer, report)
    services.accept_report(county_office, report)
    with pytest.raises(ValidationError) as err:
        services.return_report(county_office, report, "  ")
    assert err.value.message_dict["reason"] == ["退回必须说明原因"]
    services.return_report(county_office, report, "代销金额与台账不符")
    services.record_services(
        station_operator,
        operator_station,
        [{"client_id": "fix", "kind": "sale", "amount": "50", "occurred_on": "2026-10-15"}],
        today=TODAY,
    )
    report = services.submit_report(station_operator, operator_station, date(2026, 10, 1))
    assert report.status == ReportStatus.SUBMITTED and report.sale_amount == 50
    assert ReportEvent.objects.filter(action="return", reason="代销金额与台账不符").exists()


def test_a_township_officer_cannot_return_an_approved_month(station_operator, township_officer, operator_station):
    report = services.submit_report(station_operator, operator_station, date(2026, 10, 1))
    services.approve_report(township_officer, report)
    with pytest.raises(ValidationError, match="您不能退回"):
        services.return_report(township_officer, report, "再看看")


def test_another_townships_officer_cannot_see_the_report(station_operator, other_township_officer, operator_station):
    report = services.submit_report(station_operator, operator_station, date(2026, 10, 1))
    with pytest.raises(Http404):
        services.approve_report(other_township_officer, report)
    assert MonthlyReport.objects.get().status == ReportStatus.SUBMITTED


def test_late_and_missing_reports_are_listed(station_operator, operator_station):
    services.submit_report(
        station_operator, operator_station, date(2026, 9, 1), at=datetime(2026, 10, 28, tzinfo=SHANGHAI)
    )
    gaps = services.report_gaps([operator_station], [date(2026, 9, 1), date(2026, 10, 1)], date(2026, 11, 26))
    assert [(g.month, g.is_missing) for g in gaps] == [(date(2026, 9, 1), False), (date(2026, 10, 1), True)]


def test_month_figures_keep_yuan_to_two_places(station_operator, operator_station):
    services.record_services(
        station_operator,
        operator_station,
        taps(
            {"kind": "purchase", "amount": "0.1", "occurred_on": "2026-10-02"},
            {"kind": "purchase", "amount": "0.2", "occurred_on": "2026-10-03"},
        ),
        today=TODAY,
    )
    assert services.month_figures(operator_station, date(2026, 10, 1))["purchase"]["amount"] == "0.30"


def test_on_time_is_judged_by_the_beijing_date(station_operator, operator_station):
    # due 2026-10-25; 01:30 on the 26th in Beijing is still the 25th in UTC, and it is late
    report = services.submit_report(
        station_operator, operator_station, date(2026, 9, 1), at=datetime(2026, 10, 26, 1, 30, tzinfo=SHANGHAI)
    )
    assert not report.on_time
    gaps = services.report_gaps([operator_station], [date(2026, 9, 1)], date(2026, 11, 1))
    assert [(g.month, g.is_missing) for g in gaps] == [(date(2026, 9, 1), False)]


def test_a_returned_month_counts_as_missing_until_resubmitted(station_operator, county_office, operator_station):
    report = services.submit_report(
        station_operator, operator_station, date(2026, 9, 1), at=datetime(2026, 10, 20, tzinfo=SHANGHAI)
    )
    services.return_report(county_office, report, "缺少代销明细")
    report.refresh_from_db()
    assert not report.on_time
    gaps = services.report_gaps([operator_station], [date(2026, 9, 1)], date(2026, 11, 1))
    assert [g.is_missing for g in gaps] == [True]


def test_records_for_days_the_station_was_not_operating_are_refused(station_operator, operator_station, county_office):
    services.change_status(county_office, operator_station, "suspended", date(2026, 11, 1), "店主外出")
    services.change_status(county_office, operator_station, "operating", date(2026, 11, 10), "恢复")
    with pytest.raises(ValidationError) as err:
        services.record_services(
            station_operator, operator_station, taps({"kind": "payment", "occurred_on": "2026-11-05"}), today=TODAY
        )
    assert err.value.message_dict["occurred_on"] == ["站点在2026-11-05不在运营中，不能记录服务"]
    with pytest.raises(ValidationError, match="不在运营中"):
        services.record_services(
            station_operator, operator_station, taps({"kind": "payment", "occurred_on": "2020-01-05"}), today=TODAY
        )
    services.record_services(
        station_operator, operator_station, taps({"kind": "payment", "occurred_on": "2026-11-12"}), today=TODAY
    )


def test_a_month_before_the_station_opened_cannot_be_submitted(station_operator, operator_station):
    with pytest.raises(ValidationError) as err:
        services.submit_report(station_operator, operator_station, date(2020, 1, 1))
    assert err.value.message_dict["month"] == ["站点在2020年01月没有运营，无需报送"]


def test_amounts_too_small_to_be_money_and_huge_head_counts_are_refused(station_operator, operator_station):
    with pytest.raises(ValidationError) as err:
        services.record_services(
            station_operator,
            operator_station,
            taps({"kind": "purchase", "amount": "1e-30"}, {"kind": "payment", "villagers": 2**40}),
            today=TODAY,
        )
    assert set(err.value.message_dict) == {"amount", "villagers"}


def test_check_in_coordinates_must_be_on_the_earth(station_operator, operator_station):
    with pytest.raises(ValidationError) as err:
        services.check_in(station_operator, operator_station, lat=Decimal("1e20"))
    assert "lat" in err.value.message_dict
    assert not CheckIn.objects.exists()


def test_a_client_id_stored_in_between_is_skipped_not_an_error(station_operator, operator_station):
    # what a concurrent retry would do: the same rows reach the insert twice
    record = ServiceRecord(station=operator_station, kind="payment", occurred_on=TODAY, count=1, client_id="race")
    assert records._insert_records([record]) == 1
    assert records._insert_records([record]) == 0
    stored = ServiceRecord.objects.get()
    assert stored.created_at is not None and stored.occurred_on == TODAY and stored.amount == 0


def test_a_large_batch_crosses_insert_chunks_and_stays_idempotent(station_operator, operator_station):
    batch = [{"kind": "parcel_in", "client_id": f"big-{i}", "occurred_on": "2026-11-20"} for i in range(1234)]
    assert services.record_services(station_operator, operator_station, batch, today=TODAY).created == 1234
    again = services.record_services(
        station_operator,
        operator_station,
        batch[600:] + [{"kind": "payment", "client_id": "new-one", "occurred_on": "2026-11-20"}],
        today=TODAY,
    )
    assert (again.created, again.duplicates) == (1, 634)
    assert ServiceRecord.objects.count() == 1235
