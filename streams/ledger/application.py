"""The event-sourced application: the system of record of everything the connector decided.

Exactly-once effect without Kafka transactions: the new events of a batch and a tracking row
``(topic:partition, offset + 1)`` are written in one transaction by eventsourcing's process
recorder. A redelivered message at or below the tracked position is skipped before folding.
Folding also decides how each record books (``domain.planning``), so the decision and the
observation it follows are stored atomically.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import Notification, Tracking
from eventsourcing.projection import EventSourcedProjection
from eventsourcing.utils import get_topic

from domain.changes import ProcoreChange, RecordRef
from domain.creditor_registry import CreditorRegistry
from domain.cursor import PollCursor
from domain.periods import book_in_open_periods
from domain.periods.register import ClientPeriods
from domain.planning import BOOKABLE, decide
from domain.source_document import SourceDocument, apply_decision, fold_change
from streams.ledger.rules import BookingRules

log = logging.getLogger(__name__)


@dataclass
class FoldBatch:
    """Changes from one topic partition, in offset order, plus what folding them did."""

    name: str
    changes: list[tuple[int, ProcoreChange]]
    new_events: int = 0
    changed_records: list[str] = field(default_factory=list)


@dataclass
class Collect:
    """Aggregates already changed by a command, to be saved with a tracking row."""

    aggregates: Sequence[Aggregate]


@dataclass(frozen=True)
class FoldResult:
    folded: int
    skipped: int
    new_events: int
    changed_records: tuple[str, ...] = ()


def tracking_name(topic: str, partition: int, incarnation: str = "") -> str:
    """``topic:partition``, qualified by the Kafka cluster's incarnation when known."""
    return f"{topic}:{partition}@{incarnation}" if incarnation else f"{topic}:{partition}"


def event_topic(aggregate_class: type, event_name: str) -> str:
    """The stored topic of an aggregate's event class (classes made by ``@event("Name")``)."""
    return get_topic(getattr(aggregate_class, event_name))


