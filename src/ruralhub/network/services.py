"""The service network's rules: the only place that creates or changes stations and their records."""

import calendar
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from ruralhub.core.scoping import may
from ruralhub.programs.models import Program
from ruralhub.regions.choices import Kind, Level
from ruralhub.regions.models import Division

from .choices import (
    MONEY_KINDS,
    RECORD_SERVICE,
    STATUS_MOVES,
    RecordKind,
    ReportAction,
    ReportStatus,
    ReviewDecisionKind,
    Service,
    StationLevel,
    StationStatus,
)
from .models import (
    CheckIn,
    MonthlyReport,
    ReportEvent,
    ReviewDecision,
    ReviewRule,
    ServiceRecord,
    Station,
    StationService,
    StationStatusChange,
)

# 耿马: 每月25日前报送上月数据 — a month's report is due on the 25th of the next month.
REPORT_DUE_DAY = 25
# Where each level of station must stand.
LEVEL_DIVISION = {
    StationLevel.COUNTY_CENTRE: Level.COUNTY,
    StationLevel.TOWNSHIP_STATION: Level.TOWNSHIP,
    StationLevel.VILLAGE_POINT: Level.VILLAGE,
}
STATION_FIELDS = {
    "code",
    "status_since",  # on registration: the date the station entered the books (default today)
    "name",
    "level",
    "division",
    "host_type",
    "host",
    "operator_name",
    "operator_phone",
    "address",
    "opened_on",
    "is_demonstration",
    "is_central_funded",
    "opening_hours",
    "staff_count",
    "lat",
    "lng",
    "sign_photo",
}


# ---------------------------------------------------------------- stations


def _division(value) -> Division | None:
    if value is None or isinstance(value, Division):
        return value
    return Division.objects.filter(pk=str(value)).first()


def validate_station_place(level: str, division: Division | None) -> None:
    """A village point sits in a village and a township station in a township of a program county."""
    if division is None:
        raise ValidationError({"division": "请选择站点所在区划"})
    wanted = LEVEL_DIVISION[StationLevel(level)]
    if division.level != wanted:
        label = {Level.COUNTY: "县", Level.TOWNSHIP: "乡镇（街道）", Level.VILLAGE: "村"}[wanted]
        found = f"“{division.name}”是{division.get_level_display()}级"
        raise ValidationError({"division": f"{StationLevel(level).label}必须设在{label}，{found}"})
    if not Program.objects.filter(county_id=division.code[:6]).exists():
        raise ValidationError({"division": f"“{division.full_name}”不在开展示范项目的县内"})


def validate_central_funding(station: Station, served: list[Division]) -> None:
    """宁强 annex: one central-funded point per administrative village (−5 points)."""
    if not (station.is_central_funded and station.level == StationLevel.VILLAGE_POINT):
        return
    villages = {station.division_id} | {v.code for v in served}
    # A clash is another live central-funded point standing in, or serving, any of these villages.
    others = (
        Station.objects.filter(level=StationLevel.VILLAGE_POINT, is_central_funded=True)
        .exclude(status=StationStatus.CLOSED)
        .exclude(pk=station.pk)
    )
    clash = (
        others.filter(Q(division_id__in=villages) | Q(served_villages__in=villages))
        .select_related("division")
        .distinct()
        .first()
    )
    if clash:
        shared = ({clash.division_id} | set(clash.served_villages.values_list("code", flat=True))) & villages
        village = Division.objects.filter(code__in=shared).order_by("code").first() or clash.division
        raise ValidationError(
            {
                "is_central_funded": f"{village.name}已有中央资金支持的服务点“{clash.name}”（{clash.code}），"
                "每个行政村只能有一个"
            }
        )


def _served_villages(station: Station, served, actor=None) -> list[Division]:
    if served is None:
        return [station.division] if station.level == StationLevel.VILLAGE_POINT else []
    villages = [_division(v) for v in served]
    errors = [
        f"“{v}”不是村级区划" for v, d in zip(served, villages, strict=True) if d is None or d.level != Level.VILLAGE
    ]
    if errors:
        raise ValidationError({"served_villages": errors})
    county = station.division.code[:6]
    outside = [v.name for v in villages if not v.code.startswith(county)]
    if outside:
        raise ValidationError({"served_villages": [f"“{name}”不在本县" for name in outside]})
    if actor is not None and not isinstance(actor, _System):
        visible = set(
            Division.objects.visible_to(actor)
            .filter(code__in=[v.code for v in villages])
            .values_list("code", flat=True)
        )
        foreign = [v.name for v in villages if v.code not in visible]
        if foreign:
            raise ValidationError({"served_villages": [f"“{name}”不在您的管辖范围内" for name in foreign]})
    return villages


