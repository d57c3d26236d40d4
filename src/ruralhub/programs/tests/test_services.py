import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ruralhub.core.indicators import SUBSYSTEMS, Reading, catalogue, registered
from ruralhub.programs.choices import Status
from ruralhub.programs.models import Program, Target
from ruralhub.programs.services import PLANS_DIR, load_county, load_program, status_of, target_progress

COUNTIES = ["230223", "440229", "530926", "610726", "331123"]
SEEDS = Path(__file__).resolve().parents[4].parent / "shared" / "seeds"


def plan(code):
    with open(PLANS_DIR / f"{code}.toml", "rb") as f:
        return tomllib.load(f)


@pytest.mark.django_db
@pytest.mark.parametrize("code", COUNTIES)
def test_each_countys_plan_loads_every_target_with_its_citation(code):
    program = load_county(code)
    rows = plan(code)["target"]
    assert program.targets.count() == len(rows)
    for target in program.targets.all():
        definition = catalogue()[target.key]
        assert target.citation.strip(), target.label
        assert target.unit == definition.unit, target.key


@pytest.mark.parametrize("code", COUNTIES)
def test_citations_are_the_plans_own_words(code):
    data = plan(code)
    seed = SEEDS / data["program"]["plan_source"]
    if not SEEDS.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    text = seed.read_text(encoding="utf-8")
    missing = [t["citation"] for t in data["target"] if t["citation"] not in text]
    missing += [
        f["citation"] for f in data["program"].get("fund", []) if f.get("citation") and f["citation"] not in text
    ]
    assert missing == []


def test_every_catalogue_indicator_belongs_to_a_subsystem():
    assert {d.app for d in catalogue().values()} <= set(SUBSYSTEMS)


def test_every_registered_computation_is_in_the_catalogue():
    assert set(registered()) <= set(catalogue())
    assert {"regions.township_units", "regions.admin_villages", "regions.poverty_villages"} <= set(registered())


@pytest.mark.django_db
def test_loading_a_plan_twice_changes_nothing():
    first = load_county("331123")
    before = list(first.targets.values_list("pk", "key", "value", "citation"))
    second = load_program("331123")
    assert second.pk == first.pk
    assert list(second.targets.values_list("pk", "key", "value", "citation")) == before
    assert Program.objects.count() == 1


@pytest.mark.django_db
def test_funds_in_wan_yuan_are_stored_in_yuan():
    program = load_county("331123")
    central = program.funds.get(source="central")
    assert central.amount == Decimal("19100000")
    assert central.amount_wan == Decimal("1910")


@pytest.mark.django_db
def test_suichang_division_figures_are_checked_against_the_plan():
    program = load_county("331123")
    rows = {(r.target.key, r.target.comparator): r for r in target_progress(program)}
    townships = rows[("regions.township_units", "=")]
    assert townships.reading.value == 20 and townships.status == Status.MET
    # the plan counts 203 行政村 (NBS 2016) as its base; the 2023 codes have 201 村委会: a fact, not a failure
    villages = rows[("regions.admin_villages", "=")]
    assert villages.today.value == 201 and villages.target.value == 203 and villages.status == Status.BASELINE


@pytest.mark.django_db
def test_indicators_whose_app_has_not_landed_read_no_data_yet():
    program = load_county("331123")
    training = next(r for r in target_progress(program) if r.target.key == "training.person_times")
    assert training.status == Status.NO_DATA and training.reading.value is None
    assert "电商培训" in training.reading.note


@pytest.mark.parametrize(
    ("comparator", "goal", "value", "status"),
    [
        (">=", "60", "60", Status.MET),
        (">=", "60", "59.99", Status.NOT_MET),
        ("<=", "2", "1.5", Status.MET),
        ("<=", "2", "2.01", Status.NOT_MET),
        ("=", "20", "20", Status.MET),
        ("=", "203", "201", Status.NOT_MET),
        (">", "70", "70", Status.NOT_MET),  # 超过70%
        (">", "70", "70.1", Status.MET),
        ("<", "0", "0", Status.NOT_MET),  # 逐年下降: flat is not lower than the year before
        ("<", "0", "-0.5", Status.MET),
        (">=", "60", None, Status.NO_DATA),
    ],
)
def test_status_follows_the_comparator(comparator, goal, value, status):
    target = Target(comparator=comparator, value=Decimal(goal))
    assert status_of(target, Reading(None if value is None else Decimal(value), "")) == status


@pytest.mark.django_db
def test_a_date_can_be_chosen_and_no_target_is_judged_after_its_deadline():
    program = load_county("331123")
    rows = target_progress(program, date(2022, 6, 30))
    assert len(rows) == program.targets.count()
    assert all(r.as_of == min(date(2022, 6, 30), r.target.due_on) for r in rows)
