"""Monthly reports: built from the records, submitted, approved, accepted or sent back."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from ruralhub.core.dates import month_start, next_month
from ruralhub.core.scoping import may, require
from ruralhub.core.validators import REASON_MAX_LENGTH

from ..choices import (
    RecordKind,
    ReportAction,
    ReportStatus,
)
from ..models import (
    MonthlyReport,
    ReportEvent,
    ServiceRecord,
    Station,
)
from .records import station_for
from .stations import operating_periods
from .text import checked_text

# 耿马: 每月25日前报送上月数据 — a month's report is due on the 25th of the next month.
REPORT_DUE_DAY = 25


def due_date(month: date) -> date:
    return next_month(month).replace(day=REPORT_DUE_DAY)


def _yuan(value) -> Decimal:
    """Sums come back from SQLite with float noise ("462.170000000000"); money keeps two places."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def month_figures(station: Station, month: date) -> dict:
    """The month's counts, yuan, villagers and flagged taps per kind of service, built from the daily records."""
    rows = (
        ServiceRecord.objects.filter(station=station, occurred_on__gte=month, occurred_on__lt=next_month(month))
        .values("kind")
        .annotate(
            count=Sum("count"),
            amount=Sum("amount"),
            villagers=Sum("villagers"),
            flagged=Count("id", filter=Q(flagged=True)),
        )
        .order_by("kind")
    )
    # "flagged": taps above the county's reminder value, for the approver to look at.
    return {
        r["kind"]: {
            "count": r["count"],
            "amount": str(_yuan(r["amount"])),
            "villagers": r["villagers"],
            "flagged": r["flagged"],
        }
        for r in rows
    }


def apply_figures(report: MonthlyReport, by_kind: dict) -> None:
    report.figures = by_kind
    report.total_services = sum(v["count"] for v in by_kind.values())
    report.parcels_in = by_kind.get(RecordKind.PARCEL_IN, {}).get("count", 0)
    report.parcels_out = by_kind.get(RecordKind.PARCEL_OUT, {}).get("count", 0)
    report.purchase_amount = Decimal(by_kind.get(RecordKind.PURCHASE, {}).get("amount", "0"))
    report.sale_amount = Decimal(by_kind.get(RecordKind.SALE, {}).get("amount", "0"))
    report.villagers_served = sum(v["villagers"] for v in by_kind.values())


@transaction.atomic
def draft_report(station: Station, month: date) -> MonthlyReport:
    """This month's figures as they stand, stored as an unsubmitted report (no state change if locked)."""
    report = _locked_month(station, month_start(month))
    if not report.is_locked:
        apply_figures(report, month_figures(station, month))
        report.save()
    return report


def _locked_month(station: Station, month: date) -> MonthlyReport:
    report, _created = MonthlyReport.objects.get_or_create(
        station=station, month=month, defaults={"due_on": due_date(month)}
    )
    return MonthlyReport.objects.select_for_update().get(pk=report.pk)


def _locked_report(actor, report_or_id, action: str) -> MonthlyReport:
    """The report's row, locked and read afresh, if ``actor`` may ``action`` it (404 outside scope, else 403)."""
    report = MonthlyReport.objects.select_for_update().filter(pk=getattr(report_or_id, "pk", report_or_id)).first()
    if report is None:
        raise Http404
    return require(actor, report, action)


def _event(report, action, actor, reason="", at=None):
    user = actor if getattr(actor, "pk", None) else None
    ReportEvent.objects.create(report=report, action=action, user=user, reason=reason, at=at or timezone.now())


@transaction.atomic
def submit_report(actor, station, month: date, at: datetime | None = None) -> MonthlyReport:
    """The operator submits a month (the current unfinished month is fine, a future one is not).

    The station row is locked first, as ``record_services`` does, so no record slips in between the
    figures being taken and the month being locked.
    """
    station = station_for(actor, station, MonthlyReport, "submit")
    at = at or timezone.now()
    month = month_start(month)
    if month > month_start(timezone.localtime(at).date()):
        raise ValidationError({"month": f"{month:%Y年%m月}尚未开始，不能报送"})
    last_day = next_month(month) - timedelta(days=1)
    spells = operating_periods(station)
    if not any(start <= last_day and (until is None or until > month) for start, until in spells):
        raise ValidationError({"month": f"站点在{month:%Y年%m月}没有运营，无需报送"})
    report = draft_report(station, month)
    if report.is_locked:
        raise ValidationError({"month": f"{month:%Y年%m月}的月报已{report.get_status_display()}，不能重复报送"})
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = at
    report.first_submitted_at = report.first_submitted_at or at
    report.save()
    _event(report, ReportAction.SUBMIT, actor, at=at)
    return report


def _advance(actor, report, action: str, required: str, refusal: str, at: datetime | None) -> MonthlyReport:
    """Move a report one step up (approve, accept) if it still stands where that step starts, under its row lock."""
    report = _locked_report(actor, report, action)
    if report.status != required:
        raise ValidationError({"status": f"{refusal}，当前为“{report.get_status_display()}”"})
    report.status = {"approve": ReportStatus.APPROVED, "accept": ReportStatus.ACCEPTED}[action]
    report.save(update_fields=["status"])
    _event(report, ReportAction(action), actor, at=at)
    return report


@transaction.atomic
def approve_report(actor, report, at: datetime | None = None) -> MonthlyReport:
    """The township officer approves a submitted month; it is then locked."""
    return _advance(actor, report, "approve", ReportStatus.SUBMITTED, "只有已报送的月报才能审核", at)


@transaction.atomic
def accept_report(actor, report, at: datetime | None = None) -> MonthlyReport:
    """The county office accepts a month the township approved."""
    return _advance(actor, report, "accept", ReportStatus.APPROVED, "只有乡镇已审核的月报才能确认", at)


@transaction.atomic
def return_report(actor, report, reason: str, at: datetime | None = None) -> MonthlyReport:
    """A higher level sends a month back with a reason (the township a submitted one; the county any)."""
    reason = checked_text("reason", "退回原因", reason, REASON_MAX_LENGTH, required="退回必须说明原因")
    if may(actor, MonthlyReport, "accept"):
        report = _locked_report(actor, report, "accept")
        allowed = {ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED}
    else:
        report = _locked_report(actor, report, "approve")
        allowed = {ReportStatus.SUBMITTED}
    if report.status not in allowed:
        raise ValidationError({"status": f"当前为“{report.get_status_display()}”，您不能退回"})
    report.status = ReportStatus.RETURNED
    report.save(update_fields=["status"])
    _event(report, ReportAction.RETURN, actor, reason=reason, at=at)
    return report


@dataclass
class ReportGap:
    station: Station
    month: date
    due_on: date
    report: MonthlyReport | None

    @property
    def is_missing(self) -> bool:
        return (
            self.report is None
            or self.report.first_submitted_at is None
            or self.report.status in {ReportStatus.DRAFT, ReportStatus.RETURNED}
        )


def report_gaps(stations, months: list[date], today: date) -> list[ReportGap]:
    """Late and missing reports of operating stations for months whose due date has passed."""
    due_months = [m for m in months if due_date(m) < today]
    station_list = list(stations)
    reports = {
        (r.station_id, r.month): r for r in MonthlyReport.objects.filter(station__in=station_list, month__in=due_months)
    }
    gaps = []
    for month in due_months:
        for station in station_list:
            if station.opened_on is None or station.opened_on >= next_month(month):
                continue
            report = reports.get((station.pk, month))
            if report is None or not report.on_time:
                gaps.append(ReportGap(station, month, due_date(month), report))
    return gaps