def _services(values) -> list[str]:
    unknown = [v for v in values if v not in Service.values]
    if unknown:
        raise ValidationError({"services": [f"未知的服务项目“{v}”" for v in unknown]})
    return list(dict.fromkeys(values))


def next_station_code(division: Division) -> str:
    """A station without a code gets "<division code>-<n>", the next free n in that division."""
    prefix = f"{division.code}-"
    # Codes are unique over all stations, so this reads all of them, not only the ones the actor sees.
    taken = Station.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in taken if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


@transaction.atomic
def save_station(actor, data: dict, instance: Station | None = None, *, services=None, served_villages=None) -> Station:
    """Create or update a station on behalf of ``actor``; raises ValidationError naming the field.

    ``services`` is a list of Service values; ``served_villages`` a list of villages (or codes) and
    defaults to the village point's own village.
    """
    unknown = set(data) - STATION_FIELDS
    if unknown:
        raise ValidationError({f: "不是服务站点的字段" for f in sorted(unknown)})
    if instance is None:
        if not may(actor, Station, "add"):
            raise ValidationError("您没有登记服务站点的权限")
        station = Station()
    else:
        if not Station.objects.filter(pk=instance.pk).visible_to(actor, "change").exists():
            raise ValidationError("您没有修改该站点的权限")
        station = instance
    values = dict(data)
    if "division" in values:
        code = values["division"]
        values["division"] = _division(code)
        if values["division"] is None:
            raise ValidationError({"division": f"区划代码“{code}”不存在"})
    for name in ("lat", "lng"):
        if values.get(name) is not None:
            try:
                values[name] = Decimal(str(values[name])).quantize(Decimal("0.000001"))
            except InvalidOperation as exc:
                raise ValidationError({name: f"坐标“{values[name]}”不是数字"}) from exc
    for name, value in values.items():
        setattr(station, name, value)
    if station.level not in StationLevel.values:
        raise ValidationError({"level": f"未知的站点层级“{station.level}”"})
    validate_station_place(station.level, station.division if station.division_id else None)
    if not station.code:
        station.code = next_station_code(station.division)
    if not Division.objects.filter(pk=station.division_id).visible_to(actor).exists():
        raise ValidationError({"division": "所选区划不在您的管辖范围内"})
    offered = _services(services) if services is not None else None
    if served_villages is not None:
        served = _served_villages(station, served_villages, actor)  # newly chosen villages: must be in scope
    else:
        served = _served_villages(station, None if instance is None else list(instance.served_villages.all()))
    validate_central_funding(station, served)
    station.full_clean(exclude=["served_villages", "replaced_by"])
    is_new = station.pk is None
    if is_new:
        station.status = StationStatus.PLANNED
        station.status_since = station.status_since or timezone.localdate()
    station.save()
    station.served_villages.set(served)
    if offered is not None:
        station.services.exclude(service__in=offered).delete()
        StationService.objects.bulk_create(
            [StationService(station=station, service=s) for s in offered], ignore_conflicts=True
        )
    if is_new:
        StationStatusChange.objects.create(
            station=station,
            status=station.status,
            effective_on=station.status_since or timezone.localdate(),
            changed_by=actor if getattr(actor, "pk", None) else None,
            reason="登记",
        )
    return station


