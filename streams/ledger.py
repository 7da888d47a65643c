"""The event-sourced application that folds Procore changes into ``SourceDocument`` aggregates.

Exactly-once effect without Kafka transactions: the new events of a batch and a tracking row
``(topic:partition, offset + 1)`` are written in one transaction by eventsourcing's process
recorder. A redelivered message at or below the tracked position is skipped before folding.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Notification, Tracking
from eventsourcing.projection import EventSourcedProjection
from eventsourcing.utils import get_topic

from domain.changes import ProcoreChange
from domain.source_document import SourceDocument, fold_change

log = logging.getLogger(__name__)


@dataclass
class FoldBatch:
    """Changes from one topic partition, in offset order, plus what folding them did."""

    name: str
    changes: list[tuple[int, ProcoreChange]]
    new_events: int = 0
    changed_records: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FoldResult:
    folded: int
    skipped: int
    new_events: int
    changed_records: tuple[str, ...] = ()


def tracking_name(topic: str, partition: int) -> str:
    return f"{topic}:{partition}"


class Ledger(EventSourcedProjection[UUID]):
    """System of record: every Procore record's history, and (later) its bookings."""

    name = "ledger"

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._positions: dict[str, int] = {}
        self._positions_lock = threading.Lock()

    # -- folding -----------------------------------------------------------------------------

    def position(self, name: str) -> int:
        """Highest tracked position (offset + 1) for a tracking name; 0 if none."""
        with self._positions_lock:
            if name not in self._positions:
                self._positions[name] = self.recorder.max_tracking_id(name) or 0
            return self._positions[name]

    def fold(
        self, topic: str, partition: int, changes: Sequence[tuple[int, ProcoreChange]]
    ) -> FoldResult:
        """Fold ``(offset, change)`` pairs of one partition in one transaction."""
        name = tracking_name(topic, partition)
        done = self.position(name)
        fresh = [(o, c) for o, c in sorted(changes, key=lambda oc: oc[0]) if o + 1 > done]
        skipped = len(changes) - len(fresh)
        if not fresh:
            return FoldResult(folded=0, skipped=skipped, new_events=0)
        batch = FoldBatch(name=name, changes=fresh)
        last = fresh[-1][0] + 1
        self.process_event(batch, Tracking(name, last))  # type: ignore[arg-type]  # batch of changes, not one event
        with self._positions_lock:
            self._positions[name] = last
        return FoldResult(
            folded=len(fresh),
            skipped=skipped,
            new_events=batch.new_events,
            changed_records=tuple(batch.changed_records),
        )

    def policy(self, domain_event: FoldBatch, processing_event: ProcessingEvent[UUID]) -> None:
        touched: dict[UUID, SourceDocument] = {}
        for _offset, change in domain_event.changes:
            agg_id = change.ref.aggregate_id
            doc = touched.get(agg_id) or self._load(agg_id)
            folded = fold_change(doc, change)
            if folded is not None:
                touched[agg_id] = folded
        for doc in touched.values():
            domain_event.new_events += len(doc.pending_events)
            domain_event.changed_records.append(doc.key)
        processing_event.collect_events(*touched.values())

    def _load(self, agg_id: UUID) -> SourceDocument | None:
        try:
            doc: object = self.repository.get(agg_id)
        except AggregateNotFoundError:
            return None
        assert isinstance(doc, SourceDocument)
        return doc

    def invalidate_positions(self) -> None:
        """Forget cached positions (after a failed transaction or a partition reassignment)."""
        with self._positions_lock:
            self._positions.clear()

    # -- reading -----------------------------------------------------------------------------

    def document(self, agg_id: UUID) -> SourceDocument | None:
        return self._load(agg_id)

    def history(self, agg_id: UUID) -> list[DomainEventProtocol[UUID]]:
        return list(self.events.get(agg_id))

    def notifications(self, start: int, limit: int) -> list[Notification]:
        return list(self.recorder.select_notifications(start=start, limit=limit))

    def decode(self, notification: Notification) -> DomainEventProtocol[UUID]:
        return self.mapper.to_domain_event(notification)


def event_type_name(event: object) -> str:
    """Stable event type for downstream consumers, e.g. ``SourceDocument.VersionObserved``."""
    topic = get_topic(type(event))
    return topic.rsplit(":", 1)[-1]


def event_payload(event: Any) -> dict[str, Any]:
    """An event's own attributes, without the envelope fields."""
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    return {k: v for k, v in vars(event).items() if k not in skip}