class Ledger(EventSourcedProjection[UUID]):
    """Records, their booking decisions, batches, creditor numbers and poll cursors."""

    name = "ledger"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        rules: BookingRules | None = None,
        incarnation: str = "",
    ) -> None:
        super().__init__(env)
        self.rules = rules
        self.incarnation = incarnation
        self.write_lock = threading.RLock()
        self._positions: dict[str, int] = {}

    # -- folding -----------------------------------------------------------------------------

    def position(self, name: str) -> int:
        """Highest tracked position (offset + 1) for a tracking name; 0 if none."""
        with self.write_lock:
            if name not in self._positions:
                self._positions[name] = self.recorder.max_tracking_id(name) or 0
            return self._positions[name]

    def fold(
        self, topic: str, partition: int, changes: Sequence[tuple[int, ProcoreChange]]
    ) -> FoldResult:
        """Fold ``(offset, change)`` pairs of one partition in one transaction."""
        name = tracking_name(topic, partition, self.incarnation)
        with self.write_lock:
            done = self.position(name)
            fresh = [(o, c) for o, c in sorted(changes, key=lambda oc: oc[0]) if o + 1 > done]
            skipped = len(changes) - len(fresh)
            if not fresh:
                return FoldResult(folded=0, skipped=skipped, new_events=0)
            batch = FoldBatch(name=name, changes=fresh)
            last = fresh[-1][0] + 1
            try:
                # A batch of changes stands in for eventsourcing's single domain event.
                self.process_event(batch, Tracking(name, last))  # type: ignore[arg-type]
            except Exception:
                self._positions.clear()
                raise
            self._positions[name] = last
        return FoldResult(
            folded=len(fresh),
            skipped=skipped,
            new_events=batch.new_events,
            changed_records=tuple(batch.changed_records),
        )

    def policy(self, domain_event: Any, processing_event: ProcessingEvent[UUID]) -> None:
        if isinstance(domain_event, Collect):
            processing_event.collect_events(*domain_event.aggregates)
            return
        assert isinstance(domain_event, FoldBatch)
        touched: dict[UUID, Aggregate] = {}
        reads: dict[UUID, Aggregate] = {}  # per-client aggregates, loaded once per batch
        for _offset, change in domain_event.changes:
            agg_id = change.ref.aggregate_id
            current = touched.get(agg_id) or self.document(agg_id)
            assert current is None or isinstance(current, SourceDocument)
            folded = fold_change(current, change)
            if folded is None:
                continue
            touched[agg_id] = folded
            if folded.resource in BOOKABLE:
                self.decide(folded, touched, reads)
        for agg in touched.values():
            domain_event.new_events += len(agg.pending_events)
            if isinstance(agg, SourceDocument):
                domain_event.changed_records.append(agg.key)
        processing_event.collect_events(*touched.values())

    def decide(
        self,
        doc: SourceDocument,
        touched: dict[UUID, Aggregate],
        reads: dict[UUID, Aggregate] | None = None,
    ) -> bool:
        """Record the booking decision for the document's current version (in ``touched``).

        ``reads`` keeps the client's registry and periods across the records of one fold batch
        (one transaction): loading them per record was most of the fold's database reads.
        """
        reads = {} if reads is None else reads
        if self.rules is None:
            return False
        rules = self.rules.route(RecordRef.parse(doc.key))
        if isinstance(rules, str):
            if doc.decision == "ignored" and doc.reason == rules:
                return False
            doc.ignore(record_key=doc.key, client_id=None, reason=rules)
            return True
        reg_id = CreditorRegistry.create_id(rules.client_id)
        registry = touched.get(reg_id) or reads.get(reg_id) or self.registry(rules.client_id)
        reads[reg_id] = registry
        assert isinstance(registry, CreditorRegistry)
        result = None if doc.deleted else decide(doc, rules.mapping, rules.chart, registry)
        if registry.pending_events:
            touched[reg_id] = registry
        periods_id = ClientPeriods.create_id(rules.client_id)
        periods = reads.get(periods_id) or self.periods(rules.client_id)
        reads[periods_id] = periods
        assert isinstance(periods, ClientPeriods)
        closed = periods.closed
        result, reversal_date = book_in_open_periods(doc.posted_lines, result, closed)
        return apply_decision(
            doc,
            rules.client_id,
            result,
            method=rules.mapping.booking.reversal,
            reversal_date=reversal_date,
        )

    def save_with_tracking(self, aggregates: Sequence[Aggregate], tracking: Tracking) -> None:
        """Save aggregates and a tracking row in one transaction."""
        with self.write_lock:
            self.process_event(Collect(aggregates), tracking)  # type: ignore[arg-type]

    def save_all(self, *aggregates: Aggregate) -> None:
        with self.write_lock:
            self.save(*aggregates)

    def invalidate_positions(self) -> None:
        """Forget cached positions (after a failed transaction or a partition reassignment)."""
        with self.write_lock:
            self._positions.clear()

    # -- loading -----------------------------------------------------------------------------

    def _get(self, agg_id: UUID) -> Aggregate | None:
        try:
            agg: Aggregate = self.repository.get(agg_id)
        except AggregateNotFoundError:
            return None
        return agg

    def document(self, agg_id: UUID) -> SourceDocument | None:
        doc = self._get(agg_id)
        return doc if isinstance(doc, SourceDocument) else None

    def registry(self, client_id: str) -> CreditorRegistry:
        found = self._get(CreditorRegistry.create_id(client_id))
        if isinstance(found, CreditorRegistry):
            return found
        return CreditorRegistry(client_id=client_id)

    def periods(self, client_id: str) -> ClientPeriods:
        """The client's closed months (a fresh, unsaved aggregate if none was ever closed)."""
        found = self._get(ClientPeriods.create_id(client_id))
        return found if isinstance(found, ClientPeriods) else ClientPeriods(client_id=client_id)

    def aggregate(self, agg_id: UUID) -> Aggregate | None:
        return self._get(agg_id)

    # -- poll cursors (the poller's high-water marks) ------------------------------------------

    def cursor_get(self, name: str) -> datetime | None:
        cursor = self._get(PollCursor.create_id(name))
        return cursor.high_water if isinstance(cursor, PollCursor) else None

    def cursor_set(self, name: str, value: datetime) -> None:
        with self.write_lock:
            cursor = self._get(PollCursor.create_id(name))
            if not isinstance(cursor, PollCursor):
                cursor = PollCursor(name=name)
            cursor.advance(high_water=value)
            self.save(cursor)

    # -- reading the log ----------------------------------------------------------------------

    def history(self, agg_id: UUID) -> list[DomainEventProtocol[UUID]]:
        return list(self.events.get(agg_id))

    def notifications(
        self, start: int, limit: int, topics: Sequence[str] = ()
    ) -> list[Notification]:
        return list(self.recorder.select_notifications(start=start, limit=limit, topics=topics))

    def scan(
        self, topics: Sequence[str], start: int = 1, page: int = 1000
    ) -> Iterator[Notification]:
        """Every notification of the given event topics from ``start`` on, in order."""
        while True:
            batch = self.notifications(start, page, topics)
            yield from batch
            if len(batch) < page:
                return
            start = batch[-1].id + 1

    def decode(self, notification: Notification) -> DomainEventProtocol[UUID]:
        return self.mapper.to_domain_event(notification)

    def known_ids(self, company_id: int, project_id: int | None, resource: str) -> set[int]:
        """Procore ids of records of this kind the ledger knows and that are not deleted."""
        project = "-" if project_id is None else str(project_id)
        prefix = f"{company_id}:{project}:{resource}:"
        ids: set[int] = set()
        for n in self.scan([event_topic(SourceDocument, "Registered")]):
            event: Any = self.decode(n)
            if event.key.startswith(prefix):
                ids.add(int(event.key.rsplit(":", 1)[1]))
        alive = set()
        for rid in ids:
            doc = self.document(SourceDocument.create_id(prefix + str(rid)))
            if doc is not None and not doc.deleted:
                alive.add(rid)
        return alive


def event_type_name(event: object) -> str:
    """Stable event type for downstream consumers, e.g. ``SourceDocument.VersionObserved``."""
    topic = get_topic(type(event))
    return topic.rsplit(":", 1)[-1]


def event_payload(event: Any) -> dict[str, Any]:
    """An event's own attributes, without the envelope fields."""
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    return {k: v for k, v in vars(event).items() if k not in skip}
