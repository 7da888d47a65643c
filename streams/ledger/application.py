"""The ledger: the connector's system of record, as an application of named commands.

Every command loads what it needs, makes one domain call and saves the new events through
``_save`` under the write lock (``@command``). The commands live by concern: the pipeline's
(``fold``, ``seal``, the DATEV job steps) in ``pipeline``, batch review and resubmission in
``batch_commands``, records, periods, uploads and cursors here. To add one: write the rule in
``domain/``, then a ``@command`` method in the module of its concern — load → domain call →
``_save``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.periods.register import ClientPeriods
from domain.source_document import SourceDocument
from streams.ledger.batch_commands import BatchCommands
from streams.ledger.pipeline import FoldResult, command
from streams.ledger.store import (
    event_payload,
    event_topic,
    event_type_name,
    tracking_name,
)

__all__ = [
    "FoldResult",
    "Ledger",
    "event_payload",
    "event_topic",
    "event_type_name",
    "tracking_name",
]


class Ledger(BatchCommands):
    """Records, their booking decisions, periods, uploads and poll cursors; batches (inherited)."""

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
        held_elsewhere: str = "",
    ) -> SourceDocument:
        """The invoice PDF reached DUO (``failure`` None) or is parked with the failure."""
        doc = self.load(SourceDocument, doc_id)
        assert doc.client_id is not None
        if failure is None:
            doc.document_uploaded(
                record_key=doc.key,
                guid=guid,
                filename=filename,
                client_id=doc.client_id,
                held_elsewhere=held_elsewhere,
            )
        else:
            doc.document_failed(record_key=doc.key, guid=guid, reason=failure, retryable=retryable)
        self._save([doc])
        return doc

    @command
    def advance_cursor(self, name: str, value: datetime) -> None:
        cursor = self.cursor(name)
        cursor.advance(high_water=value)
        self._save([cursor])
