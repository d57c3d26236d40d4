"""Programs: loading a county's plan and measuring every target against the records."""

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ruralhub.core.cache import bump_county, cached, county_topics
from ruralhub.core.indicators import SUBSYSTEMS, Period, Reading, catalogue, compute
from ruralhub.regions.models import Division
from ruralhub.regions.services import load_divisions, resolve_county

from .choices import Comparator, Status
from .models import Fund, Phase, Program, Target

PLANS_DIR = Path(__file__).resolve().parent / "data" / "programs"
WAN = Decimal(10000)  # 万元 → 元
APPROXIMATE = Decimal("0.10")  # 约3000平方米: within 10 % of the plan's figure counts as met


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
    phase_ends = {p["name"]: p["ends_on"] for p in info.get("phase", [])}
    kept = []
    for position, row in enumerate(data.get("target", []), start=1):
        where = f"{county_code}.toml 第{position}个目标"
        if row["key"] not in known:
            raise ValidationError(f"{where}：指标“{row['key']}”不在指标目录中")
        division_code = row.get("division") or None
        if division_code and not division_code.startswith(county_code):
            raise ValidationError(f"{where}：区划{division_code}不属于本县")
        if "phase" in row and row["phase"] not in phase_ends:
            raise ValidationError(f"{where}：实施阶段“{row['phase']}”不在方案的阶段中")
        # Due at the plan's end unless the plan gives a date or a phase.
        due_on = row.get("due_on") or phase_ends.get(row.get("phase")) or program.ends_on
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
                "starts_on": row.get("starts_on"),
                "due_on": due_on,
                "approximate": row.get("approximate", False),
                "baseline": row.get("baseline", False),
                "not_measured": row.get("not_measured", ""),
            },
        )
        kept.append(target.pk)
    program.targets.exclude(pk__in=kept).delete()
    bump_county("programs", county_code)
    return program


def load_county(code_or_name: str) -> Program:
    """Divisions, program and targets of one county: what `ruralhub load-county` does."""
    county_code = resolve_county(code_or_name)
    load_divisions(county_code)
    return load_program(county_code)


@dataclass(frozen=True)
class Progress:
    """A target judged as of its date (the page's date, or the target's deadline if earlier), and its value today."""

    target: Target
    reading: Reading
    status: Status
    as_of: date
    today: Reading

    @property
    def subsystem(self) -> str:
        definition = catalogue().get(self.target.key)
        return SUBSYSTEMS.get(definition.app, definition.app) if definition else ""

    @property
    def due(self) -> bool:
        """Judged at its deadline: the status is final, not an interim reading."""
        return self.as_of >= self.target.due_on


def status_of(target: Target, reading: Reading) -> Status:
    if target.baseline:
        return Status.BASELINE
    value = reading.decimal
    if value is None:
        return Status.NO_DATA
    goal, slack = target.value, (abs(target.value) * APPROXIMATE if target.approximate else Decimal(0))
    met = {
        Comparator.AT_LEAST: value >= goal - slack,
        Comparator.AT_MOST: value <= goal + slack,
        Comparator.EQUAL: abs(value - goal) <= slack,
        Comparator.ABOVE: value > goal - slack,
        Comparator.BELOW: value < goal + slack,
    }[Comparator(target.comparator)]
    return Status.MET if met else Status.NOT_MET


def default_as_of(program: Program) -> date:
    """The plan's end: a plan is judged when it is over (耿马, ended 2018-12, reads as of 2018-12-31)."""
    return program.ends_on


def _reading(target: Target, start: date, end: date, memo: dict) -> Reading:
    if target.not_measured:
        return Reading(None, "", target.not_measured)
    if end < start:
        return Reading(None, "", f"统计期自{start}起")
    return compute(target, Period(start, end, memo))


def _progress(program: Program, as_of: date, today: date) -> list[Progress]:
    targets = program.targets.select_related("division", "program")
    memo: dict = {}  # computations shared by the targets (e.g. one coverage per date), see Period.memo
    rows = []
    for target in targets:
        start = target.period_start
        end = min(as_of, target.due_on)
        reading = _reading(target, start, end, memo)
        rows.append(Progress(target, reading, status_of(target, reading), end, _reading(target, start, today, memo)))
    order = list(SUBSYSTEMS.values())
    rows.sort(key=lambda p: (order.index(p.subsystem) if p.subsystem in order else len(order), p.target.position))
    return rows


def target_progress(program: Program, as_of: date | None = None) -> list[Progress]:
    """Every target of the program in the plan's order, judged as of ``as_of`` (default: the plan's end) or its
    own deadline if earlier, with today's value beside it.

    Kept per process until any record of the county changes (core.cache), so the targets page and the home
    page do not recompute it per request.
    """
    as_of = as_of or default_as_of(program)
    today = max(timezone.localdate(), program.starts_on)
    name = f"programs.progress:{program.pk}:{as_of}:{today}"
    return cached(name, county_topics(program.county_id), lambda: _progress(program, as_of, today))


def progress_summary(rows: list[Progress]) -> dict[str, int]:
    return {status.value: sum(1 for r in rows if r.status == status) for status in Status}
