"""Stations: registration, editing and the life cycle; the status history they are read from."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from ruralhub.accounts.models import Organisation
from ruralhub.core.cache import bump_county
from ruralhub.core.scoping import is_system, require
from ruralhub.core.validators import NUL_MESSAGE, REASON_MAX_LENGTH
from ruralhub.programs.models import Program
from ruralhub.regions.choices import Level
from ruralhub.regions.models import Division

from ..choices import (
    STATUS_MOVES,
    Service,
    StationLevel,
    StationStatus,
)
from ..models import (
    Station,
    StationService,
    StationStatusChange,
)
from .text import checked_text

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
    if actor is not None and not is_system(actor):
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


def locked_station(station_or_id) -> Station:
    """The station's row, locked until the transaction ends and read afresh (another writer may just have changed it).

    Every change of a station, its status, its records and its months takes this lock first, so they queue.
    """
    station = Station.objects.select_for_update().filter(pk=getattr(station_or_id, "pk", station_or_id)).first()
    if station is None:
        raise Http404
    return station


def _host(actor, value, current_id) -> Organisation | None:
    """承办单位: an organisation the actor may see (an unchanged host is kept as it is)."""
    if value in (None, ""):
        return None
    if isinstance(value, Organisation):
        host = value
    else:
        try:
            host = Organisation.objects.filter(pk=value).first()
        except (TypeError, ValueError):
            host = None
    if host is not None and host.pk == current_id:
        return host
    if host is None or not (is_system(actor) or Organisation.objects.visible_to(actor).filter(pk=host.pk).exists()):
        raise ValidationError({"host": "所选承办单位不存在或不在您的管辖范围内"})
    return host


def check_replacement(actor, station: Station, value, field: str) -> Station | None:
    """接替/增补站点: a station the actor may see, in the same county, not closed, not the station itself."""
    if value is None:
        return None
    pk = getattr(value, "pk", value)
    replacement = Station.objects.visible_to(actor).filter(pk=pk).first() if pk is not None else None
    if replacement is None:
        raise ValidationError({field: "所选站点不存在或不在您的管辖范围内"})
    if replacement.pk == station.pk:
        raise ValidationError({field: "接替站点不能是本站点"})
    if replacement.division_id[:6] != station.division_id[:6]:
        raise ValidationError({field: f"“{replacement.name}”不在本县"})
    if replacement.status == StationStatus.CLOSED:
        raise ValidationError({field: f"“{replacement.name}”已关闭，不能接替"})
    return replacement


CODE_TAKEN = "站点编号已被使用"  # the same answer whether the other station is in the actor's scope or not


def _check_code(actor, station: Station, old_code: str) -> None:
    """A code led by digits is a division code: it must lie in the actor's division, as generated codes do."""
    if station.code == old_code:
        return
    prefix = "" if is_system(actor) else (actor.division_id or "")
    if prefix and station.code[:1].isdigit() and not station.code.startswith(prefix):
        raise ValidationError({"code": f"以区划代码开头的站点编号须在您的辖区（{prefix}）内"})
    if Station.objects.filter(code=station.code).exclude(pk=station.pk).exists():
        raise ValidationError({"code": CODE_TAKEN})


def history_by(station: Station, actor, reason: str) -> None:
    """Who changes the station and why, for its simple-history row (None for SYSTEM: no one signed in)."""
    station._history_user = actor if getattr(actor, "pk", None) else None
    station._change_reason = reason


# Written by change_status only, under the row lock; save_station leaves them as they are.
STATUS_FIELDS = ("status", "status_since", "replaced_by")


