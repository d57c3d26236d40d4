"""Figures computed once per change, not once per request, and never stale.

A figure (a county's coverage, a program's target progress) depends on topics such as
"network.stations:331123". Topics are "<app>:<county>" for anything an app keeps in a county, and
"<app>.<part>:<county>" for a finer part of it; ``bump_county`` bumps both, so a figure that reads a whole
app (target progress reads every app) depends on the coarse topic and one that reads a part (coverage
reads stations) on the fine one. The services that change those records call ``bump(topic)`` inside their
transaction; ``cached(name, topics, compute)`` keeps the figure in the process's cache under the topics'
current generation numbers (random, renewed at each change), so every worker process recomputes it on
the first request after a change and serves it from memory until the next one. Reading the generations
is one small query.
"""

import secrets
from collections.abc import Callable, Iterable

from django.core.cache import caches
from django.db import IntegrityError, transaction

from .models import Generation

CACHE = "figures"


def _new_number() -> int:
    # A fresh random number, not a counter: if the writing transaction rolls back, the topic returns to
    # its old number (whose figures are still right), and the next change can never reuse a number that
    # a figure computed inside the rolled-back transaction was stored under.
    return secrets.randbelow(2**62) + 1


def bump(*topics: str) -> None:
    """Mark the records behind ``topics`` as changed (call inside the writing transaction)."""
    for topic in dict.fromkeys(topics):
        if Generation.objects.filter(topic=topic).update(number=_new_number()):
            continue
        try:
            with transaction.atomic():
                Generation.objects.create(topic=topic, number=_new_number())
        except IntegrityError:  # created meanwhile by another writer
            Generation.objects.filter(topic=topic).update(number=_new_number())


def bump_county(app_label: str, county_code: str, *parts: str) -> None:
    """Records of ``app_label`` in a county changed; ``parts`` names the finer topics that changed too."""
    county = county_code[:6]
    bump(f"{app_label}:{county}", *(f"{app_label}.{part}:{county}" for part in parts))


def county_topics(county_code: str) -> list[str]:
    """Every app's coarse topic for a county: what a figure reading all apps depends on."""
    from django.apps import apps

    labels = [c.label for c in apps.get_app_configs() if c.name.startswith("ruralhub.")]
    return [f"{label}:{county_code[:6]}" for label in labels]


def generations(topics: Iterable[str]) -> dict[str, int]:
    topics = list(topics)
    found = dict(Generation.objects.filter(topic__in=topics).values_list("topic", "number"))
    return {t: found.get(t, 0) for t in topics}


def cached(name: str, topics: Iterable[str], compute: Callable[[], object], timeout: int = 3600):
    """``compute()``'s value, reused until one of ``topics`` is bumped (or ``timeout`` seconds pass)."""
    current = generations(topics)
    key = name + "|" + ",".join(f"{t}={n}" for t, n in sorted(current.items()))
    store = caches[CACHE]
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value, timeout)
    return value
