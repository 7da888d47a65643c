"""The closed-period rule: nothing is booked into a closed month.

When a record whose lines fall in a closed month is changed, deleted or approved late, its
reversals and new lines are dated on the first day of the next open month; the Leistungsdatum
(service date) is kept as the record has it. The original Belegdatum is kept in a Beleginfo
pair, so that re-deriving the same record later recognises the moved lines as unchanged
instead of booking them again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from domain.booking import BookingLine, DerivationResult, Planned
from domain.periods.months import booking_period, first_day, next_open, period_of

ORIGINAL_DATE = "Belegdatum Procore"  # Beleginfo-Art of a moved line (≤ 20 characters)


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
