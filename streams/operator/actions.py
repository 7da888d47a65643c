"""Operator actions on the ledger, shared by the CLI, the status page and the demo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.batch import Batch
from domain.changes import RecordRef
from domain.source_document import SourceDocument
from streams.errors import ConnectorError
from streams.ledger.application import Ledger, event_topic


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


def iter_batches(ledger: Ledger) -> Iterator[Batch]:
    for n in ledger.scan([event_topic(Batch, "Sealed")]):
        batch = ledger.aggregate(UUID(str(n.originator_id)))
        if isinstance(batch, Batch):
            yield batch


def batch_rows(ledger: Ledger, state: str | None = None) -> list[BatchRow]:
    rows = []
    for b in iter_batches(ledger):
        if state and b.state != state:
            continue
        rows.append(
            BatchRow(
                batch_id=b.id,
                client_id=b.client_id,
                state=b.state,
                created=b.created.isoformat(timespec="seconds"),
                lines=len(b.lines),
                files=b.files,
                jobs=b.jobs,
                failure=b.failure,
            )
        )
    return rows


def find_batch(ledger: Ledger, text: str) -> Batch:
    """A batch by full id or a unique id prefix (as printed by ``ml-connector batches``)."""
    matches = [b for b in iter_batches(ledger) if str(b.id).startswith(text.strip().lower())]
    if len(matches) != 1:
        what = "no batch" if not matches else f"{len(matches)} batches"
        raise ConnectorError(f"{what} match {text!r}; list them with `ml-connector batches`")
    return matches[0]


def replay_batch(ledger: Ledger, text: str, by: str, dry_run: bool = False) -> Batch:
    """Ask the worker to submit a failed batch again (same files, same names: safe)."""
    batch = find_batch(ledger, text)
    if batch.state != "failed":
        raise ConnectorError(
            f"batch {batch.id} is {batch.state}, not failed; only failed batches are resubmitted"
        )
    if dry_run:
        return batch
    return ledger.resubmit_batch(batch.id, by)


def find_document(ledger: Ledger, text: str) -> SourceDocument:
    """A record by Procore reference ``company:project:resource:id`` or aggregate id."""
    try:
        agg_id = UUID(text)
    except ValueError:
        try:
            agg_id = RecordRef.parse(text).aggregate_id
        except ValueError as exc:
            raise ConnectorError(str(exc)) from None
    doc = ledger.document(agg_id)
    if doc is None:
        raise ConnectorError(f"no record {text!r} in the ledger (it was never received)")
    return doc


def replay_record(ledger: Ledger, text: str, by: str, dry_run: bool = False) -> SourceDocument:
    """Re-run the booking decision (current mapping) and re-drive a failed document upload."""
    doc = find_document(ledger, text)
    if ledger.rules is None:
        raise ConnectorError("no mapping files configured (MLC_MAPPINGS); nothing to replay with")
    if dry_run:
        return doc
    return ledger.replay_record(doc.id, by)


def parked(ledger: Ledger) -> list[SourceDocument]:
    """Records whose booking is parked, or whose invoice PDF failed to upload."""
    found: dict[UUID, SourceDocument] = {}
    topics = [event_topic(SourceDocument, "Parked"), event_topic(SourceDocument, "DocumentFailed")]
    for n in ledger.scan(topics):
        doc = ledger.document(UUID(str(n.originator_id)))
        if doc is not None and (doc.decision == "parked" or doc.document_state == "failed"):
            found[doc.id] = doc
    return list(found.values())
