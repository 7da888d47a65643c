"""The ledger: the connector's system of record, as an application of named commands.

Every command loads what it needs, makes one domain call and saves the new events through
``_save`` under the write lock (``@command``). To add one (e.g. ``record_submit_intent``):
write the rule in ``domain/``, then a ``@command`` method here: load → domain call → ``_save``.
Folds save their events together with a tracking row ``(topic:partition, offset + 1)`` in one
transaction (eventsourcing's process recorder): a redelivered message at or below the tracked
position is skipped, so each record version is decided exactly once.
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

from domain import review
from domain.batch import Batch
from domain.belegfeld import BelegfeldRegistry, new_registry, registry_id
from domain.booking import BelegfeldClaim
from domain.changes import ProcoreChange, RecordRef
from domain.creditor_registry import CreditorRegistry
from domain.periods.register import ClientPeriods
from domain.planning import BOOKABLE, Route, book
from domain.sealing import SealResult, seal_batches
from domain.source_document import SourceDocument, fold_change
from streams.ledger.store import (
    LedgerStore,
    batcher_name,
    event_payload,
    event_topic,
    event_type_name,
    tracking_name,
)

__all__ = ["FoldResult", "Ledger", "event_payload", "event_topic", "event_type_name"]

F = TypeVar("F", bound=Callable[..., Any])


JOB_STEPS = {
    "submitted": "job_submitted",
    "completed": "job_completed",
    "failed": "job_failed",
    "deferred": "submission_deferred",
    "try_again": "try_again",
}


@dataclass(frozen=True)
class FoldResult:
    folded: int
    skipped: int
    new_events: int
    changed_records: tuple[str, ...] = ()


def command(method: F) -> F:
    """A ledger command: runs under the write lock (one writer per process)."""

    @functools.wraps(method)
    def locked(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        with self.write_lock:
            return method(self, *args, **kwargs)

    return cast(F, locked)


class Ledger(LedgerStore):
    """Records, their booking decisions, batches, periods, creditor numbers and poll cursors."""

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
            current = touched.get(agg_id) or (self.document(agg_id) if agg_id in stored else None)
            assert current is None or isinstance(current, SourceDocument)
            folded = fold_change(current, change)
            if folded is not None:
                touched[agg_id] = folded
                if folded.resource in BOOKABLE:
                    self._book(folded, touched, loaded)
        last = fresh[-1][0] + 1
        new_events = sum(len(agg.pending_events) for agg in touched.values())
        keys = tuple(a.key for a in touched.values() if isinstance(a, SourceDocument))
        self._save(touched.values(), Tracking(name, last))
        return FoldResult(len(fresh), len(changes) - len(fresh), new_events, keys)

    @command
    def replay_record(self, doc_id: UUID, by: str) -> SourceDocument:
        """Re-run the booking decision (current mapping) and re-drive a failed upload."""
        doc = self.load(SourceDocument, doc_id)
        doc.request_replay(record_key=doc.key, requested_by=by, note=doc.reason or "")
        touched: dict[UUID, Aggregate] = {doc.id: doc}
        self._book(doc, touched, {})
        self._save(touched.values())
        return doc

    @command
    def resubmit_batch(self, batch_id: UUID, by: str) -> Batch:
        batch = self.load(Batch, batch_id)
        batch.request_resubmit(requested_by=by, note=batch.failure or "")
        self._save([batch])
        return batch

    @command
    def approve_batch(self, batch_id: UUID, by: str, at: datetime, note: str = "") -> Batch:
        """The advisor's approval: the batch goes to DATEV with the next submit round."""
        batch = self.load(Batch, batch_id)
        review.approve(batch, by, at, note)
        self._save([batch])
        return batch

    @command
    def reject_batch(self, batch_id: UUID, by: str, at: datetime, note: str) -> Batch:
        """The advisor's rejection: never submitted; its records are planned again (pending)."""
        batch = self.load(Batch, batch_id)
        docs = [self.load(SourceDocument, SourceDocument.create_id(k)) for k in batch.record_keys]
        prior = {d.key: self._posted_before(d, str(batch.id)) for d in docs}
        registry = self.registry(batch.client_id)
        review.reject(batch, docs, prior, registry, by, at, note)
        touched: dict[UUID, Aggregate] = {d.id: d for d in docs}
        touched[registry.id] = registry
        loaded: dict[UUID, Aggregate] = {}
        for doc in docs:
            self._book(doc, touched, loaded)
        self._save([batch, *touched.values()])
        return batch

    def _posted_before(self, doc: SourceDocument, batch_id: str) -> list[dict[str, Any]]:
        """The record's posted lines just before ``batch_id`` took them."""
        for event in reversed(self.history(doc.id)):
            payload = event_payload(event)
            if event_type_name(event).endswith("LinesBatched") and payload["batch_id"] == batch_id:
                before: Aggregate = self.repository.get(
                    doc.id, version=event.originator_version - 1
                )
                assert isinstance(before, SourceDocument)
                return before.posted
        raise LookupError(f"record {doc.key} was never batched in {batch_id}")

    @command
    def record_job(self, batch: Batch, outcome: str, **details: Any) -> None:
        """A DATEV job step of the caller's ``batch``: submitted, completed, failed, deferred."""
        getattr(batch, JOB_STEPS[outcome])(**details)
        self._save([batch])

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
    def close_period(self, client_id: str, period: str, by: str, note: str = "") -> ClientPeriods:
        periods = self.periods(client_id)
        periods.close(period, position=self.recorder.max_notification_id() or 0, by=by, note=note)
        self._save([periods])
        return periods

    @command
    def reopen_period(self, client_id: str, period: str, by: str, note: str = "") -> ClientPeriods:
        periods = self.periods(client_id)
        periods.reopen(period, by=by, note=note)
        self._save([periods])
        return periods

    @command
    def record_upload(
        self,
        doc_id: UUID,
        guid: str,
        filename: str = "",
        failure: str | None = None,
        retryable: bool = False,
    ) -> SourceDocument:
        """The invoice PDF reached DUO (``failure`` None) or is parked with the failure."""
        doc = self.load(SourceDocument, doc_id)
        assert doc.client_id is not None
        if failure is None:
            doc.document_uploaded(
                record_key=doc.key, guid=guid, filename=filename, client_id=doc.client_id
            )
        else:
            doc.document_failed(record_key=doc.key, guid=guid, reason=failure, retryable=retryable)
        self._save([doc])
        return doc

    @command
    def seal(self, route: Route, now: datetime, scheduled: bool = False) -> SealResult:
        """Seal the client's pending lines into batches (``scheduled``: the cadence's run)."""
        docs, last = self.pending_documents(route.client_id)
        registry = self.registry(route.client_id)
        periods = self.periods(route.client_id)
        batches = (
            seal_batches(docs, route.mapping, registry, last or 0, now, periods) if docs else []
        )
        changed: list[Aggregate] = [*batches, *docs, registry, periods] if docs else []
        if scheduled:
            changed.append(clock := self.seal_clock(route.client_id))
            clock.ran(at=now)
        self._save(changed, Tracking(batcher_name(route.client_id), last) if last else None)
        lines = sum(len(b.lines) for b in batches)
        return SealResult(tuple(b.id for b in batches), len(docs), lines)

    @command
    def advance_cursor(self, name: str, value: datetime) -> None:
        cursor = self.cursor(name)
        cursor.advance(high_water=value)
        self._save([cursor])

    def _book(
        self, doc: SourceDocument, touched: dict[UUID, Aggregate], loaded: dict[UUID, Aggregate]
    ) -> None:
        """Load the record's route, registry and periods (``loaded`` keeps them), then decide."""
        if self.rules is None:
            return
        route = self.rules.route(RecordRef.parse(doc.key))
        if isinstance(route, str):
            book(doc, route)
            return
        reg_id = CreditorRegistry.create_id(route.client_id)
        registry = loaded.get(reg_id) or touched.get(reg_id) or self.registry(route.client_id)
        periods_id = ClientPeriods.create_id(route.client_id)
        periods = loaded.get(periods_id) or self.periods(route.client_id)
        loaded[reg_id], loaded[periods_id] = registry, periods
        assert isinstance(registry, CreditorRegistry) and isinstance(periods, ClientPeriods)
        client_id = route.client_id

        def belegfelder(claim: BelegfeldClaim) -> BelegfeldRegistry:
            agg_id = registry_id(client_id, claim.creditor, claim.fiscal_year_start)
            found = touched.get(agg_id) or loaded.get(agg_id) or self.aggregate(agg_id)
            if not isinstance(found, BelegfeldRegistry):
                found = new_registry(client_id, claim)
            loaded[agg_id] = touched[agg_id] = found  # saved with the record's decision
            return found

        book(doc, route, registry, periods, belegfelder)
        if registry.pending_events:
            touched[reg_id] = registry

    def _save(self, aggregates: Iterable[Aggregate], tracking: Tracking | None = None) -> None:
        """New events of ``aggregates`` (and the tracking row) in one transaction."""
        processing = ProcessingEvent[UUID](tracking)
        processing.collect_events(*aggregates)
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
