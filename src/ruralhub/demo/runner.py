"""The demo county generator. Each app plugs in with a ``demo.py`` that defines ``build(ctx)``.

Steps run in INSTALLED_APPS order, each once per county (recorded in DemoStep), each in its
own transaction; a later app added to an existing demo database gets its step on the next run.
Everything generated is seeded, so two fresh demos of a county are the same.
"""

import random
import zlib
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from .models import DemoStep

PASSWORD = "ruralhub2026"  # every demo user's password; printed by `ruralhub demo`


@dataclass
class DemoContext:
    county_code: str
    today: date
    rng: random.Random
    password: str = PASSWORD
    months: int = 24  # how much operating history the domain apps generate
    log: list[str] = field(default_factory=list)

    def seeded(self, name: str) -> random.Random:
        """A generator of its own for one step, so adding a step does not change the others' data."""
        return random.Random(zlib.crc32(f"{self.county_code}:{name}".encode()))


def steps() -> list[tuple[str, object]]:
    found = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if config.name != "ruralhub.demo" and find_spec(module_name) is not None:
            found.append((config.label, import_module(module_name)))
    return found


def build(
    county_code: str, today: date | None = None, *, months: int = 24, only: set[str] | None = None
) -> DemoContext:
    """Build the demo county; ``only`` limits it to some apps' steps, ``months`` the history (tests use less)."""
    ctx = DemoContext(
        county_code=county_code, today=today or timezone.localdate(), rng=random.Random(county_code), months=months
    )
    for label, module in steps():
        if only is not None and label not in only:
            continue
        if DemoStep.objects.filter(county=county_code, app_label=label).exists():
            continue
        with transaction.atomic():
            module.build(ctx)
            DemoStep.objects.create(county=county_code, app_label=label)
    return ctx
