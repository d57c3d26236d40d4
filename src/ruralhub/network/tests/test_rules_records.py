"""Records and reports: the county's caps on one tap, flags for the approver, months that always fit, reasons."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ruralhub.accounts.models import ApiToken
from ruralhub.core.dates import month_start
from ruralhub.core.validators import REASON_MAX_LENGTH
from ruralhub.network import services
from ruralhub.network.choices import ReportStatus
from ruralhub.network.models import MonthlyReport, ReportEvent, ServiceRecord


@pytest.fixture
def limits(county_office, program):
    rule = services.review_rule("331123")
    return services.save_review_rule(
        county_office, rule, {"max_count": 50, "flag_count": 10, "max_amount": "1000", "flag_amount": "100"}
    )


def taps(*rows):
    return [{"client_id": f"tap-{i}", **row} for i, row in enumerate(rows, start=1)]


# A month that has ended, so it can be submitted whatever today is.
LAST_MONTH = month_start(month_start(timezone.localdate()) - timedelta(days=1))


def test_a_tap_above_the_countys_cap_is_refused_naming_the_row_and_field(station_operator, operator_station, limits):
    with pytest.raises(ValidationError) as err:
        services.record_services(
            station_operator,
            operator_station,
            taps(
                {"kind": "payment", "count": 5}, {"kind": "payment", "count": 51}, {"kind": "purchase", "amount": 1001}
            ),
        )
    assert err.value.message_dict == {
        "count": ["第2条：次数51超过本县单条记录上限50"],
        "amount": ["第3条：金额1001.00元超过本县单条记录上限1000.00元"],
    }
    assert not ServiceRecord.objects.exists()


def test_a_tap_above_the_reminder_value_is_stored_flagged(station_operator, operator_station, limits):
    services.record_services(
        station_operator,
        operator_station,
        taps(
            {"kind": "payment", "count": 10},
            {"kind": "payment", "count": 11},
            {"kind": "purchase", "amount": "100.00"},
            {"kind": "purchase", "amount": "100.01"},
        ),
    )
    flagged = dict(ServiceRecord.objects.values_list("client_id", "flagged"))
    assert flagged == {"tap-1": False, "tap-2": True, "tap-3": False, "tap-4": True}
    figures = services.month_figures(operator_station, month_start(timezone.localdate()))
    assert (figures["payment"]["flagged"], figures["purchase"]["flagged"]) == (1, 1)


def test_the_approver_sees_the_flagged_taps_and_the_operator_a_warning(
    client, station_operator, operator_station, township_officer, limits
):
    services.record_services(station_operator, operator_station, taps({"kind": "payment", "count": 30}))
    client.force_login(station_operator)
    page = client.get(reverse("network:my_station")).content.decode()
    assert "1条超过本县提醒值，审核时会被核对" in page
    services.record_services(
        station_operator,
        operator_station,
        [{"kind": "payment", "count": 30, "occurred_on": LAST_MONTH, "client_id": "a"}],
    )
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    client.force_login(township_officer)
    page = client.get(reverse("network:reports")).content.decode()
    assert '<span class="badge not_met">1条超过提醒值</span>' in page
    page = client.get(reverse("network:report_detail", args=[report.pk])).content.decode()
    assert '<span class="badge not_met county-flag">超过本县提醒值</span>' in page


def test_a_hundred_taps_at_the_highest_cap_still_make_a_month_that_can_be_submitted(
    station_operator, operator_station, county_office, program
):
    rule = services.review_rule("331123")
    services.save_review_rule(county_office, rule, {"max_amount": "10000000", "flag_amount": "10000000"})
    rows = taps(*[{"kind": "purchase", "amount": "10000000", "occurred_on": LAST_MONTH}] * 100)
    services.record_services(station_operator, operator_station, rows)
    with pytest.raises(ValidationError, match="超过本县单条记录上限|无效"):
        services.record_services(
            station_operator, operator_station, [{"kind": "purchase", "amount": "1e10", "client_id": "x"}]
        )
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    assert report.purchase_amount == Decimal("1000000000.00")
    assert report.figures["purchase"]["amount"] == "1000000000.00"


def test_a_month_whose_totals_would_not_fit_its_report_is_refused(station_operator, operator_station, monkeypatch):
    from ruralhub.network.services import records

    monkeypatch.setattr(records, "MAX_MONTH_AMOUNT", Decimal("500"))
    services.record_services(station_operator, operator_station, taps({"kind": "sale", "amount": "400"}))
    with pytest.raises(ValidationError) as err:
        services.record_services(
            station_operator, operator_station, [{"kind": "sale", "amount": "101", "client_id": "y"}]
        )
    assert list(err.value.message_dict) == ["amount"]
    assert ServiceRecord.objects.count() == 1


def test_the_rules_reminder_values_cannot_exceed_their_caps(county_office, program):
    rule = services.review_rule("331123")
    with pytest.raises(ValidationError) as err:
        services.save_review_rule(county_office, rule, {"max_count": 10, "flag_count": 20})
    assert err.value.message_dict == {"flag_count": ["提醒值不能大于上限10"]}


@pytest.mark.parametrize("reason", ["数据\x00有误", "长" * (REASON_MAX_LENGTH + 1)])
def test_a_bad_return_reason_is_422_naming_the_field_and_changes_nothing(
    client, station_operator, operator_station, township_officer, reason
):
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    response = client.post(
        f"/api/network/reports/{report.pk}/return",
        {"reason": reason},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(township_officer, 't')[1]}",
    )
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["body", "reason"]]
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    assert not ReportEvent.objects.filter(action="return").exists()


def test_a_bad_return_reason_is_refused_by_the_service_too(station_operator, operator_station, township_officer):
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    with pytest.raises(ValidationError) as err:
        services.return_report(township_officer, report, "长" * (REASON_MAX_LENGTH + 1))
    assert err.value.message_dict == {
        "reason": [f"退回原因不能超过{REASON_MAX_LENGTH}个字符（现有{REASON_MAX_LENGTH + 1}个）"]
    }


def test_a_second_approval_is_refused_and_logs_nothing(station_operator, operator_station, township_officer):
    report = services.submit_report(station_operator, operator_station, LAST_MONTH)
    services.approve_report(township_officer, report)
    with pytest.raises(ValidationError) as err:
        services.approve_report(township_officer, report)
    assert err.value.message_dict == {"status": ["只有已报送的月报才能审核，当前为“乡镇已审核”"]}
    assert report.events.filter(action="approve").count() == 1
