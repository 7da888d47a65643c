"""The ledger's batch commands: seal, review, DATEV job steps, resubmission."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from domain import review
from domain.batch import Batch
from domain.beleglink import waits_for_document
from domain.planning import Route
from domain.sealing import SealResult, seal_batches
from domain.source_document import SourceDocument
from streams.ledger.commands import LedgerWriter, command
from streams.ledger.store import batcher_name

JOB_STEPS = {
    "submitted": "job_submitted",
    "completed": "job_completed",
    "failed": "job_failed",
    "deferred": "submission_deferred",
    "try_again": "try_again",
}


class BatchCommands(LedgerWriter):
    """Batches from sealing to DATEV: each command loads, makes one domain call, saves."""

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
        wait = route.mapping.documents.beleglink_wait if documents else None
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
        prior = {d.key: self.posted_before(d, str(batch.id)) for d in docs}
        registry = self.registry(batch.client_id)
        review.reject(batch, docs, prior, registry, by, at, note)
        touched: dict[UUID, Aggregate] = {d.id: d for d in docs}
        touched[registry.id] = registry
        loaded: dict[UUID, Aggregate] = {}
        for doc in docs:
            self._book(doc, touched, loaded)
        self._save([batch, *touched.values()])
        return batch

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
