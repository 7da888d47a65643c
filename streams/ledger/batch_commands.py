"""The ledger's batch commands of the operator and the advisor: review and resubmission."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import review
from domain.batch import Batch
from domain.source_document import SourceDocument
from streams.ledger.pipeline import PipelineCommands, command


class BatchCommands(PipelineCommands):
    """Review and resubmission of sealed batches: each loads, makes one domain call, saves."""

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
