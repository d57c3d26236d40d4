"""Under-performer review (翁源: 定期淘汰不能充分发挥效能的站点并进行增补)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from ruralhub.core.dates import month_start, next_month
from ruralhub.core.scoping import require
from ruralhub.core.validators import REASON_MAX_LENGTH
from ruralhub.programs.services import plan_data

from ..choices import (
    ReportStatus,
    ReviewDecisionKind,
    StationLevel,
    StationStatus,
)
from ..models import (
    COUNTED,
    MonthlyReport,
    ReviewDecision,
    ReviewRule,
    ServiceRecord,
    Station,
)
from .stations import change_status, check_replacement, history_by, locked_station
from .text import checked_text


def plan_sentence(county_code: str) -> str:
    """The county's plan sentence on reviewing stations (翁源: 定期淘汰…并进行增补); "" when its plan has none."""
    try:
        data = plan_data(county_code)
    except ValidationError:  # a county with no plan data
        return ""
    return data["program"].get("station_review_citation", "")


def review_rule(county_code: str) -> ReviewRule:
    rule, _created = ReviewRule.objects.get_or_create(county_id=county_code)
    return rule


RULE_FIELDS = (
    "months",
    "min_services",
    "require_accepted_report",
    "max_count",
    "flag_count",
    "max_amount",
    "flag_amount",
)


@transaction.atomic
def save_review_rule(actor, rule: ReviewRule, data: dict) -> ReviewRule:
    """The county office sets its review rule (1–24 months, a monthly minimum, whether acceptance counts)
    and its limits on one tap (a cap that refuses, a lower value that flags)."""
    require(actor, rule, "change", "只有县电商办可以修改考核规则")
    rule = ReviewRule.objects.select_for_update().get(pk=rule.pk)
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    rule.full_clean()
    errors = {}
    if rule.flag_count > rule.max_count:
        errors["flag_count"] = f"提醒值不能大于上限{rule.max_count}"
    if rule.flag_amount > rule.max_amount:
        errors["flag_amount"] = f"提醒值不能大于上限{rule.max_amount}元"
    if errors:
        raise ValidationError(errors)
    history_by(rule, actor, "修改考核规则")
    rule.save()
    return rule


@dataclass
class Candidate:
    station: Station
    months: list[dict]  # [{"month": date, "services": n, "report": status or ""}]
    last_decision: ReviewDecision | None = None


def underperformers(county_code: str, as_of: date, rule: ReviewRule | None = None) -> list[Candidate]:
    """Operating stations that fell short in every one of the rule's last N complete months."""
    rule = rule or review_rule(county_code)
    last = month_start(as_of.replace(day=1) - timedelta(days=1))
    months = [last]
    for _ in range(rule.months - 1):
        months.append(month_start(months[-1] - timedelta(days=1)))
    months.reverse()
    stations = list(
        Station.objects.filter(division__code__startswith=county_code, status=StationStatus.OPERATING)
        .exclude(level=StationLevel.COUNTY_CENTRE)
        .filter(opened_on__lt=months[0])
        .select_related("division")
    )
    totals = defaultdict(int)
    bounds = [*months, next_month(last)]
    # One conditional sum per month: no per-row date function (a Python UDF on SQLite), one row per station.
    per_month = {
        f"m{i}": Sum("count", filter=Q(occurred_on__gte=bounds[i], occurred_on__lt=bounds[i + 1]))
        for i in range(len(months))
    }
    rows = (
        ServiceRecord.objects.filter(
            COUNTED, station__in=stations, occurred_on__gte=bounds[0], occurred_on__lt=bounds[-1]
        )
        .values("station_id")
        .annotate(**per_month)
    )
    for row in rows:
        for i, month in enumerate(months):
            totals[(row["station_id"], month)] = row[f"m{i}"] or 0
    reports = MonthlyReport.objects.filter(station__in=stations, month__in=months)
    statuses = {(sid, month): status for sid, month, status in reports.values_list("station_id", "month", "status")}
    decisions = {}
    for d in ReviewDecision.objects.filter(station__in=stations).order_by("decided_on", "id"):
        decisions[d.station_id] = d
    candidates = []
    for station in stations:
        detail, short_every_month = [], True
        for month in months:
            n = totals[(station.pk, month)]
            status = statuses.get((station.pk, month), "")
            short = n < rule.min_services or (rule.require_accepted_report and status != ReportStatus.ACCEPTED)
            short_every_month &= short
            label = ReportStatus(status).label if status else ""
            detail.append({"month": month, "services": n, "report": status, "report_label": label})
        if short_every_month:
            candidates.append(Candidate(station, detail, decisions.get(station.pk)))
    return candidates


@transaction.atomic
def decide_review(
    actor,
    station,
    decision: str,
    reason: str,
    *,
    rectify_by: date | None = None,
    replacement: Station | None = None,
    today: date | None = None,
) -> ReviewDecision:
    """Record the county office's decision; closing a station also closes it in the status history.

    The station row is locked, so two decisions at once queue and the second sees the first's outcome.
    """
    require(actor, ReviewDecision, "add", "只有县电商办可以作出站点考核决定")
    station = require(actor, locked_station(station))
    today = today or timezone.localdate()
    if decision not in ReviewDecisionKind.values:
        raise ValidationError({"decision": f"未知的决定“{decision}”"})
    reason = checked_text("reason", "理由", reason, REASON_MAX_LENGTH, required="请说明理由")
    if decision == ReviewDecisionKind.RECTIFY and (rectify_by is None or rectify_by <= today):
        raise ValidationError({"rectify_by": "限期整改须指定今天以后的整改期限"})
    replacement = check_replacement(actor, station, replacement, "replacement")
    if decision == ReviewDecisionKind.CLOSE:
        change_status(actor, station, StationStatus.CLOSED, today, reason, replacement=replacement)
    return ReviewDecision.objects.create(
        station=station,
        decision=decision,
        reason=reason,
        rectify_by=rectify_by,
        replacement=replacement,
        decided_by=actor if getattr(actor, "pk", None) else None,
        decided_on=today,
    )
