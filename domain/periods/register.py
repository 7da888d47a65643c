"""The ``ClientPeriods`` aggregate: which months of one DATEV client are closed.

Closing a month freezes it: later Procore changes to records booked in it are booked in the
next open month (see ``domain.periods.closing``). Each close remembers the ledger position it
was taken at, so the reconciliation can tell the Procore state at close from what changed
afterwards.
"""

from __future__ import annotations

import uuid
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import register_topic

from domain.periods.months import next_open, parse_period

PERIODS_NAMESPACE = uuid.UUID("5b1c7e93-2a4d-4f8e-9c06-3d7a1e2b4f58")


class PeriodAlreadyInState(ValueError):
    """Closing a closed month or opening an open one (nothing to record)."""


class ClientPeriods(Aggregate):
    INITIAL_VERSION = 1

    @staticmethod
    def create_id(client_id: str) -> UUID:
        return uuid.uuid5(PERIODS_NAMESPACE, client_id)

    @event("Opened")
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.closed: dict[str, int] = {}  # period -> ledger notification position at close
        self.log: list[dict[str, str | int]] = []
        self.batches: dict[str, int] = {}  # period -> Buchungsstapel sealed for it so far

    def is_closed(self, period: str) -> bool:
        return parse_period(period) in self.closed

    def next_open(self, period: str) -> str:
        return next_open(parse_period(period), self.closed)

    def close(self, period: str, position: int, by: str, note: str = "") -> None:
        value = parse_period(period)
        if value in self.closed:
            raise PeriodAlreadyInState(f"period {value} of {self.client_id} is already closed")
        self._closed(period=value, position=position, by=by, note=note)

    def reopen(self, period: str, by: str, note: str = "") -> None:
        value = parse_period(period)
        if value not in self.closed:
            raise PeriodAlreadyInState(f"period {value} of {self.client_id} is not closed")
        self._reopened(period=value, by=by, note=note)

    def number_batch(self, period: str) -> int:
        """The next Buchungsstapel number of ``period`` (1, 2, …), recorded as an event."""
        value = parse_period(period)
        number = self.batches.get(value, 0) + 1
        self._batch_numbered(period=value, number=number)
        return number

    @event("BatchNumbered")
    def _batch_numbered(self, period: str, number: int) -> None:
        self.batches[period] = number

    @event("Closed")
    def _closed(self, period: str, position: int, by: str, note: str) -> None:
        self.closed[period] = position
        self.log.append({"action": "closed", "period": period, "by": by, "note": note})

    @event("Reopened")
    def _reopened(self, period: str, by: str, note: str) -> None:
        self.closed.pop(period, None)
        self.log.append({"action": "reopened", "period": period, "by": by, "note": note})


# Stored events name the module the class lived in when they were written.
OLD_TOPIC = "domain.client_periods:ClientPeriods"
register_topic(OLD_TOPIC, ClientPeriods)