@transaction.atomic
def change_status(
    actor, station: Station, status: str, effective_on: date, reason: str = "", replacement: Station | None = None
) -> Station:
    """Move a station along planned → building → operating → suspended → closed; the history is kept."""
    if not Station.objects.filter(pk=station.pk).visible_to(actor, "change").exists():
        raise ValidationError("您没有修改该站点状态的权限")
    if status not in StationStatus.values:
        raise ValidationError({"status": f"未知的状态“{status}”"})
    current = StationStatus(station.status)
    if status not in STATUS_MOVES[current]:
        raise ValidationError({"status": f"站点当前为“{current.label}”，不能变更为“{StationStatus(status).label}”"})
    if station.status_since and effective_on < station.status_since:
        raise ValidationError({"effective_on": f"生效日期不能早于当前状态的起始日 {station.status_since}"})
    if replacement is not None:
        if status != StationStatus.CLOSED:
            raise ValidationError({"replaced_by": "只有关闭的站点才能指定接替站点"})
        if replacement.pk == station.pk:
            raise ValidationError({"replaced_by": "接替站点不能是本站点"})
        station.replaced_by = replacement
    station.status = status
    station.status_since = effective_on
    if status == StationStatus.OPERATING and station.opened_on is None:
        station.opened_on = effective_on
    station.save(update_fields=["status", "status_since", "opened_on", "replaced_by"])
    StationStatusChange.objects.create(
        station=station, status=status, effective_on=effective_on, reason=reason, changed_by=actor
    )
    return station


def operating_periods(station: Station) -> list[tuple[date, date | None]]:
    """The station's operating spells from its status history: [(from, until-exclusive or None)]."""
    spells, start = [], None
    for status, day in station.status_changes.order_by("effective_on", "id").values_list("status", "effective_on"):
        if status == StationStatus.OPERATING and start is None:
            start = day
        elif status != StationStatus.OPERATING and start is not None:
            spells.append((start, day))
            start = None
    if start is not None:
        spells.append((start, None))
    return spells


def operating_on(station: Station, day: date) -> bool:
    if not hasattr(station, "_operating_spells"):
        station._operating_spells = operating_periods(station)
    return any(start <= day and (until is None or day < until) for start, until in station._operating_spells)


def operating_station_ids(county_code: str, on: date) -> set[int]:
    """Stations whose status on ``on`` was operating, read from the status history."""
    latest: dict[int, str] = {}
    changes = (
        StationStatusChange.objects.filter(station__division__code__startswith=county_code, effective_on__lte=on)
        .order_by("station_id", "effective_on", "id")
        .values_list("station_id", "status")
    )
    for station_id, status in changes.iterator(chunk_size=5000):
        latest[station_id] = status
    return {sid for sid, status in latest.items() if status == StationStatus.OPERATING}


# ---------------------------------------------------------------- daily records and check-ins


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def due_date(month: date) -> date:
    return next_month(month).replace(day=REPORT_DUE_DAY)


def _station_for(actor, station_or_id, model, action: str) -> Station:
    """The station ``actor`` acts at: in their view scope, with the role's permission on ``model``."""
    if not may(actor, model, action):
        raise ValidationError({"station": f"您没有{model._meta.verbose_name}的{action}权限"})
    station_id = station_or_id.pk if isinstance(station_or_id, Station) else station_or_id
    station = Station.objects.visible_to(actor).filter(pk=station_id).first()
    if station is None:
        raise ValidationError({"station": "该站点不存在或不是您负责的站点"})
    return station


def _locked_months(station: Station, months: set[date]) -> set[date]:
    return set(
        MonthlyReport.objects.filter(
            station=station,
            month__in=months,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED],
        ).values_list("month", flat=True)
    )


@dataclass
class RecordResult:
    created: int = 0
    duplicates: int = 0


