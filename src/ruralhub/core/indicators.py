"""The indicator registry: every number a plan sets is computed by one registered function.

The catalogue (``data/indicators.toml``) names every indicator the five plans use, with its
label, unit and owning app. An app computes one by registering a function:

    @indicator("network.village_coverage_pct")
    def village_coverage(program, period, target) -> Reading: ...

``target`` carries the optional division and qualifier a plan attaches to a number (a named
township, a fund category). An indicator nobody has registered yet reads "no data yet".
"""

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "indicators.toml"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    # Computations several indicators share within one progress run (e.g. network coverage).
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Reading:
    """A computed value and where it comes from; value None means the records hold no data yet."""

    value: Decimal | int | None
    source: str
    note: str = ""

    @property
    def decimal(self) -> Decimal | None:
        return None if self.value is None else Decimal(self.value)


@dataclass(frozen=True)
class IndicatorDef:
    key: str
    app: str
    label: str
    unit: str
    description: str


# The subsystems of DESIGN.md that own indicators, in the order the target page shows them.
SUBSYSTEMS = {
    "regions": "行政区划",
    "network": "三级服务体系",
    "logistics": "三级物流共同配送",
    "trace": "质量追溯",
    "market": "农产品上行与品牌",
    "training": "电商培训",
    "funds": "资金与项目",
    "stats": "统计监测",
    "portal": "政务公开",
}

Compute = Callable[..., Reading]
_registry: dict[str, Compute] = {}


@cache
def catalogue() -> dict[str, IndicatorDef]:
    with open(CATALOGUE_FILE, "rb") as f:
        data = tomllib.load(f)
    return {row["key"]: IndicatorDef(**row) for row in data["indicator"]}


def indicator(key: str) -> Callable[[Compute], Compute]:
    """Register the function that computes ``key``; the key must be in the catalogue."""
    if key not in catalogue():
        raise KeyError(f"indicator {key!r} is not in {CATALOGUE_FILE.name}")

    def register(func: Compute) -> Compute:
        if key in _registry and _registry[key] is not func:
            raise KeyError(f"indicator {key!r} is registered twice")
        _registry[key] = func
        return func

    return register


def registered() -> dict[str, Compute]:
    return dict(_registry)


def compute(target, period: Period) -> Reading:
    func = _registry.get(target.key)
    if func is None:
        from django.apps import apps

        definition = catalogue().get(target.key)
        subsystem = SUBSYSTEMS.get(definition.app, definition.app) if definition else "?"
        if definition and apps.is_installed(f"ruralhub.{definition.app}"):
            return Reading(None, "", f"“{subsystem}”模块尚未采集此项数据")
        return Reading(None, "", f"待“{subsystem}”模块上线后由其业务记录计算")
    return func(target.program, period, target)
