"""Programs: loading a county's plan and measuring every target against the records."""

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ruralhub.core.indicators import SUBSYSTEMS, Period, Reading, catalogue, compute
from ruralhub.regions.models import Division
from ruralhub.regions.services import load_divisions, resolve_county

from .choices import Comparator, Status
from .models import Fund, Phase, Program, Target

PLANS_DIR = Path(__file__).resolve().parent / "data" / "programs"
WAN = Decimal(10000)  # 万元 → 元


def plan_data(county_code: str) -> dict:
    path = PLANS_DIR / f"{county_code}.toml"
    if not path.exists():
        raise ValidationError({"county": f"没有{county_code}的实施方案数据"})
    with open(path, "rb") as f:
        return tomllib.load(f)


@transaction.atomic
def load_program(county_code: str) -> Program:
    """Create or refresh the county's program, phases, funds and targets from the shipped plan data.

    Idempotent: targets are matched on (key, division, qualifier, comparator), so loading twice
    changes nothing, and a target removed from the data file is removed here.
    """
    data = plan_data(county_code)
    info = data["program"]
    county = Division.objects.get(code=county_code)
    program, _created = Program.objects.update_or_create(
        county=county,
        name=info["name"],
        defaults={
            "batch_year": info["batch_year"],
            "plan_title": info["plan_title"],
            "plan_source": info.get("plan_source", ""),
            "starts_on": info["starts_on"],
            "ends_on": info["ends_on"],
            "planned_poverty_villages": info.get("poverty_villages", 0),
        },
    )
    program.phases.all().delete()
    Phase.objects.bulk_create(
        Phase(program=program, name=p["name"], starts_on=p["starts_on"], ends_on=p["ends_on"])
        for p in info.get("phase", [])
    )
    for fund in info.get("fund", []):
        Fund.objects.update_or_create(
            program=program,
            source=fund["source"],
            defaults={"amount": Decimal(fund["amount_wan"]) * WAN, "citation": fund.get("citation", "")},
        )
    program.funds.exclude(source__in=[f["source"] for f in info.get("fund", [])]).delete()

    known = catalogue()
    kept = []
    for position, row in enumerate(data.get("target", []), start=1):
        if row["key"] not in known:
            raise ValidationError(f"{county_code}.toml 第{position}个目标：指标“{row['key']}”不在指标目录中")
        division_code = row.get("division") or None
        if division_code and not division_code.startswith(county_code):
            raise ValidationError(f"{county_code}.toml 第{position}个目标：区划{division_code}不属于本县")
        target, _created = Target.objects.update_or_create(
            program=program,
            key=row["key"],
            division_id=division_code,
            qualifier=row.get("qualifier", ""),
            comparator=row["comparator"],
            defaults={
                "value": Decimal(row["value"]),
                "unit": row["unit"],
                "label": row["label"],
                "citation": row["citation"],
                "position": position,
            },
        )
        kept.append(target.pk)
    program.targets.exclude(pk__in=kept).delete()
    return program


def load_county(code_or_name: str) -> Program:
    """Divisions, program and targets of one county: what `ruralhub load-county` does."""
    county_code = resolve_county(code_or_name)
    load_divisions(county_code)
    return load_program(county_code)


@dataclass(frozen=True)
class Progress:
    target: Target
    reading: Reading
    status: Status

    @property
    def subsystem(self) -> str:
        definition = catalogue().get(self.target.key)
        return SUBSYSTEMS.get(definition.app, definition.app) if definition else ""


def status_of(target: Target, reading: Reading) -> Status:
    value = reading.decimal
    if value is None:
        return Status.NO_DATA
    met = {
        Comparator.AT_LEAST: value >= target.value,
        Comparator.AT_MOST: value <= target.value,
        Comparator.EQUAL: value == target.value,
    }[Comparator(target.comparator)]
    return Status.MET if met else Status.NOT_MET


def default_period(program: Program, today: date | None = None) -> Period:
    """From the program's start to today: the indicators are live, also after the program's end date."""
    today = today or timezone.localdate()
    return Period(program.starts_on, max(program.starts_on, today))


def target_progress(program: Program, period: Period | None = None) -> list[Progress]:
    """Every target of the program with its live value and status, in the plan's order."""
    period = period or default_period(program)
    targets = program.targets.select_related("division", "program")
    rows = []
    for target in targets:
        reading = compute(target, period)
        rows.append(Progress(target, reading, status_of(target, reading)))
    order = list(SUBSYSTEMS.values())
    rows.sort(key=lambda p: (order.index(p.subsystem) if p.subsystem in order else len(order), p.target.position))
    return rows


def progress_summary(rows: list[Progress]) -> dict[str, int]:
    return {status.value: sum(1 for r in rows if r.status == status) for status in Status}
