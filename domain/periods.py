"""Accounting periods (months) and the closed-period rule.

A closed month is never booked into again. When a record whose lines fall in a closed month is
changed, deleted or approved late, its reversals and new lines are dated on the first day of
the next open month; the Leistungsdatum (service date) is kept as the record has it. The
original Belegdatum is kept in a Beleginfo pair, so that re-deriving the same record later
recognises the moved lines as unchanged instead of booking them again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date

from domain.booking import BookingLine, DerivationResult, Planned

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ORIGINAL_DATE = "Belegdatum Procore"  # Beleginfo-Art of a moved line (≤ 20 characters)
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


def original_date(line: BookingLine) -> date:
    """The Belegdatum the record itself carries (before any move out of a closed period)."""
    for art, value in line.beleginfo:
        if art == ORIGINAL_DATE:
            return date.fromisoformat(value)
    return line.document_date


def move_line(line: BookingLine, closed: Collection[str]) -> BookingLine:
    """The line dated into an open period (unchanged if its own period is open)."""
    own = original_date(line)
    target = booking_period(own, closed)
    if target == period_of(own):
        return line
    info = line.beleginfo
    if not any(art == ORIGINAL_DATE for art, _ in info):
        info = (*info, (ORIGINAL_DATE, own.isoformat()))
    return line.model_copy(update={"document_date": first_day(target), "beleginfo": info})


def _restored_key(line: BookingLine) -> tuple[str, ...]:
    """What the record says about a line, whatever period it was moved to."""
    restored = line.model_copy(update={"document_date": original_date(line)})
    return tuple(str(x) for x in restored.content_key())


def book_in_open_periods(
    posted: Sequence[BookingLine],
    result: DerivationResult | None,
    closed: Collection[str],
) -> tuple[DerivationResult | None, date | None]:
    """Adjust a booking decision so nothing is booked into a closed period.

    Returns the decision to record and the date for reversals of ``posted`` (None: keep each
    reversal on its line's own date). ``result`` None means the record was deleted.
    """
    closed_posted = [p for p in posted if period_of(p.document_date) in closed]
    reversal_date: date | None = None
    if closed_posted:
        latest = max(period_of(p.document_date) for p in closed_posted)
        reversal_date = first_day(next_open(latest, closed))
    if result is None:
        return None, reversal_date
    if not isinstance(result, Planned):
        return result, None
    if posted and sorted(map(_restored_key, posted)) == sorted(map(_restored_key, result.lines)):
        # Same bookings as posted (possibly moved earlier): keep the posted lines as they are.
        return result.model_copy(update={"lines": tuple(posted)}), None
    moved = tuple(move_line(line, closed) for line in result.lines)
    return result.model_copy(update={"lines": moved}), reversal_date
