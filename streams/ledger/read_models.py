"""Read models of the ledger: batches, records, parked, uploads, known ids, counts.

The month-end close's own read models are in ``close_reads``.

``LedgerView`` is a projection of the notification log: each query first reads the events
since the previous one and reloads only the aggregates they changed, so a ``/metrics`` scrape or
a status page costs what happened since the last, not a rescan of the whole log. Writes of
other processes (the CLI) are seen the same way.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from domain.batch import Batch
from domain.changes import RecordRef
from domain.source_document import SourceDocument
from streams.ledger.store import LedgerStore, event_payload, event_topic, event_type_name

UPLOADED = event_topic(SourceDocument, "DocumentUploaded")
PLANNED = event_topic(SourceDocument, "LinesPlanned")
VERSIONS = (event_topic(SourceDocument, "VersionObserved"), event_topic(SourceDocument, "Deleted"))
RECORD_LIMIT = 200  # rows of a record search
FLAGGED = (event_topic(SourceDocument, "Parked"), event_topic(SourceDocument, "DocumentFailed"))


@dataclass(frozen=True)
class BatchRow:
    batch_id: UUID
    client_id: str
    state: str
    created: str
    lines: int
    files: dict[str, Any]
    jobs: dict[str, Any]
    failure: str | None


@dataclass(frozen=True)
class RecordRow:
    key: str
    resource: str
    status: str | None
    decision: str
    reason: str | None
    client_id: str | None
    document_state: str | None
    document_failure: str | None = None  # why the invoice PDF is parked (DUO code and text)


@dataclass(frozen=True)
class TrailEntry:
    when: str
    event: str
    details: dict[str, Any]


def batch_row(b: Batch) -> BatchRow:
    return BatchRow(
        batch_id=b.id,
        client_id=b.client_id,
        state=b.state,
        created=b.created.isoformat(timespec="seconds"),
        lines=len(b.lines),
        files=b.files,
        jobs=b.jobs,
        failure=b.failure,
    )


def record_row(doc: SourceDocument) -> RecordRow:
    return RecordRow(
        key=doc.key,
        resource=doc.resource,
        status=doc.status,
        decision=doc.decision,
        reason=doc.reason,
        client_id=doc.client_id,
        document_state=doc.document_state,
        document_failure=getattr(doc, "document_failure", None),
    )


class LedgerView:
    """Rows of every record and batch, in the order they first appeared in the log."""

    def __init__(self, ledger: LedgerStore) -> None:
        self.ledger = ledger
        self.position = 0  # last notification id folded into the view
        self.records: dict[UUID, RecordRow] = {}
        self.deleted: set[UUID] = set()
        self.batches: dict[UUID, BatchRow] = {}
        self.flagged: dict[UUID, None] = {}  # ever parked or failed to upload, first time first
        self.uploads: list[tuple[str, datetime]] = []  # (client, when) per DocumentUploaded
        self.planned_at: dict[UUID, int] = {}  # notification id of each record's latest plan
        self._lock = threading.Lock()

    def refresh(self) -> LedgerView:
        with self._lock:
            changed: dict[UUID, None] = {}
            flagged: list[UUID] = []
            uploads: list[tuple[str, datetime]] = []
            planned: dict[UUID, int] = {}
            last = self.position
            for n in self.ledger.scan((), start=self.position + 1):
                agg_id = UUID(str(n.originator_id))
                changed[agg_id] = None
                if n.topic in FLAGGED:
                    flagged.append(agg_id)
                elif n.topic == PLANNED:
                    planned[agg_id] = n.id
                elif n.topic == UPLOADED:
                    event: Any = self.ledger.decode(n)
                    uploads.append((event.client_id, event.timestamp))
                last = n.id
            for agg_id in changed:
                self._reload(agg_id)
            self.flagged.update(dict.fromkeys(flagged))
            self.uploads.extend(uploads)
            self.planned_at.update(planned)
            self.position = last
        return self

    def _reload(self, agg_id: UUID) -> None:
        agg = self.ledger.aggregate(agg_id)
        if isinstance(agg, SourceDocument):
            self.records[agg_id] = record_row(agg)
            if agg.deleted:
                self.deleted.add(agg_id)
            else:
                self.deleted.discard(agg_id)
        elif isinstance(agg, Batch):
            self.batches[agg_id] = batch_row(agg)


_VIEWS: WeakKeyDictionary[LedgerStore, LedgerView] = WeakKeyDictionary()
_VIEWS_LOCK = threading.Lock()


def view(ledger: LedgerStore) -> LedgerView:
    """The ledger's view, brought up to date (one per ledger object)."""
    with _VIEWS_LOCK:
        found = _VIEWS.get(ledger)
        if found is None:
            found = _VIEWS[ledger] = LedgerView(ledger)
    return found.refresh()