def _parse_record(index: int, row: dict, offered: set[str], today: date) -> ServiceRecord:
    prefix = f"第{index}条"
    errors = {}
    kind = row.get("kind")
    # RECORD_SERVICE is keyed by every kind; RecordKind.values would rebuild its list on each row.
    if kind not in RECORD_SERVICE:
        errors["kind"] = f"{prefix}：未知的服务类型“{kind}”"
    elif RECORD_SERVICE[kind] not in offered:
        errors["kind"] = f"{prefix}：本站未开通“{Service(RECORD_SERVICE[RecordKind(kind)]).label}”服务"
    occurred_on = row.get("occurred_on") or today
    if isinstance(occurred_on, str):
        try:
            occurred_on = date.fromisoformat(occurred_on)
        except ValueError:
            errors["occurred_on"] = f"{prefix}：日期“{occurred_on}”格式应为YYYY-MM-DD"
    if isinstance(occurred_on, date) and occurred_on > today:
        errors["occurred_on"] = f"{prefix}：日期{occurred_on}在未来"
    count = row.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 10000:
        errors["count"] = f"{prefix}：次数应为1到10000的整数"
    try:
        amount = Decimal(str(row.get("amount") or 0))
        if not amount.is_finite() or amount < 0 or amount > Decimal("9999999999"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["amount"] = f"{prefix}：金额“{row.get('amount')}”无效"
        amount = Decimal(0)
    amount = amount.quantize(Decimal("0.01")) if "amount" not in errors else amount
    if kind in MONEY_KINDS and amount == 0 and "amount" not in errors:
        errors["amount"] = f"{prefix}：{RecordKind(kind).label}需要填写金额"
    client_id = str(row.get("client_id") or "").strip()
    if not client_id or len(client_id) > 64:
        errors["client_id"] = f"{prefix}：缺少客户端编号（client_id，1–64个字符）"
    villagers = row.get("villagers", count if isinstance(count, int) else 1)
    if not isinstance(villagers, int) or isinstance(villagers, bool) or not 0 <= villagers <= 100000:
        errors["villagers"] = f"{prefix}：服务人数应为0到100000的整数"
    if errors:
        raise ValidationError(errors)
    return ServiceRecord(
        kind=kind,
        occurred_on=occurred_on,
        count=count,
        amount=amount.quantize(Decimal("0.01")),
        villagers=villagers,
        note=str(row.get("note") or "")[:200],
        client_id=client_id,
    )


@transaction.atomic
def record_services(actor, station, rows: list[dict], today: date | None = None) -> RecordResult:
    """Store a batch of taps from the operator's phone; all or nothing, and each client_id only once.

    Each row: kind, count (default 1), amount (yuan, for 代购/代销), occurred_on (default today),
    villagers, note, client_id. A month already submitted or approved takes no new records.
    """
    if not isinstance(actor, _System):
        station = _station_for(actor, station, ServiceRecord, "add")
    today = today or timezone.localdate()
    offered = set(station.services.values_list("service", flat=True))
    records, errors = [], {}
    for index, row in enumerate(rows, start=1):
        try:
            records.append(_parse_record(index, row, offered, today))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    closed_days = sorted({r.occurred_on for r in records if not operating_on(station, r.occurred_on)})
    if closed_days:
        days = "、".join(str(d) for d in closed_days[:5])
        raise ValidationError({"occurred_on": f"站点在{days}不在运营中，不能记录服务"})
    locked = _locked_months(station, {month_start(r.occurred_on) for r in records})
    if locked:
        months = "、".join(f"{m:%Y年%m月}" for m in sorted(locked))
        raise ValidationError({"occurred_on": f"{months}的月报已报送或已审核，不能再添加记录"})
    wanted = {r.client_id for r in records}
    seen = set(ServiceRecord.objects.filter(station=station, client_id__in=wanted).values_list("client_id", flat=True))
    fresh, in_batch = [], set()
    for record in records:
        if record.client_id in seen or record.client_id in in_batch:
            continue
        in_batch.add(record.client_id)
        record.station = station
        record.recorded_by = actor if getattr(actor, "pk", None) else None
        fresh.append(record)
    created = _insert_records(fresh)
    return RecordResult(created=created, duplicates=len(records) - created)


RECORD_COLUMNS = (
    "station",
    "kind",
    "occurred_on",
    "count",
    "amount",
    "villagers",
    "note",
    "client_id",
    "recorded_by",
    "created_at",
)


INSERT_CHUNK = 500  # rows per statement: 5,000 parameters, well inside SQLite's and PostgreSQL's limits


def _insert_records(records: list[ServiceRecord]) -> int:
    """Insert validated records with multi-row INSERTs; a client_id stored meanwhile is skipped, not an error.

    The hot path of ingestion (≥10,000 records/s on SQLite): there the ORM's bulk_create spends most of its
    time preparing each value, so the few typed values are adapted here with the backend's own adapters.
    """
    if not records:
        return 0
    if connection.vendor == "postgresql":
        # Django's bulk_create is the faster insert on PostgreSQL (it sends columns as arrays).
        try:
            with transaction.atomic():
                ServiceRecord.objects.bulk_create(records, batch_size=2000)
            return len(records)
        except IntegrityError:
            pass  # a client_id was stored meanwhile: fall through to the insert that skips it
    ops = connection.ops
    meta = ServiceRecord._meta
    columns = ", ".join(ops.quote_name(meta.get_field(name).column) for name in RECORD_COLUMNS)
    conflict = ", ".join(ops.quote_name(meta.get_field(name).column) for name in ("station", "client_id"))
    row_sql = f"({', '.join(['%s'] * len(RECORD_COLUMNS))})"
    now = ops.adapt_datetimefield_value(timezone.now())
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(records), INSERT_CHUNK):
            chunk = records[start : start + INSERT_CHUNK]
            params = []
            for r in chunk:
                params += [
                    r.station_id,
                    r.kind,
                    ops.adapt_datefield_value(r.occurred_on),
                    r.count,
                    ops.adapt_decimalfield_value(r.amount, 12, 2),
                    r.villagers,
                    r.note,
                    r.client_id,
                    r.recorded_by_id,
                    now,
                ]
            cursor.execute(
                f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} "
                f"ON CONFLICT ({conflict}) DO NOTHING",
                params,
            )
            inserted += cursor.rowcount
    return inserted


