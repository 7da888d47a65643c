"""The ledger's batch commands: seal, review, DATEV job steps, resubmission."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from domain import review
from domain.batch import Batch
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
