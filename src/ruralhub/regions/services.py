"""Loading the shipped division tree and maintaining the poverty-village flags."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_update_with_history

from ruralhub.core.cache import bump_county
from ruralhub.core.scoping import SYSTEM, is_system, require

from .choices import Kind, Level, PovertyStatus
from .models import CODE_LENGTHS, Division, kind_from_code

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    level: str
    parent_code: str
    urban_rural_code: str


@cache
def shipped_rows() -> tuple[DivisionRow, ...]:
    with open(DATA_DIR / "divisions.csv", encoding="utf-8", newline="") as f:
        return tuple(DivisionRow(**row) for row in csv.DictReader(f))


@cache
def shipped_coordinates() -> dict[str, tuple[Decimal, Decimal]]:
    with open(DATA_DIR / "coordinates.csv", encoding="utf-8", newline="") as f:
        return {row["code"]: (Decimal(row["lat"]), Decimal(row["lng"])) for row in csv.DictReader(f)}


def available_counties() -> dict[str, str]:
    """{code: name} of the counties whose divisions ship with ruralhub."""
    return {row.code: row.name for row in shipped_rows() if row.level == Level.COUNTY}


def resolve_county(code_or_name: str) -> str:
    """The county code for "331123", "遂昌" or "遂昌县"; a clear error listing the five otherwise."""
    wanted = (code_or_name or "").strip()
    counties = available_counties()
    if wanted in counties:
        return wanted
    matches = [code for code, name in counties.items() if wanted and name.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    listing = "、".join(f"{code} {name}" for code, name in sorted(counties.items()))
    raise ValidationError({"county": f"未知的县：“{wanted}”。可加载的县有：{listing}。"}, code="unknown_county")


@dataclass(frozen=True)
class LoadResult:
    county: Division
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def load_divisions(code_or_name: str) -> LoadResult:
    """Create or refresh a county's division tree from the shipped data; running it twice changes nothing.

    Poverty flags and coordinates edited in ruralhub are kept: the shipped file only fills coordinates
    that are still empty.
    """
    county_code = resolve_county(code_or_name)
    rows = sorted((r for r in shipped_rows() if r.code.startswith(county_code)), key=lambda r: r.code)
    coordinates = shipped_coordinates()
    existing = {d.code: d for d in Division.objects.within(county_code)}
    to_create, to_update = [], []
    for row in rows:
        if len(row.code) != CODE_LENGTHS[Level(row.level)]:
            raise ValidationError(f"divisions.csv: {row.code} is not a {row.level} code")
        parent_id = None if row.level == Level.COUNTY else row.parent_code
        values = {
            "name": row.name,
            "level": row.level,
            "kind": kind_from_code(row.code),
            "parent_id": parent_id,
            "urban_rural_code": row.urban_rural_code,
        }
        division = existing.get(row.code)
        if division is None:
            lat, lng = coordinates.get(row.code, (None, None))
            to_create.append(Division(code=row.code, lat=lat, lng=lng, **values))
            continue
        changed = [field for field, value in values.items() if getattr(division, field) != value]
        if division.lat is None and row.code in coordinates:
            division.lat, division.lng = coordinates[row.code]
            changed += ["lat", "lng"]
        if changed:
            for field in changed:
                if field in values:
                    setattr(division, field, values[field])
            to_update.append((division, changed))
    Division.objects.bulk_create(to_create, batch_size=500)
    for division, fields in to_update:
        division._change_reason = "更新统计用区划代码数据"
        division.save(update_fields=fields)
    if to_create or to_update:
        bump_county("regions", county_code)
    return LoadResult(
        county=Division.objects.get(code=county_code),
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(rows) - len(to_create) - len(to_update),
    )


def parse_poverty_status(value: str) -> str:
    text = (value or "").strip()
    aliases = {
        "": PovertyStatus.NONE,
        "否": PovertyStatus.NONE,
        "0": PovertyStatus.NONE,
        "no": PovertyStatus.NONE,
        "是": PovertyStatus.REGISTERED,
        "1": PovertyStatus.REGISTERED,
        "yes": PovertyStatus.REGISTERED,
        "建档立卡": PovertyStatus.REGISTERED,
        "建档立卡贫困村": PovertyStatus.REGISTERED,
        "registered": PovertyStatus.REGISTERED,
        "省定": PovertyStatus.PROVINCIAL,
        "省定贫困村": PovertyStatus.PROVINCIAL,
        "provincial": PovertyStatus.PROVINCIAL,
    }
    if text.lower() not in aliases:
        raise ValueError(f"“{text}”不是有效的贫困村类别（可填：否、建档立卡、省定）")
    return aliases[text.lower()]


def _history_user(actor):
    return None if is_system(actor) else actor


@transaction.atomic
def import_poverty_villages(
    county_code: str, rows: list[dict[str, str]], *, actor=SYSTEM, reason: str = "导入贫困村名单"
) -> int:
    """Set poverty flags from rows with 代码 (or code) and 贫困村 (or poverty_status).

    Every bad row is reported with its line number and nothing is changed unless all rows are good.
    Each changed village gets a history row naming ``actor`` and ``reason``.
    Returns the number of villages whose flag changed.
    """
    require(actor, Division, "change")
    errors, updates = [], {}
    # 贫困村 are administrative villages: 社区 cannot carry the flag.
    villages = {
        d.code: d for d in Division.objects.within(county_code).administrative_villages().visible_to(actor, "change")
    }
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        code = (row.get("代码") or row.get("code") or "").strip()
        raw = row.get("贫困村", row.get("poverty_status", ""))
        if code not in villages:
            errors.append(f"第{line}行 代码：“{code}”不是本县的行政村（村委会）代码")
            continue
        try:
            updates[code] = parse_poverty_status(raw)
        except ValueError as exc:
            errors.append(f"第{line}行 贫困村：{exc}")
    if errors:
        raise ValidationError(errors)
    changed = [villages[c] for c, status in updates.items() if villages[c].poverty_status != status]
    for village in changed:
        village.poverty_status = updates[village.code]
    bulk_update_with_history(
        changed,
        Division,
        ["poverty_status"],
        batch_size=500,
        default_user=_history_user(actor),
        default_change_reason=reason,
    )
    if changed:
        bump_county("regions", county_code)
    return len(changed)


@transaction.atomic
def set_poverty_status(actor, village: Division, status: str, reason: str = "修改贫困村标记") -> Division:
    """Flag or unflag one village as a poverty village (county office only, within its county).

    Only 村委会 carry the flag: 社区, townships and the county are refused whoever asks.
    """
    require(actor, village, "change")
    if status not in PovertyStatus.values:
        raise ValidationError({"poverty_status": f"“{status}”不是有效的贫困村类别"})
    if status and village.kind != Kind.VILLAGE_COMMITTEE:
        raise ValidationError(
            {"poverty_status": f"“{village.name}”是{village.get_kind_display()}，只有行政村（村委会）可标记为贫困村"}
        )
    current = Division.objects.select_for_update().values_list("poverty_status", flat=True).get(pk=village.pk)
    if current != status:
        village.poverty_status = status
        village._change_reason, village._history_user = reason, _history_user(actor)
        village.save(update_fields=["poverty_status"])
        bump_county("regions", village.code)
    return village


@transaction.atomic
def set_coordinates(actor, division: Division, lat, lng, reason: str = "修改坐标") -> Division:
    """Correct a division's GCJ-02 point; the model's validators bound it and the history keeps the old one."""
    require(actor, division, "change")
    division.lat, division.lng = lat, lng
    division.full_clean(validate_unique=False)
    division._change_reason, division._history_user = reason, _history_user(actor)
    division.save(update_fields=["lat", "lng"])
    bump_county("regions", division.code)
    return division
