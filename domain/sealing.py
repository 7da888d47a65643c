"""Sealing: a DATEV client's pending booking lines become ``Batch`` aggregates.

Pure: the caller hands in the client's pending documents, its mapping and creditor registry and
the ledger position the seal covers; the new batches, every document's ``LinesBatched`` and the
registry's exported vendor versions are recorded as events on those aggregates.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.batch import Batch
from domain.batch_files import BatchFile, batch_label, build_files
from domain.beleglink import lines_to_seal
from domain.booking import BookingLine
from domain.changes import content_hash
from domain.creditor_registry import CreditorRegistry
from domain.extf import CreditorRecord, creditor_record, split_batches
from domain.mapping import ClientMapping
from domain.periods import period_of
from domain.periods.register import ClientPeriods
from domain.procore.records import Vendor
from domain.source_document import SourceDocument, dump_lines
from domain.text import clean_text

SEAL_CLOCK_NAMESPACE = uuid.UUID("3e0b9a57-6c2d-4f1e-8a7b-5d4c3b2a1f09")


class SealClock(Aggregate):
    """When a client's cadence last sealed, so a restart does not seal again before it is due."""

    INITIAL_VERSION = 1

    @staticmethod
    def create_id(client_id: str) -> uuid.UUID:
        return uuid.uuid5(SEAL_CLOCK_NAMESPACE, client_id)

    @event("Opened")
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.last_seal: datetime | None = None

    @event("Ran")
    def ran(self, at: datetime) -> None:
        self.last_seal = at


@dataclass(frozen=True)
class SealResult:
    batch_ids: tuple[UUID, ...]
    records: int
    lines: int
    waiting: int = 0  # records whose invoice PDF is not in DUO yet (sealed by a later seal)


def creditor_rows(
    lines: Sequence[BookingLine],
    docs: Mapping[str, SourceDocument],
    registry: CreditorRegistry,
    batch_id: UUID,
    notes: dict[str, list[str]] | None = None,
) -> list[CreditorRecord]:
    """Creditor master rows for vendors in these lines that DATEV has not seen in this version.

    A vendor is exported when its creditor account appears in the lines and the vendor data the
    record carries differs from the version last exported; the export is recorded on ``registry``.
    A name or Kurzbezeichnung that had to change is noted under the record that carried it.
    """
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
        vendor = Vendor.model_validate(raw)
        record = creditor_record(vendor, line.account)
        short = registry.unique_short_name(line.account, record.short_name)
        rows[line.account] = record.model_copy(update={"short_name": short})
        if notes is not None:
            changed = creditor_changes(vendor, record.name, short, line.account)
            notes.setdefault(doc.key, []).extend(changed)
        registry.exported_version(
            vendor_id=vendor_id, content_hash=digest, batch_id=str(batch_id), short_name=short
        )
    return list(rows.values())


def creditor_changes(vendor: Vendor, name: str, short: str, account: int) -> list[str]:
    """What DATEV's limits changed in a creditor's master data (for the audit trail)."""
    changes = []
    if name != clean_text(vendor.legal_name or vendor.name):
        changes.append(f"creditor {account}: name shortened to 50 characters: {name!r}")
    wanted = clean_text(vendor.abbreviated_name or "")
    if short != wanted:
        changes.append(f"creditor {account}: Kurzbezeichnung {wanted!r} became {short!r}")
    return changes


def seal_batches(
    docs: Sequence[SourceDocument],
    mapping: ClientMapping,
    registry: CreditorRegistry,
    position: int,
    now: datetime,
    periods: ClientPeriods | None = None,
    link_wait: timedelta | None = None,
) -> list[Batch]:
    """Seal every pending line of ``docs`` into batches (split by fiscal year and size).

    ``link_wait``: how long the records waited for their PDFs (see ``domain.beleglink``).
    """
    client_id = mapping.client_id
    by_key = {d.key: d for d in docs}
    lines = [line for d in docs for line in lines_to_seal(d, link_wait)]  # Beleglink if in DUO
    batches: list[Batch] = []
    batch_of: dict[str, UUID] = {}
    notes: dict[str, list[str]] = {}  # per record: what DATEV's limits changed in creditor rows
    for index, chunk in enumerate(split_batches(lines, mapping)):
        batch_id = Batch.create_id(client_id, position, index)
        creditors = creditor_rows(chunk, by_key, registry, batch_id, notes)
        label = None
        if periods is not None:  # one Buchungsstapel per Buchungsperiode, numbered within it
            period = period_of(chunk[0].document_date)
            label = batch_label(period, periods.number_batch(period))
        files = build_files(chunk, creditors, mapping, now, label)
        keys = sorted({line.source_ref for line in chunk})
        batch = Batch(
            client_id=client_id,
            seal_position=position,
            part=index,
            created=now,
            lines=dump_lines(chunk),
            record_keys=keys,
            creditors=[c.model_dump(mode="json") for c in creditors],
            label=label or "",
            files={
                kind: f.summary(len(chunk) if kind == "bookings" else len(creditors))
                for kind, f in files.items()
            },
        )
        if mapping.schedule.review:
            batch.hold_for_review()
        batches.append(batch)
        for key in keys:
            batch_of.setdefault(key, batch.id)
    for doc in docs:
        doc.mark_batched(
            record_key=doc.key,
            batch_id=str(batch_of[doc.key]),
            plan_no=doc.plan_no,
            line_ids=[line["line_id"] for line in doc.pending],
            notes=notes.get(doc.key, []),
        )
    return batches


class SealMismatch(RuntimeError):
    """A sealed batch's files no longer rebuild to the bytes sealed (the EXTF writer changed)."""


def batch_lines(batch: Batch) -> list[BookingLine]:
    return [BookingLine.model_validate(line) for line in batch.lines]


def sealed_files(batch: Batch, mapping: ClientMapping) -> dict[str, BatchFile]:
    """Rebuild a sealed batch's files, byte-identical to the seal, and check their hashes."""
    creditors = [CreditorRecord.model_validate(c) for c in batch.creditors]
    label = getattr(batch, "label", "") or None
    files = build_files(batch_lines(batch), creditors, mapping, batch.created, label)
    for kind, f in files.items():
        expected = batch.files[kind]["sha256"]
        if f.sha256 != expected:
            raise SealMismatch(
                f"batch {batch.id} {kind} file no longer matches its seal ({f.sha256[:12]} ≠ "
                f"{expected[:12]}); the EXTF writer changed since sealing — do not resubmit "
                "under the old name, contact support"
            )
    return files
