"""The ledger's query side: loading aggregates and reading the notification log.

``LedgerStore`` is an eventsourcing ``Application`` on a process recorder (events and tracking
rows in one transaction). It only reads; every write is a named command of ``Ledger``
(``streams.ledger.application``).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import (
    InterfaceError,
    Notification,
    OperationalError,
    ProcessRecorder,
    Transcoder,
)
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from eventsourcing.utils import get_topic, retry
from psycopg.sql import SQL, Identifier

from domain.creditor_registry import CreditorRegistry
from domain.cursor import PollCursor
from domain.periods.register import ClientPeriods
from domain.sealing import SealClock
from domain.source_document import SourceDocument
from streams.ledger import pg_pipeline
from streams.ledger.rules import BookingRules
from streams.ledger.transcoder import OrjsonTranscoder, plain_json


def tracking_name(topic: str, partition: int, incarnation: str = "") -> str:
    """``topic:partition``, qualified by the Kafka cluster's incarnation when known."""
    return f"{topic}:{partition}@{incarnation}" if incarnation else f"{topic}:{partition}"


def event_topic(aggregate_class: type, event_name: str) -> str:
    """The stored topic of an aggregate's event class (classes made by ``@event("Name")``)."""
    return get_topic(getattr(aggregate_class, event_name))


def event_type_name(event: object) -> str:
    """Stable event type for downstream consumers, e.g. ``SourceDocument.VersionObserved``."""
    return get_topic(type(event)).rsplit(":", 1)[-1]


def event_payload(event: Any) -> dict[str, Any]:
    """An event's own attributes, without the envelope fields."""
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    return {k: v for k, v in vars(event).items() if k not in skip}


LINES_PLANNED = event_topic(SourceDocument, "LinesPlanned")


def batcher_name(client_id: str) -> str:
    """Tracking name of the client's seal position in the ledger's own log."""
    return f"batcher:{client_id}"


