"""Dates that arrive in query strings: parsed, and kept to a range every computation can handle."""

import calendar
from datetime import date, timedelta

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def date_param(value: str | None, default: date, *, earliest: date = EARLIEST, latest: date = LATEST) -> date:
    """A YYYY-MM-DD string as a date within [earliest, latest]; the default when it is missing or malformed."""
    try:
        parsed = date.fromisoformat(value or "")
    except ValueError:
        return default
    return min(max(parsed, earliest), latest)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])
