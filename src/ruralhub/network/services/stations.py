"""Stations: registration, editing and the life cycle; the status history they are read from."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ruralhub.core.scoping import is_system, may
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
