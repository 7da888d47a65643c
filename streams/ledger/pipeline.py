"""The ledger commands the pipeline runs for every record: fold, seal, the DATEV job steps.

Also how every ledger command is written: ``@command`` takes the write lock; a command loads
what it needs (``LedgerStore`` queries), makes one domain call and saves the new events with
``_save`` — events of every aggregate passed, and optionally a tracking row, in one transaction
of eventsourcing's process recorder. Folds save their events with a tracking row
``(topic:partition, offset + 1)``: a redelivered message at or below the tracked position is
skipped, so each record version is decided exactly once. The operator's commands build on this
class: batch review and resubmission in ``batch_commands``, records, periods, uploads and
cursors in ``application``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from domain.batch import Batch
from domain.belegfeld import BelegfeldRegistry, new_registry, registry_id
from domain.beleglink import waits_for_document
from domain.booking import BelegfeldClaim, WithholdingClaim
from domain.changes import ProcoreChange, RecordRef
from domain.creditor_registry import CreditorRegistry
from domain.periods.register import ClientPeriods
from domain.planning import Booking, Route, book, observe
from domain.sealing import SealResult, seal_batches
from domain.source_document import SourceDocument
from domain.withholding import WithholdingYear, new_year, year_id
from streams.ledger.store import LedgerStore, batcher_name, tracking_name

JOB_STEPS = {
    "submitted": "job_submitted",
    "completed": "job_completed",
    "failed": "job_failed",
    "deferred": "submission_deferred",
    "try_again": "try_again",
    "dxso_ended": "dxso_job_ended",
    "dxso_abandoned": "dxso_job_abandoned",
    "dxso_attached": "dxso_files_attached",
}


@dataclass(frozen=True)
class FoldResult:
    folded: int
    skipped: int
    new_events: int
    changed_records: tuple[str, ...] = ()


F = TypeVar("F", bound=Callable[..., Any])


def command(method: F) -> F:
    """A ledger command: runs under the write lock (one writer per process)."""

    @functools.wraps(method)
    def locked(self: PipelineCommands, *args: Any, **kwargs: Any) -> Any:
        with self.write_lock:
            return method(self, *args, **kwargs)

    return cast(F, locked)


class PipelineCommands(LedgerStore):
    """Fold, seal and the DATEV job steps; loading a record's booking inputs and saving,
    which every command shares."""

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

    @command
    def fold(
        self, topic: str, partition: int, changes: Sequence[tuple[int, ProcoreChange]]
    ) -> FoldResult:
        """Fold ``(offset, change)`` pairs of one partition and decide their bookings."""
        name = tracking_name(topic, partition, self.incarnation)
        done = self.position(name)
        fresh = [(o, c) for o, c in sorted(changes, key=lambda oc: oc[0]) if o + 1 > done]
        if not fresh:
            return FoldResult(folded=0, skipped=len(changes), new_events=0)
        touched: dict[UUID, Aggregate] = {}
        loaded: dict[UUID, Aggregate] = {}  # the clients' registries and periods, once per batch
        stored = self.stored_versions({c.ref.aggregate_id for _, c in fresh})
        for _offset, change in fresh:
            agg_id = change.ref.aggregate_id
            current = touched.get(agg_id) or (
                self.document_at(agg_id, stored[agg_id]) if agg_id in stored else None
            )
            assert current is None or isinstance(current, SourceDocument)
            booking = self._booking(change.ref, touched, loaded)
            folded = observe(current, change, booking)
            if folded is not None:
                touched[agg_id] = folded
                self._keep_registry(booking, touched)
        last = fresh[-1][0] + 1
        new_events = sum(len(agg.pending_events) for agg in touched.values())
        keys = tuple(a.key for a in touched.values() if isinstance(a, SourceDocument))
        self._save(touched.values(), Tracking(name, last))
        self.keep_cached(touched.values())  # the seal stage loads these next
        return FoldResult(len(fresh), len(changes) - len(fresh), new_events, keys)

    @command
    def seal(
        self, route: Route, now: datetime, scheduled: bool = False, documents: bool = False
    ) -> SealResult:
        """Seal the client's pending lines into batches (``scheduled``: the cadence's run).

        ``documents``: a documents stage uploads invoice PDFs, so a record whose lines link one
        waits for it (``domain.beleglink``); the seal position stays before the first waiting
        record's plan, so a later seal takes it.
        """
        scan = self.pending_scan(route.client_id)
        dxso = route.mapping.delivery.destination == "dxso"  # the PDFs travel in the DXSO job
        wait = route.mapping.documents.beleglink_wait if documents and not dxso else None
        waiting = {
            d.id
            for d in scan.docs
            if wait is not None and waits_for_document(d, scan.planned[d.id][1], now, wait)
        }
        docs = [d for d in scan.docs if d.id not in waiting]
        position = scan.last
        if waiting:  # hold before the earliest waiting plan, so a later seal takes it
            position = min(scan.planned[i][0] for i in waiting) - 1
        # Batch ids from the latest plan sealed: a plan is sealed once, so no two seals share it.
        sealed_at = max((scan.planned[d.id][0] for d in docs), default=0)
        registry = self.registry(route.client_id)
        periods = self.periods(route.client_id)
        batches = (
            seal_batches(docs, route.mapping, registry, sealed_at, now, periods, wait)
            if docs
            else []
        )
        changed: list[Aggregate] = [*batches, *docs, registry, periods] if docs else []
        if scheduled:
            changed.append(clock := self.seal_clock(route.client_id))
            clock.ran(at=now)
        tracking = None
        if position is not None and position > scan.tracked:  # tracking ids are unique per name
            tracking = Tracking(batcher_name(route.client_id), position)
        self._save(changed, tracking)
        lines = sum(len(b.lines) for b in batches)
        return SealResult(tuple(b.id for b in batches), len(docs), lines, len(waiting))

    @command
    def record_submit_intent(
        self, batch: Batch, kind: str, filename: str, reference_id: str, sha256: str
    ) -> None:
        """Before a DATEV upload: which file goes under which ``Reference-Id`` (ADR 006)."""
        batch.submit_intended(
            kind=kind, filename=filename, reference_id=reference_id, sha256=sha256
        )
        self._save([batch])

    @command
    def record_job(self, batch: Batch, outcome: str, **details: Any) -> None:
        """A DATEV job step of the caller's ``batch``: submitted, completed, failed, deferred."""
        getattr(batch, JOB_STEPS[outcome])(**details)
        self._save([batch])
