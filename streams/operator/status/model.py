"""What the status page shows, read from the ledger (no HTML here; see ``pages``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.batch import Batch
from domain.cadence import Cadence
from domain.source_document import SourceDocument
from streams.ledger.application import Ledger, event_payload, event_topic, event_type_name
from streams.ledger.rules import BookingRules
from streams.operator.actions import batch_rows, parked

RECORD_LIMIT = 200


@dataclass(frozen=True)
class ClientOverview:
    client_id: str
    name: str
    cadence: str
    last_batch: str | None
    last_batch_state: str | None
    next_run: str
    lines_today: int
    documents_today: int
    parked: int
    failed_batches: int


@dataclass(frozen=True)
class RecordRow:
    key: str
    resource: str
    status: str | None
    decision: str
    reason: str | None
    client_id: str | None
    document_state: str | None


@dataclass(frozen=True)
class TrailEntry:
    when: str
    event: str
    details: dict[str, Any]


def next_run(cadence: Cadence, last_seal: datetime | None, now: datetime) -> str:
    """When the client's pending lines are sealed next, in words."""
    if cadence.kind == "immediate":
        return "continuously (as lines are ready)"
    if cadence.kind == "manual":
        return "manual: `ml-connector seal <client>`"
    if cadence.kind == "every" and cadence.interval is not None:
        due = now if last_seal is None else max(now, last_seal + cadence.interval)
        return f"{due:%Y-%m-%d %H:%M}"
    assert cadence.at is not None
    slot = datetime.combine(now.date(), cadence.at, tzinfo=now.tzinfo)
    if cadence.due(last_seal, now):
        return "now (due)"
    if slot <= now:
        slot += timedelta(days=1)
    return f"{slot:%Y-%m-%d %H:%M}"


def _is_today(moment: datetime, today: date) -> bool:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().date() == today


def overview(
    ledger: Ledger, rules: BookingRules | None, now: datetime | None = None
) -> list[ClientOverview]:
    """One row per DATEV client of the mapping."""
    now = now or datetime.now().astimezone()
    if rules is None:
        return []
    batches = batch_rows(ledger)
    stuck = parked(ledger)
    uploads: dict[str, int] = {}
    for n in ledger.scan([event_topic(SourceDocument, "DocumentUploaded")]):
        event: Any = ledger.decode(n)
        if _is_today(event.timestamp, now.date()):
            uploads[event.client_id] = uploads.get(event.client_id, 0) + 1
    rows = []
    for client_id, client in sorted(rules.clients.items()):
        mine = [b for b in batches if b.client_id == client_id]
        last = max(mine, key=lambda b: b.created, default=None)
        last_seal = datetime.fromisoformat(last.created) if last else None
        rows.append(
            ClientOverview(
                client_id=client_id,
                name=client.mapping.client.name or client_id,
                cadence=client.cadence.describe(),
                last_batch=last.created if last else None,
                last_batch_state=last.state if last else None,
                next_run=next_run(client.cadence, last_seal, now),
                lines_today=sum(
                    b.lines
                    for b in mine
                    if _is_today(datetime.fromisoformat(b.created), now.date())
                ),
                documents_today=uploads.get(client_id, 0),
                parked=sum(1 for d in stuck if d.client_id == client_id),
                failed_batches=sum(1 for b in mine if b.state == "failed"),
            )
        )
    return rows


def _row(doc: SourceDocument) -> RecordRow:
    return RecordRow(
        key=doc.key,
        resource=doc.resource,
        status=doc.status,
        decision=doc.decision,
        reason=doc.reason,
        client_id=doc.client_id,
        document_state=doc.document_state,
    )


def records(ledger: Ledger, query: str = "", limit: int = RECORD_LIMIT) -> list[RecordRow]:
    """Records whose key, decision, status or reason contains ``query`` (newest first)."""
    needle = query.strip().lower()
    keys = [ledger.decode(n) for n in ledger.scan([event_topic(SourceDocument, "Registered")])]
    found: list[RecordRow] = []
    for event in reversed(keys):
        doc = ledger.document(UUID(str(event.originator_id)))
        if doc is None:
            continue
        row = _row(doc)
        text = " ".join(str(v) for v in vars(row).values() if v).lower()
        if needle and needle not in text:
            continue
        found.append(row)
        if len(found) >= limit:
            break
    return found


def parked_rows(ledger: Ledger) -> list[RecordRow]:
    return [_row(d) for d in parked(ledger)]


def trail(ledger: Ledger, doc: SourceDocument) -> list[TrailEntry]:
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


def find_batch_by_id(ledger: Ledger, batch_id: str) -> Batch | None:
    try:
        found = ledger.aggregate(UUID(batch_id))
    except ValueError:
        return None
    return found if isinstance(found, Batch) else None
