"""Sealing: a DATEV client's pending booking lines become one or more ``Batch`` aggregates.

The batcher follows the ledger's own notification log (``LinesPlanned`` events of the client)
from a tracking position ``batcher:<client>``. The new batches, every included record's
``LinesBatched`` and the new tracking position are saved in one transaction, so a crash either
seals everything or nothing, and a line is never sealed twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from domain.batch import Batch
from domain.batch_files import build_files
from domain.booking import BookingLine
from domain.changes import content_hash
from domain.creditor_registry import CreditorRegistry
from domain.extf import CreditorRecord, creditor_record, split_batches
from domain.procore.records import Vendor
from domain.source_document import SourceDocument, dump_lines
from streams.ledger.application import Ledger, event_topic
from streams.ledger.rules import ClientRules

LINES_PLANNED = event_topic(SourceDocument, "LinesPlanned")


def batcher_name(client_id: str) -> str:
    return f"batcher:{client_id}"


@dataclass(frozen=True)
class SealResult:
    batch_ids: tuple[UUID, ...]
    records: int
    lines: int


def pending_documents(ledger: Ledger, client_id: str) -> tuple[list[SourceDocument], int | None]:
    start = (ledger.recorder.max_tracking_id(batcher_name(client_id)) or 0) + 1
    seen: dict[UUID, None] = {}
    last: int | None = None
    for n in ledger.scan([LINES_PLANNED], start=start):
        last = n.id
        event: Any = ledger.decode(n)
        if event.client_id == client_id:
            seen[event.originator_id] = None
    docs = []
    for agg_id in seen:
        doc = ledger.document(agg_id)
        if doc is not None and doc.pending and doc.client_id == client_id:
            docs.append(doc)
    return docs, last


def _creditor_rows(
    lines: Sequence[BookingLine],
    docs: dict[str, SourceDocument],
    registry: CreditorRegistry,
    batch_id: UUID,
) -> list[CreditorRecord]:
    """Creditor master rows for vendors in these lines that DATEV has not seen in this version."""
    by_account = {account: vendor for vendor, account in registry.assigned.items()}
    rows: dict[int, CreditorRecord] = {}
    for line in lines:
        vendor_id = by_account.get(line.account)
        doc = docs[line.source_ref]
        raw = (doc.context or {}).get("vendor")
        if vendor_id is None or raw is None or line.account in rows:
            continue
        digest = content_hash(raw)
        if registry.exported.get(vendor_id) == digest:
            continue
        rows[line.account] = creditor_record(Vendor.model_validate(raw), line.account)
        registry.exported_version(vendor_id=vendor_id, content_hash=digest, batch_id=str(batch_id))
    return list(rows.values())


def seal(ledger: Ledger, rules: ClientRules, now: datetime) -> SealResult:
    """Seal every pending line of the client into batches (split by fiscal year and size)."""
    client_id = rules.client_id
    with ledger.write_lock:
        docs, last = pending_documents(ledger, client_id)
        if last is None:
            return SealResult((), 0, 0)
        tracking = Tracking(batcher_name(client_id), last)
        if not docs:
            ledger.save_with_tracking([], tracking)
            return SealResult((), 0, 0)
        by_key = {d.key: d for d in docs}
        lines = [line for d in docs for line in d.pending_lines]
        registry = ledger.registry(client_id)
        changed: list[Aggregate] = []
        batch_of: dict[str, UUID] = {}
        for index, chunk in enumerate(split_batches(lines, rules.mapping)):
            batch_id = Batch.create_id(client_id, last, index)
            creditors = _creditor_rows(chunk, by_key, registry, batch_id)
            files = build_files(chunk, creditors, rules.mapping, now)
            keys = sorted({line.source_ref for line in chunk})
            batch = Batch(
                client_id=client_id,
                seal_position=last,
                part=index,
                created=now,
                lines=dump_lines(chunk),
                record_keys=keys,
                creditors=[c.model_dump(mode="json") for c in creditors],
                files={
                    kind: f.summary(len(chunk) if kind == "bookings" else len(creditors))
                    for kind, f in files.items()
                },
            )
            changed.append(batch)
            for key in keys:
                batch_of.setdefault(key, batch.id)
        for doc in docs:
            doc.mark_batched(
                record_key=doc.key,
                batch_id=str(batch_of[doc.key]),
                plan_no=doc.plan_no,
                line_ids=[line["line_id"] for line in doc.pending],
            )
        ledger.save_with_tracking([*changed, *docs, registry], tracking)
        return SealResult(tuple(b.id for b in changed), len(docs), len(lines))


def batch_lines(batch: Batch) -> list[BookingLine]:
    return [BookingLine.model_validate(line) for line in batch.lines]


def batch_files(batch: Batch, rules: ClientRules) -> dict[str, Any]:
    """Rebuild a sealed batch's files (byte-identical to the seal) and check their hashes."""
    creditors = [CreditorRecord.model_validate(c) for c in batch.creditors]
    files = build_files(batch_lines(batch), creditors, rules.mapping, batch.created)
    for kind, f in files.items():
        expected = batch.files[kind]["sha256"]
        if f.sha256 != expected:
            raise RuntimeError(
                f"batch {batch.id} {kind} file no longer matches its seal ({f.sha256[:12]} ≠ "
                f"{expected[:12]}); the EXTF writer changed since sealing — do not resubmit "
                "under the old name, contact support"
            )
    return files