A = TypeVar("A", bound=Aggregate)


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply ``events`` in order (eventsourcing's projector without its per-event protocol check,
    an ``isinstance`` against a runtime protocol that cost more than the mutation itself)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class LedgerStore(Application[UUID]):
    """Aggregates by id, tracked positions and the notification log, read-only."""

    name = "ledger"
    recorder: ProcessRecorder

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        rules: BookingRules | None = None,
        incarnation: str = "",
    ) -> None:
        pg_pipeline.install()  # before any PostgreSQL insert (see the module)
        super().__init__(env)
        self.rules = rules  # the booking rules in force (None: records are stored, not booked)
        self.incarnation = incarnation  # the Kafka cluster's, qualifying fold tracking names
        self.write_lock = threading.RLock()  # taken by every command of the ledger
        self.positions: dict[str, int] = {}  # tracking name -> position, as last saved

    def position(self, name: str) -> int:
        """Highest tracked position (offset + 1) for a tracking name; 0 if none (cached)."""
        with self.write_lock:
            if name not in self.positions:
                self.positions[name] = self.tracked(name)
            return self.positions[name]

    def invalidate_positions(self) -> None:
        """Forget cached positions (after a failed transaction or a partition reassignment)."""
        with self.write_lock:
            self.positions.clear()

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()  # eventsourcing's JSON format, read and written faster

    def aggregate(self, agg_id: UUID) -> Aggregate | None:
        try:
            agg: Aggregate = self.repository.get(agg_id, projector_func=project)
        except AggregateNotFoundError:
            return None
        return agg

    def load(self, kind: type[A], agg_id: UUID) -> A:
        """The aggregate, which must exist and be of ``kind``."""
        found = self.aggregate(agg_id)
        if not isinstance(found, kind):
            raise LookupError(f"no {kind.__name__} {agg_id} in the ledger")
        return found

    def document(self, agg_id: UUID) -> SourceDocument | None:
        doc = self.aggregate(agg_id)
        return doc if isinstance(doc, SourceDocument) else None

    def document_at(self, agg_id: UUID, version: int) -> SourceDocument | None:
        """The document whose latest stored version is ``version`` (from ``stored_versions``).

        A copy of the cached aggregate when the cache holds that version (no read: the batch's
        one version query already showed nothing newer), else loaded as usual.
        """
        cache = self.repository.cache
        if cache is not None:
            try:
                cached = cache.get(agg_id)
            except KeyError:
                cached = None
            if isinstance(cached, SourceDocument) and cached.version == version:
                return copy.deepcopy(cached)
        return self.document(agg_id)

    def registry(self, client_id: str) -> CreditorRegistry:
        """The client's creditor numbers (a fresh, unsaved aggregate if none was assigned)."""
        found = self.aggregate(CreditorRegistry.create_id(client_id))
        if isinstance(found, CreditorRegistry):
            return found
        return CreditorRegistry(client_id=client_id)

    def periods(self, client_id: str) -> ClientPeriods:
        """The client's closed months (a fresh, unsaved aggregate if none was ever closed)."""
        found = self.aggregate(ClientPeriods.create_id(client_id))
        return found if isinstance(found, ClientPeriods) else ClientPeriods(client_id=client_id)

    def seal_clock(self, client_id: str) -> SealClock:
        """When the client's cadence last sealed (a fresh, unsaved aggregate if never)."""
        found = self.aggregate(SealClock.create_id(client_id))
        return found if isinstance(found, SealClock) else SealClock(client_id=client_id)

    def cursor(self, name: str) -> PollCursor:
        """The poller's high-water mark ``name`` (a fresh, unsaved aggregate if never set)."""
        found = self.aggregate(PollCursor.create_id(name))
        return found if isinstance(found, PollCursor) else PollCursor(name=name)

    def cursor_get(self, name: str) -> datetime | None:
        return self.cursor(name).high_water

    def keep_cached(self, aggregates: Iterable[Aggregate]) -> None:
        """Put just-saved aggregates nobody else holds into the aggregate cache.

        eventsourcing does not cache on save when it fast-forwards cached aggregates (other
        processes write too), so without this every aggregate folded would be rebuilt from its
        events by the next load. Loads still fast-forward and copy, so this is always safe.
        """
        cache = self.repository.cache
        if cache is not None:
            for agg in aggregates:
                cache.put(agg.id, agg)

    def stored_versions(self, ids: Collection[UUID], chunk: int = 500) -> dict[UUID, int]:
        """Latest stored version of each of ``ids`` that was ever saved, in one query per chunk.

        A fold asks this once per batch, so records it has never seen (a backfill: nearly all)
        cost no SELECT each; only the others are loaded.
        """
        found: dict[UUID, int] = {}
        wanted = list(ids)
        for start in range(0, len(wanted), chunk):
            found.update(self._versions(wanted[start : start + chunk]))
        return found

    # As eventsourcing's own recorder queries: a pooled connection the server dropped is retried.
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _versions(self, ids: list[UUID]) -> dict[UUID, int]:
        recorder: Any = self.recorder
        if isinstance(recorder, SQLiteAggregateRecorder):
            # The table name is the recorder's own, never input; only "?" placeholders vary.
            sql = (
                f"SELECT originator_id, MAX(originator_version) FROM {recorder.events_table_name} "  # noqa: S608
                f"WHERE originator_id IN ({','.join('?' * len(ids))}) GROUP BY originator_id"
            )
            with recorder.datastore.transaction(commit=False) as c:
                c.execute(sql, [i.hex for i in ids])
                return {UUID(row[0]): int(row[1]) for row in c.fetchall()}
        if isinstance(recorder, PostgresAggregateRecorder):
            query = SQL(
                "SELECT originator_id, MAX(originator_version) AS v FROM {}.{} "
                "WHERE originator_id = ANY(%s) GROUP BY originator_id"
            ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
            with recorder.datastore.transaction(commit=False) as c:
                c.execute(query, [ids])
                return {UUID(str(row["originator_id"])): int(row["v"]) for row in c.fetchall()}
        versions = {}
        for agg_id in ids:  # other recorders (in-memory): one read each
            last = recorder.select_events(agg_id, desc=True, limit=1)
            if last:
                versions[agg_id] = last[0].originator_version
        return versions

    def tracked(self, name: str) -> int:
        """Highest tracked position for a tracking name; 0 if none."""
        return self.recorder.max_tracking_id(name) or 0

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

    def stored_json(self, notification: Notification) -> dict[str, Any] | None:
        """The stored event's state as plain JSON values (``transcoder.plain_json``).

        None for an event stored under an older class version (it needs upcasting: decode it).
        """
        data = notification.state
        if self.mapper.cipher:
            data = self.mapper.cipher.decrypt(data)
        if self.mapper.compressor:
            data = self.mapper.compressor.decompress(data)
        state = plain_json(data)
        return None if "class_version" in state else state

    def posted_before(self, doc: SourceDocument, batch_id: str) -> list[dict[str, Any]]:
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

    def pending_documents(self, client_id: str) -> tuple[list[SourceDocument], int | None]:
        """The client's documents with lines to seal, and the last notification looked at."""
        scan = self.pending_scan(client_id)
        return scan.docs, scan.last

    def pending_scan(self, client_id: str) -> PendingScan:
        """The client's documents with lines to seal, each with its latest ``LinesPlanned``."""
        tracked = self.tracked(batcher_name(client_id))
        planned: dict[UUID, tuple[int, datetime]] = {}
        last: int | None = None
        for n in self.scan([LINES_PLANNED], start=tracked + 1):
            last = n.id
            event: Any = self.decode(n)
            if event.client_id == client_id:
                planned[event.originator_id] = (n.id, event.timestamp)
        docs = []
        versions = self.stored_versions(planned)
        for agg_id in planned:
            doc = self.document_at(agg_id, versions[agg_id]) if agg_id in versions else None
            if doc is not None and doc.pending and doc.client_id == client_id:
                docs.append(doc)
        return PendingScan(docs, {d.id: planned[d.id] for d in docs}, tracked, last)


@dataclass
class PendingScan:
    """What a seal looked at: pending documents, where and when each was planned last."""

    docs: list[SourceDocument]
    planned: dict[UUID, tuple[int, datetime]]  # document id -> (notification id, planned at)
    tracked: int  # the client's seal position before the scan
    last: int | None  # the last notification looked at
