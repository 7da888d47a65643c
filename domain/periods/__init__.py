"""Accounting periods of a DATEV client.

``months``: month arithmetic (``YYYY-MM``); ``closing``: the closed-period rule applied to
booking decisions; ``register``: the ``ClientPeriods`` aggregate that records which months
are closed.
"""

from domain.periods.closing import (
    ORIGINAL_DATE,
    book_in_open_periods,
    move_line,
    original_date,
)
from domain.periods.months import (
    MAX_LOOKAHEAD,
    booking_period,
    first_day,
    next_open,
    next_period,
    parse_period,
    period_of,
)

__all__ = [
    "MAX_LOOKAHEAD",
    "ORIGINAL_DATE",
    "book_in_open_periods",
    "booking_period",
    "first_day",
    "move_line",
    "next_open",
    "next_period",
    "original_date",
    "parse_period",
    "period_of",
]
