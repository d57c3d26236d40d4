"""Monthly reports: built from the records, submitted, approved, accepted or sent back."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ruralhub.core.cache import bump_county
from ruralhub.core.dates import month_end, month_start, next_month
from ruralhub.core.scoping import may, require
from ruralhub.core.validators import REASON_MAX_LENGTH

from ..choices import (
    MONEY_KINDS,
    RecordKind,
    ReportAction,
    ReportStatus,
)
from ..models import (
    COUNTED,
    MonthlyReport,
    ReportEvent,
    ServiceRecord,
    Station,
)
from .records import station_for, tap_limits
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
        ServiceRecord.objects.filter(
            COUNTED, station=station, occurred_on__gte=month, occurred_on__lt=next_month(month)
        )
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
    bump_county("network", report.station.division_id, "reports")


@transaction.atomic
def submit_report(actor, station, month: date, at: datetime | None = None) -> MonthlyReport:
    """The operator submits a month from its last day on.

    The station row is locked first, as ``record_services`` does, so no record slips in between the
    figures being taken and the month being locked.
    """
    station = station_for(actor, station, MonthlyReport, "submit")
    at = at or timezone.now()
    month = month_start(month)
    today = timezone.localtime(at).date()
    if month > month_start(today):
        raise ValidationError({"month": f"{month:%Y年%m月}尚未开始，不能报送"})
    last_day = month_end(month)
    # From the last day on only: the report is due on the 25th of the next month, so an earlier
    # submission gains nothing and would lock days whose services have not been given yet.
    if today < last_day:
        raise ValidationError(
            {
                "month": _("%(month)s尚未结束，%(day)s起才能报送")
                % {"month": f"{month:%Y年%m月}", "day": f"{last_day:%m月%d日}"}
            }
        )
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


def deadline(due_on: date) -> datetime:
    """The moment a month is late: the day after its due day begins, in Beijing."""
    return timezone.make_aware(datetime.combine(due_on + timedelta(days=1), time()), timezone.get_default_timezone())


@dataclass
class ReportGap:
    station_id: int
    station_name: str
    division_name: str
    month: date
    due_on: date
    first_submitted_at: datetime | None
    status: str | None

    @property
    def is_missing(self) -> bool:
        return self.first_submitted_at is None or self.status in {ReportStatus.DRAFT, ReportStatus.RETURNED}


def report_gaps(stations, months: list[date], today: date) -> list[ReportGap]:
    """Late and missing reports of the given stations for months whose due date has passed.

    Three queries whatever the size, as plain rows: the stations, which of their months came in on time (first
    submitted by the due day and not sent back since), and the state of the rest.
    """
    due_months = [m for m in months if due_date(m) < today]
    if not due_months:
        return []
    if not isinstance(stations, QuerySet):
        stations = Station.objects.filter(pk__in=[s.pk for s in stations])
    stations = stations.order_by("division_id", "code")
    in_time = Q()
    for month in due_months:
        in_time |= Q(month=month, first_submitted_at__lt=deadline(due_date(month)))
    in_time &= Q(status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED])
    reports = MonthlyReport.objects.filter(station__in=stations.values("pk"), month__in=due_months).order_by()
    on_time = set(reports.filter(in_time).values_list("station_id", "month"))
    others = {
        (station_id, month): (status, first)
        for station_id, month, status, first in reports.exclude(in_time).values_list(
            "station_id", "month", "status", "first_submitted_at"
        )
    }
    rows = list(stations.values_list("pk", "name", "division__name", "opened_on"))
    gaps = []
    for month in due_months:
        due_on, end = due_date(month), next_month(month)
        for pk, name, place, opened_on in rows:
            if opened_on is None or opened_on >= end or (pk, month) in on_time:
                continue
            status, first = others.get((pk, month), (None, None))
            gaps.append(ReportGap(pk, name, place, month, due_on, first, status))
    return gaps


# A tap far above the station's own usual: this many times its average tap of that service …
HISTORY_FACTOR = 5
# … over the months before (6), once it has at least this many taps of that service to judge by.
HISTORY_MONTHS = 6
HISTORY_MIN_TAPS = 10


@dataclass
class RecordLine:
    record: ServiceRecord
    above_county_flag: bool = False
    times_usual: Decimal | None = None  # how many times the station's average tap, when far above it

    @property
    def is_outlier(self) -> bool:
        return self.above_county_flag or self.times_usual is not None


@dataclass
class ServiceLines:
    kind: str
    label: str
    figures: dict  # the month's totals as month_figures gives them (voided taps left out)
    usual_per_month: Decimal | None  # the station's monthly average of this service before the month
    lines: list[RecordLine] = field(default_factory=list)

    @property
    def outliers(self) -> int:
        return sum(line.is_outlier for line in self.lines)

    @property
    def voided(self) -> int:
        return sum(line.record.voided_at is not None for line in self.lines)


def _measure(kind: str, count, amount) -> Decimal:
    """What a tap is judged by: yuan for 代购/代销, the count for the rest."""
    return Decimal(str(amount or 0)) if kind in MONEY_KINDS else Decimal(count or 0)


def report_lines(station: Station, month: date) -> list[ServiceLines]:
    """The month's figures by service with every tap behind them (voided ones too, marked), outliers flagged.

    A tap is an outlier above the county's reminder values (as stored when tapped, or by today's rule) or
    when it is far above the station's average tap of that service over the months before.
    """
    month = month_start(month)
    limits = tap_limits(station)
    since = month
    for _n in range(HISTORY_MONTHS):
        since = month_start(since - timedelta(days=1))
    if station.opened_on and station.opened_on > since:
        since = month_start(station.opened_on)
    months_before = (month.year - since.year) * 12 + month.month - since.month
    history = {
        row["kind"]: row
        for row in ServiceRecord.objects.filter(COUNTED, station=station, occurred_on__gte=since, occurred_on__lt=month)
        .values("kind")
        .annotate(taps=Count("id"), count=Sum("count"), amount=Sum("amount"))
        .order_by()
    }
    labels = dict(RecordKind.choices)
    figures = month_figures(station, month)
    groups: dict[str, ServiceLines] = {}
    for kind in list(figures) + [k for k in labels if k not in figures]:
        past = history.get(kind)
        usual = None
        if past and months_before > 0:
            usual = (_measure(kind, past["count"], past["amount"]) / months_before).quantize(Decimal("0.01"))
        groups[kind] = ServiceLines(kind, labels[kind], figures.get(kind, {}), usual)
    records = ServiceRecord.objects.filter(
        station=station, occurred_on__gte=month, occurred_on__lt=next_month(month)
    ).select_related("voided_by", "replaces")
    for record in records.order_by("occurred_on", "id"):
        line = RecordLine(record)
        if record.voided_at is None:
            line.above_county_flag = (
                record.flagged or record.count > limits.flag_count or record.amount > limits.flag_amount
            )
            past = history.get(record.kind)
            if past and past["taps"] >= HISTORY_MIN_TAPS:
                average = _measure(record.kind, past["count"], past["amount"]) / past["taps"]
                measure = _measure(record.kind, record.count, record.amount)
                if average > 0 and measure > HISTORY_FACTOR * average:
                    line.times_usual = (measure / average).quantize(Decimal("0.1"))
        groups[record.kind].lines.append(line)
    return [g for g in groups.values() if g.lines or g.figures]


def return_reasons(reports) -> dict[int, ReportEvent]:
    """The latest 退回 of each of ``reports`` (ids or objects): what the operator is asked to put right."""
    ids = [getattr(r, "pk", r) for r in reports]
    latest = {}
    for event in ReportEvent.objects.filter(report_id__in=ids, action=ReportAction.RETURN).order_by("at", "id"):
        latest[event.report_id] = event
    return latest