@transaction.atomic
def save_station(
    actor,
    data: dict,
    instance: Station | None = None,
    *,
    services=None,
    served_villages=None,
    reason: str = "",
) -> Station:
    """Create or update a station on behalf of ``actor``; raises ValidationError naming the field.

    ``services`` is a list of Service values; ``served_villages`` a list of villages (or codes) and
    defaults to the village point's own village; ``reason`` goes into the station's change history.
    """
    unknown = set(data) - STATION_FIELDS
    if unknown:
        raise ValidationError({f: "不是服务站点的字段" for f in sorted(unknown)})
    if instance is None:
        require(actor, Station, "add", "您没有登记服务站点的权限")
        station = Station()
    else:
        require(actor, instance, "change", "您没有修改该站点的权限")
        if "status_since" in data:
            raise ValidationError({"status_since": "状态起始日随状态变更而定，不能直接修改"})
        station = instance
        locked = locked_station(instance)
        for name in STATUS_FIELDS:
            setattr(station, name, getattr(locked, name))
    old_code, old_host = station.code, station.host_id
    old_county = (station.division_id or "")[:6]
    values = dict(data)
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValidationError({name: NUL_MESSAGE})
    if "division" in values:
        code = values["division"]
        values["division"] = _division(code)
        if values["division"] is None:
            raise ValidationError({"division": f"区划代码“{code}”不存在"})
    if "host" in values:
        values["host"] = _host(actor, values["host"], old_host)
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
    if not Division.objects.filter(pk=station.division_id).visible_to(actor).exists():
        raise ValidationError({"division": "所选区划不在您的管辖范围内"})
    if not station.code:
        station.code = next_station_code(station.division)  # inside the division, so inside the actor's
    _check_code(actor, station, old_code)
    offered = _services(services) if services is not None else None
    if served_villages is not None:
        served = _served_villages(station, served_villages, actor)  # newly chosen villages: must be in scope
    else:
        served = _served_villages(station, None if instance is None else list(instance.served_villages.all()))
    validate_central_funding(station, served)
    is_new = station.pk is None
    if is_new:
        station.status = StationStatus.PLANNED
        station.status_since = station.status_since or timezone.localdate()
        if station.status_since > timezone.localdate():
            raise ValidationError({"status_since": "登记日期不能晚于今天"})
    station.full_clean(exclude=["served_villages", "replaced_by", "code"])
    history_by(station, actor, reason or ("登记" if is_new else "修改站点资料"))
    try:
        with transaction.atomic():
            if is_new:
                station.save()
            else:
                station.save(
                    update_fields=[
                        f.name
                        for f in Station._meta.concrete_fields
                        if not f.primary_key and f.name not in STATUS_FIELDS
                    ]
                )
    except IntegrityError as exc:  # the same code stored meanwhile
        raise ValidationError({"code": CODE_TAKEN}) from exc
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
            effective_on=station.status_since,
            changed_by=actor if getattr(actor, "pk", None) else None,
            reason="登记",
        )
    # Coverage and the lists' figures read stations, their served villages and status history.
    bump_county("network", station.division_id, "stations")
    if instance is not None and old_county != station.division_id[:6]:
        bump_county("network", old_county, "stations")
    return station


@transaction.atomic
def change_status(
    actor, station: Station, status: str, effective_on: date, reason: str = "", replacement: Station | None = None
) -> Station:
    """Move a station along planned → building → operating → suspended → closed; the history is kept.

    ``station`` is read again under its row lock (and updated in place), so two changes at once queue and
    the second is judged on the first's outcome.
    """
    require(actor, station, "change", "您没有修改该站点状态的权限")
    locked_station(station)
    station.refresh_from_db()
    station.__dict__.pop("_operating_spells", None)
    reason = checked_text("reason", "原因", reason, REASON_MAX_LENGTH)
    if status not in StationStatus.values:
        raise ValidationError({"status": f"未知的状态“{status}”"})
    current = StationStatus(station.status)
    if status not in STATUS_MOVES[current]:
        raise ValidationError({"status": f"站点当前为“{current.label}”，不能变更为“{StationStatus(status).label}”"})
    # One status truth: Station.status (which lists filter and index on) is the history's status today,
    # so no change may take effect after today; the plans never need a future-dated change.
    today = timezone.localdate()
    if effective_on > today:
        raise ValidationError({"effective_on": f"生效日期不能晚于今天（{today}），请到当天再变更"})
    latest = station.status_changes.order_by("-effective_on", "-id").values_list("effective_on", flat=True).first()
    if latest and effective_on < latest:
        raise ValidationError({"effective_on": f"生效日期不能早于上一次状态变更的日期 {latest}"})
    if replacement is not None:
        if status != StationStatus.CLOSED:
            raise ValidationError({"replaced_by": "只有关闭的站点才能指定接替站点"})
        station.replaced_by = check_replacement(actor, station, replacement, "replaced_by")
    station.status = status
    station.status_since = effective_on
    if status == StationStatus.OPERATING and station.opened_on is None:
        station.opened_on = effective_on
    history_by(station, actor, reason or f"状态变更为{StationStatus(status).label}")
    station.save(update_fields=["status", "status_since", "opened_on", "replaced_by"])
    StationStatusChange.objects.create(
        station=station,
        status=status,
        effective_on=effective_on,
        reason=reason,
        changed_by=actor if getattr(actor, "pk", None) else None,
    )
    bump_county("network", station.division_id, "stations")
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