# -- batches --------------------------------------------------------------------------------


def batch_rows(ledger: LedgerStore, state: str | None = None) -> list[BatchRow]:
    rows = list(view(ledger).batches.values())
    return [r for r in rows if r.state == state] if state else rows


def iter_batches(ledger: LedgerStore) -> Iterator[Batch]:
    for batch_id in list(view(ledger).batches):
        batch = ledger.aggregate(batch_id)
        if isinstance(batch, Batch):
            yield batch


def find_batch_by_id(ledger: LedgerStore, batch_id: str) -> Batch | None:
    try:
        found = ledger.aggregate(UUID(batch_id))
    except ValueError:
        return None
    return found if isinstance(found, Batch) else None


# -- records --------------------------------------------------------------------------------


def find_record(ledger: LedgerStore, text: str) -> SourceDocument | None:
    """A record by Procore reference ``company:project:resource:id`` or aggregate id.

    Raises ``ValueError`` (naming the expected form) when ``text`` is neither.
    """
    try:
        agg_id = UUID(text)
    except ValueError:
        agg_id = RecordRef.parse(text).aggregate_id
    return ledger.document(agg_id)


def parked(ledger: LedgerStore) -> list[SourceDocument]:
    """Records whose booking is parked, or whose invoice PDF failed to upload."""
    rows = view(ledger)
    found = []
    for agg_id in list(rows.flagged):
        row = rows.records.get(agg_id)
        if row is None or (row.decision != "parked" and row.document_state != "failed"):
            continue
        doc = ledger.document(agg_id)
        if doc is not None and (doc.decision == "parked" or doc.document_state == "failed"):
            found.append(doc)
    return found


def records(ledger: LedgerStore, query: str = "", limit: int = RECORD_LIMIT) -> list[RecordRow]:
    """Records whose key, decision, status or reason contains ``query`` (newest first)."""
    needle = query.strip().lower()
    found: list[RecordRow] = []
    for row in reversed(list(view(ledger).records.values())):
        text = " ".join(str(v) for v in vars(row).values() if v).lower()
        if needle and needle not in text:
            continue
        found.append(row)
        if len(found) >= limit:
            break
    return found


def known_ids(
    ledger: LedgerStore, company_id: int, project_id: int | None, resource: str
) -> set[int]:
    """Procore ids of records of this kind the ledger knows and that are not deleted."""
    project = "-" if project_id is None else str(project_id)
    prefix = f"{company_id}:{project}:{resource}:"
    rows = view(ledger)
    return {
        int(row.key.rsplit(":", 1)[1])
        for agg_id, row in list(rows.records.items())
        if row.key.startswith(prefix) and agg_id not in rows.deleted
    }


def trail(ledger: LedgerStore, doc: SourceDocument) -> list[TrailEntry]:
    """Every stored event of the record, oldest first, without bulky snapshots."""
    entries = []
    for stored in ledger.history(doc.id):
        event: Any = stored
        payload = event_payload(event)
        for bulky in ("record", "context", "desired", "pending"):
            if bulky in payload:
                value = payload.pop(bulky)
                payload[bulky] = f"{len(value)} item(s)" if isinstance(value, list) else "…"
        payload.pop("record_key", None)
        entries.append(
            TrailEntry(
                when=f"{event.timestamp:%Y-%m-%d %H:%M:%S}",
                event=event_type_name(event).split(".", 1)[-1],
                details=payload,
            )
        )
    return entries


def uploads_on(ledger: LedgerStore, day: date) -> Counter[str]:
    """Invoice PDFs uploaded per client on ``day`` (local time)."""
    return Counter(client for client, when in list(view(ledger).uploads) if local_day(when) == day)


def local_day(moment: datetime) -> date:
    """The worker's local date of ``moment`` (naive: UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().date()


# -- counts (metrics) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    records: Counter[tuple[str, str]]  # (resource, decision)
    documents: Counter[str]  # uploaded | failed
    batches: Counter[str]  # state
    batch_lines: Counter[str]  # state


def counts(ledger: LedgerStore) -> Counts:
    rows = view(ledger)
    result = Counts(Counter(), Counter(), Counter(), Counter())
    for row in list(rows.records.values()):
        result.records[(row.resource, row.decision)] += 1
        if row.document_state:
            result.documents[row.document_state] += 1
    for batch in list(rows.batches.values()):
        result.batches[batch.state] += 1
        result.batch_lines[batch.state] += batch.lines
    return result


class KnownIds:
    """What the poller's sweep asks the ledger: the ids of live records (deletion detection)."""

    def __init__(self, ledger: LedgerStore) -> None:
        self.ledger = ledger

    def known_ids(self, company_id: int, project_id: int | None, resource: str) -> set[int]:
        return known_ids(self.ledger, company_id, project_id, resource)