class _System:
    """The demo generator and benchmarks write records without a signed-in user."""

    pk = None
    is_authenticated = False


SYSTEM = _System()


@transaction.atomic
def check_in(actor, station, at: datetime | None = None, lat=None, lng=None) -> tuple[CheckIn, bool]:
    """考勤 when the station opens; checking in twice on one day keeps the first. Returns (check-in, created)."""
    station = _station_for(actor, station, CheckIn, "add")
    for name, value, bound in (("lat", lat, 90), ("lng", lng, 180)):
        if value is not None and not (
            isinstance(value, (int, float, Decimal)) and -bound <= Decimal(str(value)) <= bound
        ):
            raise ValidationError({name: f"坐标“{value}”超出范围（±{bound}）"})
    lat = None if lat is None else Decimal(str(lat)).quantize(Decimal("0.000001"))
    lng = None if lng is None else Decimal(str(lng)).quantize(Decimal("0.000001"))
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    if station.status != StationStatus.OPERATING:
        raise ValidationError({"station": f"站点状态为“{station.get_status_display()}”，不能签到"})
    try:
        with transaction.atomic():
            return CheckIn.objects.create(station=station, day=day, at=at, user=actor, lat=lat, lng=lng), True
    except IntegrityError:
        return CheckIn.objects.get(station=station, day=day), False


# ---------------------------------------------------------------- monthly reports


def _yuan(value) -> Decimal:
    """Sums come back from SQLite with float noise ("462.170000000000"); money keeps two places."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def month_figures(station: Station, month: date) -> dict:
    """The month's counts and yuan per kind of service, built from the daily records."""
    rows = (
        ServiceRecord.objects.filter(station=station, occurred_on__gte=month, occurred_on__lt=next_month(month))
        .values("kind")
        .annotate(count=Sum("count"), amount=Sum("amount"), villagers=Sum("villagers"), records=Count("id"))
    )
    by_kind = {
        r["kind"]: {"count": r["count"], "amount": str(_yuan(r["amount"])), "villagers": r["villagers"]} for r in rows
    }
    return by_kind


def _apply_figures(report: MonthlyReport, by_kind: dict) -> None:
    report.figures = by_kind
    report.total_services = sum(v["count"] for v in by_kind.values())
    report.parcels_in = by_kind.get(RecordKind.PARCEL_IN, {}).get("count", 0)
    report.parcels_out = by_kind.get(RecordKind.PARCEL_OUT, {}).get("count", 0)
    report.purchase_amount = Decimal(by_kind.get(RecordKind.PURCHASE, {}).get("amount", "0"))
    report.sale_amount = Decimal(by_kind.get(RecordKind.SALE, {}).get("amount", "0"))
    report.villagers_served = sum(v["villagers"] for v in by_kind.values())


def draft_report(station: Station, month: date) -> MonthlyReport:
    """This month's figures as they stand, stored as an unsubmitted report (no state change if locked)."""
    month = month_start(month)
    report, _created = MonthlyReport.objects.get_or_create(
        station=station, month=month, defaults={"due_on": due_date(month)}
    )
    if not report.is_locked:
        _apply_figures(report, month_figures(station, month))
        report.save()
    return report


def _report_for(actor, report_or_id, action: str) -> MonthlyReport:
    report_id = report_or_id.pk if isinstance(report_or_id, MonthlyReport) else report_or_id
    report = MonthlyReport.objects.visible_to(actor, action).select_related("station").filter(pk=report_id).first()
    if report is None:
        raise ValidationError({"report": "该月报不存在或不在您的审核范围内"})
    return report


