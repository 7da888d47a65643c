"""How a ledger command is written: ``@command`` takes the write lock, ``_save`` stores.

A command loads what it needs (``LedgerStore`` queries), makes one domain call and saves the new
events with ``_save``: events of every aggregate passed, and optionally a tracking row, in one
transaction of eventsourcing's process recorder. Commands live by concern: records and periods
in ``application``, batches in ``batch_commands``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from domain.belegfeld import BelegfeldRegistry, new_registry, registry_id
from domain.booking import BelegfeldClaim, WithholdingClaim
from domain.changes import RecordRef
from domain.creditor_registry import CreditorRegistry
from domain.periods.register import ClientPeriods
from domain.planning import Booking, book
from domain.source_document import SourceDocument
from domain.withholding import WithholdingYear, new_year, year_id
from streams.ledger.store import LedgerStore

F = TypeVar("F", bound=Callable[..., Any])


def command(method: F) -> F:
    """A ledger command: runs under the write lock (one writer per process)."""

    @functools.wraps(method)
    def locked(self: LedgerWriter, *args: Any, **kwargs: Any) -> Any:
        with self.write_lock:
            return method(self, *args, **kwargs)

    return cast(F, locked)


class LedgerWriter(LedgerStore):
    """What every command shares: loading a record's booking inputs, saving."""

    def _booking(
        self, ref: RecordRef, touched: dict[UUID, Aggregate], loaded: dict[UUID, Aggregate]
    ) -> Booking | None:
        """Load what the record's booking decision needs (``loaded`` keeps it per command)."""
        if self.rules is None:
            return None
        route = self.rules.route(ref)
        if isinstance(route, str):
            return Booking(route)
        client_id = route.client_id
        reg_id = CreditorRegistry.create_id(client_id)
        registry = loaded.get(reg_id) or touched.get(reg_id) or self.registry(client_id)
        periods_id = ClientPeriods.create_id(client_id)
        periods = loaded.get(periods_id) or self.periods(client_id)
        loaded[reg_id], loaded[periods_id] = registry, periods
        assert isinstance(registry, CreditorRegistry) and isinstance(periods, ClientPeriods)

        def belegfelder(claim: BelegfeldClaim) -> BelegfeldRegistry:
            agg_id = registry_id(client_id, claim.creditor, claim.fiscal_year_start)
            found = touched.get(agg_id) or loaded.get(agg_id) or self.aggregate(agg_id)
            if not isinstance(found, BelegfeldRegistry):
                found = new_registry(client_id, claim)
            loaded[agg_id] = touched[agg_id] = found  # saved with the record's decision
            return found

        def years(claim: WithholdingClaim) -> WithholdingYear:
            agg_id = year_id(client_id, claim.vendor_id, claim.year)
            found = touched.get(agg_id) or loaded.get(agg_id) or self.aggregate(agg_id)
            if not isinstance(found, WithholdingYear):
                found = new_year(client_id, claim)
            loaded[agg_id] = touched[agg_id] = found
            return found

        return Booking(route, registry, periods, belegfelder, years)

    @staticmethod
    def _keep_registry(booking: Booking | None, touched: dict[UUID, Aggregate]) -> None:
        """Save the creditor registry with the decision if the decision numbered a vendor."""
        if booking is not None and booking.registry and booking.registry.pending_events:
            touched[booking.registry.id] = booking.registry

    def _book(
        self, doc: SourceDocument, touched: dict[UUID, Aggregate], loaded: dict[UUID, Aggregate]
    ) -> None:
        """Decide the booking of ``doc`` as it is now (replays, rejected reviews)."""
        booking = self._booking(RecordRef.parse(doc.key), touched, loaded)
        if booking is not None:
            book(
                doc,
                booking.route,
                booking.registry,
                booking.periods,
                booking.belegfelder,
                booking.years,
            )
            self._keep_registry(booking, touched)

    def _save(self, aggregates: Iterable[Aggregate], tracking: Tracking | None = None) -> None:
        """New events of ``aggregates`` (and the tracking row) in one transaction."""
        processing = ProcessingEvent[UUID](tracking)
        for agg in aggregates:  # what collect_events does, minus two slow Protocol isinstance
            processing.events.extend(agg.collect_events())
            processing.aggregates[agg.id] = agg
        if not processing.events and tracking is None:
            return
        try:
            recordings = self._record(processing)
        except Exception:
            self.invalidate_positions()  # the transaction may have failed after others wrote
            raise
        if tracking is not None:
            self.positions[tracking.application_name] = tracking.notification_id
        self._notify(recordings)
