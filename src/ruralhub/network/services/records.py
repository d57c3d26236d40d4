"""Daily records (one tap each) and check-ins from the operator's phone."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ruralhub.core.cache import bump_county
from ruralhub.core.dates import month_start, next_month
from ruralhub.core.scoping import require
from ruralhub.core.validators import REASON_MAX_LENGTH

from ..choices import (
    MONEY_KINDS,
    RECORD_SERVICE,
    RecordKind,
    ReportStatus,
    Service,
)
from ..models import (
    COUNTED,
    CheckIn,
    MonthlyReport,
    ReviewRule,
    ServiceRecord,
    Station,
)
from .stations import locked_station, operating_on
from .text import checked_text

# What a month's report can hold (MonthlyReport: positive integers, 14-digit yuan amounts).
MAX_MONTH_COUNT = 2_147_483_647
MAX_MONTH_AMOUNT = Decimal("999999999999.99")


def station_for(actor, station_or_id, model, action: str) -> Station:
    """The station ``actor`` acts at, locked: the role may ``action`` ``model`` and the station is in view scope.

    Recording, submitting a month and checking in all lock the station row, so a month's records and its
    report's figures cannot pass each other.
    """
    require(actor, model, action)
    return require(actor, locked_station(station_or_id))


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


def tap_limits(station: Station) -> ReviewRule:
    """The county's limits on one tap (its review rule, or the defaults while it has none)."""
    county = station.division_id[:6]
    return ReviewRule.objects.filter(county_id=county).first() or ReviewRule(county_id=county)


def _parse_record(prefix: str, row: dict, offered: set[str], today: date, limits: ReviewRule) -> ServiceRecord:
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
    if "count" not in errors and count > limits.max_count:
        errors["count"] = f"{prefix}：次数{count}超过本县单条记录上限{limits.max_count}"
    if "amount" not in errors and amount > limits.max_amount:
        errors["amount"] = f"{prefix}：金额{amount}元超过本县单条记录上限{limits.max_amount}元"
    client_id = str(row.get("client_id") or "").strip()
    if not client_id or len(client_id) > 64:
        errors["client_id"] = f"{prefix}：缺少客户端编号（client_id，1–64个字符）"
    elif "\x00" in client_id:
        errors["client_id"] = f"{prefix}：客户端编号不能包含NUL字符"
    note = str(row.get("note") or "").strip()
    if "\x00" in note:
        errors["note"] = f"{prefix}：备注不能包含NUL字符"
    elif len(note) > 200:
        errors["note"] = f"{prefix}：备注不能超过200个字符"
    villagers = row.get("villagers", count if isinstance(count, int) else 1)
    if not isinstance(villagers, int) or isinstance(villagers, bool) or not 0 <= villagers <= 100000:
        errors["villagers"] = f"{prefix}：服务人数应为0到100000的整数"
    if errors:
        raise ValidationError(errors)
    return ServiceRecord(
        kind=kind,
        occurred_on=occurred_on,
        count=count,
        amount=amount,
        villagers=villagers,
        note=note,
        client_id=client_id,
        flagged=count > limits.flag_count or amount > limits.flag_amount,
    )


@transaction.atomic
def record_services(actor, station, rows: list[dict], today: date | None = None) -> RecordResult:
    """Store a batch of taps from the operator's phone; all or nothing, and each client_id only once.

    Each row: kind, count (default 1), amount (yuan, for 代购/代销), occurred_on (default today),
    villagers, note, client_id. A month already submitted or approved takes no new records. A tap above
    the county's cap is refused; one above its reminder value is stored flagged for the approver.
    """
    station = station_for(actor, station, ServiceRecord, "add")
    today = today or timezone.localdate()
    offered = set(station.services.values_list("service", flat=True))
    limits = tap_limits(station)
    records, errors = [], {}
    for index, row in enumerate(rows, start=1):
        try:
            records.append(_parse_record(f"第{index}条", row, offered, today, limits))
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
    _check_month_totals(station, fresh)
    created = _insert_records(fresh)
    if created:
        bump_county("network", station.division_id, "records")
    return RecordResult(created=created, duplicates=len(records) - created)