def _event(report, action, actor, reason="", at=None):
    ReportEvent.objects.create(report=report, action=action, user=actor, reason=reason, at=at or timezone.now())


@transaction.atomic
def submit_report(actor, station, month: date, at: datetime | None = None) -> MonthlyReport:
    """The operator submits a month (not a future or the current unfinished month is fine, a future one is not)."""
    station = _station_for(actor, station, MonthlyReport, "submit")
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


@transaction.atomic
def approve_report(actor, report, at: datetime | None = None) -> MonthlyReport:
    """The township officer approves a submitted month; it is then locked."""
    report = _report_for(actor, report, "approve")
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError({"status": f"只有已报送的月报才能审核，当前为“{report.get_status_display()}”"})
    report.status = ReportStatus.APPROVED
    report.save(update_fields=["status"])
    _event(report, ReportAction.APPROVE, actor, at=at)
    return report


@transaction.atomic
def accept_report(actor, report, at: datetime | None = None) -> MonthlyReport:
    """The county office accepts a month the township approved."""
    report = _report_for(actor, report, "accept")
    if report.status != ReportStatus.APPROVED:
        raise ValidationError({"status": f"只有乡镇已审核的月报才能确认，当前为“{report.get_status_display()}”"})
    report.status = ReportStatus.ACCEPTED
    report.save(update_fields=["status"])
    _event(report, ReportAction.ACCEPT, actor, at=at)
    return report


