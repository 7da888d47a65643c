"""The ledger: the connector's system of record, as an application of named commands.

Every command loads what it needs, makes one domain call and saves the new events through
``_save`` under the write lock (``@command``, ``streams.ledger.commands``). To add one: write the
rule in ``domain/``, then a ``@command`` method in the module of its concern — records, periods,
uploads and cursors here, batches in ``batch_commands`` — load → domain call → ``_save``.
Folds save their events together with a tracking row ``(topic:partition, offset + 1)`` in one
transaction (eventsourcing's process recorder): a redelivered message at or below the tracked
position is skipped, so each record version is decided exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from domain.changes import ProcoreChange
from domain.periods.register import ClientPeriods
from domain.planning import observe
from domain.source_document import SourceDocument
from streams.ledger.batch_commands import BatchCommands
from streams.ledger.commands import command
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


@dataclass(frozen=True)
class FoldResult:
    folded: int
    skipped: int
    new_events: int
    changed_records: tuple[str, ...] = ()


class Ledger(BatchCommands):
    """Records, their booking decisions, periods, uploads and poll cursors; batches (inherited)."""

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