def _check_month_totals(station: Station, records: list[ServiceRecord]) -> None:
    """A month's totals must fit its report, or the month could never be submitted."""
    by_month = defaultdict(list)
    for r in records:
        by_month[month_start(r.occurred_on)].append(r)
    for month, new in sorted(by_month.items()):
        stored = ServiceRecord.objects.filter(
            COUNTED, station=station, occurred_on__gte=month, occurred_on__lt=next_month(month)
        ).aggregate(
            count=Sum("count"),
            villagers=Sum("villagers"),
            purchase=Sum("amount", filter=Q(kind=RecordKind.PURCHASE)),
            sale=Sum("amount", filter=Q(kind=RecordKind.SALE)),
        )
        count = (stored["count"] or 0) + sum(r.count for r in new)
        villagers = (stored["villagers"] or 0) + sum(r.villagers for r in new)
        amounts = {
            kind: Decimal(str(stored[key] or 0)) + sum((r.amount for r in new if r.kind == kind), Decimal(0))
            for key, kind in (("purchase", RecordKind.PURCHASE), ("sale", RecordKind.SALE))
        }
        if count > MAX_MONTH_COUNT or villagers > MAX_MONTH_COUNT:
            raise ValidationError({"count": f"{month:%Y年%m月}的服务次数合计超出月报能容纳的范围，请核对"})
        if any(total > MAX_MONTH_AMOUNT for total in amounts.values()):
            raise ValidationError({"amount": f"{month:%Y年%m月}的金额合计超出月报能容纳的范围，请核对"})


RECORD_COLUMNS = (
    "station",
    "kind",
    "occurred_on",
    "count",
    "amount",
    "villagers",
    "note",
    "client_id",
    "flagged",
    "void_reason",
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
                    r.flagged,
                    r.void_reason,
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


@transaction.atomic
def void_record(
    actor, record, reason: str, *, count=None, amount=None, today: date | None = None
) -> ServiceRecord | None:
    """Void a wrong tap, with a reason; given a new count or amount, enter the corrected tap in its place.

    Only while the tap's month is open or sent back: a submitted month is what the township approves.
    The voided row stays (who, when, why) and no longer counts. Returns the correction, if one was entered.
    """
    record_id = getattr(record, "pk", record)
    record = ServiceRecord.objects.filter(pk=record_id).first()
    if record is None:
        raise Http404
    require(actor, record, "add")  # 404 outside the actor's stations, 403 for a role that does not record
    station = locked_station(record.station_id)  # the lock record_services and submit_report take first
    record = ServiceRecord.objects.select_for_update().get(pk=record_id)
    reason = checked_text("reason", _("作废原因"), reason, REASON_MAX_LENGTH, required=_("作废或更正必须说明原因"))
    label = f"{record.occurred_on} {record.get_kind_display()}"
    if record.voided_at:
        voided = timezone.localtime(record.voided_at)
        raise ValidationError(
            {"record": _("%(record)s这条记录已于%(at)s作废") % {"record": label, "at": f"{voided:%m-%d %H:%M}"}}
        )
    month = month_start(record.occurred_on)
    if _locked_months(station, {month}):
        raise ValidationError(
            {
                "record": _("%(month)s的月报已报送或已审核，不能作废或更正其中的记录；退回后可以更正")
                % {"month": f"{month:%Y年%m月}"}
            }
        )
    record.voided_at = timezone.now()
    record.voided_by = actor if getattr(actor, "pk", None) else None
    record.void_reason = reason
    record.save(update_fields=["voided_at", "voided_by", "void_reason"])
    correction = None
    if count is not None or amount is not None:
        row = {
            "kind": record.kind,
            "occurred_on": record.occurred_on,
            "count": record.count if count is None else count,
            "amount": record.amount if amount is None else amount,
            "villagers": record.villagers,
            "note": record.note,
            "client_id": f"correction-{record.pk}",
        }
        offered = set(station.services.values_list("service", flat=True))
        correction = _parse_record(_("更正"), row, offered, today or timezone.localdate(), tap_limits(station))
        correction.station = station
        correction.replaces = record
        correction.recorded_by = record.voided_by
        _check_month_totals(station, [correction])
        correction.save()
    bump_county("network", station.division_id, "records")
    return correction


@transaction.atomic
def check_in(actor, station, at: datetime | None = None, lat=None, lng=None) -> tuple[CheckIn, bool]:
    """考勤 when the station opens; checking in twice on one day keeps the first. Returns (check-in, created)."""
    station = station_for(actor, station, CheckIn, "add")
    for name, value, bound in (("lat", lat, 90), ("lng", lng, 180)):
        if value is not None and not (
            isinstance(value, (int, float, Decimal)) and -bound <= Decimal(str(value)) <= bound
        ):
            raise ValidationError({name: f"坐标“{value}”超出范围（±{bound}）"})
    lat = None if lat is None else Decimal(str(lat)).quantize(Decimal("0.000001"))
    lng = None if lng is None else Decimal(str(lng)).quantize(Decimal("0.000001"))
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    by = actor if getattr(actor, "pk", None) else None
    if not operating_on(station, day):  # the status history decides, as it does for records
        raise ValidationError({"station": f"站点{day}不在运营中（当前为“{station.get_status_display()}”），不能签到"})
    try:
        with transaction.atomic():
            return CheckIn.objects.create(station=station, day=day, at=at, user=by, lat=lat, lng=lng), True
    except IntegrityError:
        return CheckIn.objects.get(station=station, day=day), False