@transaction.atomic
def return_report(actor, report, reason: str) -> MonthlyReport:
    """A higher level sends a month back with a reason (the township a submitted one; the county any)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回必须说明原因"})
    if may(actor, MonthlyReport, "accept"):
        report = _report_for(actor, report, "accept")
        allowed = {ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED}
    else:
        report = _report_for(actor, report, "approve")
        allowed = {ReportStatus.SUBMITTED}
    if report.status not in allowed:
        raise ValidationError({"status": f"当前为“{report.get_status_display()}”，您不能退回"})
    report.status = ReportStatus.RETURNED
    report.save(update_fields=["status"])
    _event(report, ReportAction.RETURN, actor, reason=reason)
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


# ---------------------------------------------------------------- coverage


@dataclass
class TownshipCoverage:
    township: Division
    villages: int = 0
    covered: int = 0
    poverty: int = 0
    poverty_covered: int = 0
    communities: int = 0
    communities_covered: int = 0
    operating_points: int = 0
    has_station: bool = False

    @property
    def pct(self) -> Decimal | None:
        return pct(self.covered, self.villages)


@dataclass
class Coverage:
    county: Division
    on: date
    townships: list[TownshipCoverage] = field(default_factory=list)
    covered_codes: set[str] = field(default_factory=set)
    operating_ids: set[int] = field(default_factory=set)

    def _sum(self, name):
        return sum(getattr(t, name) for t in self.townships)

    @property
    def villages(self):
        return self._sum("villages")

    @property
    def covered(self):
        return self._sum("covered")

    @property
    def village_pct(self):
        return pct(self.covered, self.villages)

    @property
    def poverty(self):
        return self._sum("poverty")

    @property
    def poverty_covered(self):
        return self._sum("poverty_covered")

    @property
    def poverty_pct(self):
        return pct(self.poverty_covered, self.poverty)

    @property
    def communities(self):
        return self._sum("communities")

    @property
    def communities_covered(self):
        return self._sum("communities_covered")

    @property
    def township_stations(self):
        return sum(1 for t in self.townships if t.has_station)

    @property
    def township_pct(self):
        return pct(self.township_stations, len(self.townships))

    @property
    def operating_points(self):
        return self._sum("operating_points")


def pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def coverage(county_code: str, on: date) -> Coverage:
    """Which villages an operating village point serves on ``on``, per township and for the county.

    The plans' denominator is administrative villages (村委会); 社区 are counted separately.
    """
    county = Division.objects.get(code=county_code)
    operating = operating_station_ids(county_code, on)
    stations = list(Station.objects.filter(pk__in=operating).values_list("pk", "level", "division_id"))
    point_ids = [pk for pk, level, _d in stations if level == StationLevel.VILLAGE_POINT]
    township_with_station = {d[:9] for _pk, level, d in stations if level == StationLevel.TOWNSHIP_STATION}
    covered = set(
        Station.served_villages.through.objects.filter(station_id__in=point_ids).values_list("division_id", flat=True)
    )
    points_per_township = defaultdict(int)
    for _pk, level, d in stations:
        if level == StationLevel.VILLAGE_POINT:
            points_per_township[d[:9]] += 1
    result = Coverage(county=county, on=on, covered_codes=covered, operating_ids=operating)
    rows = {t.code: TownshipCoverage(t) for t in Division.objects.within(county_code).townships()}
    villages = Division.objects.within(county_code).villages().values_list("code", "kind", "poverty_status")
    for code, kind, poverty in villages:
        row = rows[code[:9]]
        is_covered = code in covered
        if kind == Kind.VILLAGE_COMMITTEE:
            row.villages += 1
            row.covered += is_covered
            if poverty:
                row.poverty += 1
                row.poverty_covered += is_covered
        else:
            row.communities += 1
            row.communities_covered += is_covered
    for code, row in rows.items():
        row.has_station = code in township_with_station
        row.operating_points = points_per_township[code]
    result.townships = list(rows.values())
    return result


def distance_km(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance; GCJ-02 offsets are far below what matters for 'nearest point'."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


@dataclass
class Gap:
    village: Division
    nearest: Station | None = None
    distance_km: float | None = None
    estimated: bool = False  # measured from the township's point because the village has none


def coverage_gaps(cov: Coverage, stations=None) -> list[Gap]:
    """Uncovered administrative villages, each with the nearest operating point where coordinates allow.

    ``stations`` limits the candidates for "nearest" (a user's visible stations); default all.
    """
    uncovered = list(
        Division.objects.within(cov.county.code)
        .administrative_villages()
        .exclude(code__in=cov.covered_codes)
        .select_related("parent")
    )
    points = list(
        (stations if stations is not None else Station.objects)
        .filter(pk__in=cov.operating_ids, level=StationLevel.VILLAGE_POINT)
        .exclude(lat=None)
        .only("pk", "name", "code", "lat", "lng", "division_id")
    )
    gaps = []
    for village in uncovered:
        gap = Gap(village)
        origin = (village.lat, village.lng) if village.lat is not None else (village.parent.lat, village.parent.lng)
        gap.estimated = village.lat is None
        if origin[0] is not None and points:
            best = min(points, key=lambda s: distance_km(origin[0], origin[1], s.lat, s.lng))
            gap.nearest = best
            gap.distance_km = round(distance_km(origin[0], origin[1], best.lat, best.lng), 1)
        gaps.append(gap)
    return gaps


# ---------------------------------------------------------------- under-performer review


def review_rule(county_code: str) -> ReviewRule:
    rule, _created = ReviewRule.objects.get_or_create(county_id=county_code)
    return rule


@transaction.atomic
def save_review_rule(actor, rule: ReviewRule, data: dict) -> ReviewRule:
    """The county office sets its review rule (1–24 months, a monthly minimum, whether acceptance counts)."""
    if not ReviewRule.objects.filter(pk=rule.pk).visible_to(actor, "change").exists():
        raise ValidationError("只有县电商办可以修改考核规则")
    for name in ("months", "min_services", "require_accepted_report"):
        if name in data:
            setattr(rule, name, data[name])
    rule.full_clean()
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
        ServiceRecord.objects.filter(station__in=stations, occurred_on__gte=bounds[0], occurred_on__lt=bounds[-1])
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
    """Record the county office's decision; closing a station also closes it in the status history."""
    if not may(actor, ReviewDecision, "add"):
        raise ValidationError("只有县电商办可以作出站点考核决定")
    station = _station_for(actor, station, ReviewDecision, "add")
    today = today or timezone.localdate()
    if decision not in ReviewDecisionKind.values:
        raise ValidationError({"decision": f"未知的决定“{decision}”"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请说明理由"})
    if decision == ReviewDecisionKind.RECTIFY and (rectify_by is None or rectify_by <= today):
        raise ValidationError({"rectify_by": "限期整改须指定今天以后的整改期限"})
    if decision == ReviewDecisionKind.CLOSE:
        change_status(actor, station, StationStatus.CLOSED, today, reason, replacement=replacement)
    return ReviewDecision.objects.create(
        station=station,
        decision=decision,
        reason=reason.strip(),
        rectify_by=rectify_by,
        replacement=replacement,
        decided_by=actor,
        decided_on=today,
    )


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])
