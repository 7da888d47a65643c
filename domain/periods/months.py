"""Month arithmetic of accounting periods (``YYYY-MM``): parse, next, next open month."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_LOOKAHEAD = 240  # months searched for an open period (a sanity bound, 20 years)


def parse_period(text: str) -> str:
    """Normalise ``YYYY-MM``; raises ``ValueError`` naming the expected form."""
    value = text.strip()
    if not _PERIOD.match(value):
        raise ValueError(f"period {text!r} is not a month in the form YYYY-MM (e.g. 2026-10)")
    return value


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(period: str) -> date:
    year, month = parse_period(period).split("-")
    return date(int(year), int(month), 1)


def next_period(period: str) -> str:
    day = first_day(period)
    return f"{day.year + day.month // 12:04d}-{day.month % 12 + 1:02d}"


def next_open(period: str, closed: Collection[str]) -> str:
    """The first month after ``period`` that is not closed."""
    candidate = next_period(period)
    for _ in range(MAX_LOOKAHEAD):
        if candidate not in closed:
            return candidate
        candidate = next_period(candidate)
    raise ValueError(f"no open period within {MAX_LOOKAHEAD} months after {period}")


def booking_period(day: date, closed: Collection[str]) -> str:
    """The month a line dated ``day`` is booked in: its own, or the next open one."""
    own = period_of(day)
    return own if own not in closed else next_open(own, closed)
