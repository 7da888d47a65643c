"""Operator actions on the ledger, shared by the CLI, the status page and the demo.

The lists they work on (batches, parked records) are the ledger's read models
(``streams.ledger.read_models``), re-exported here for the operator surfaces.
"""

from __future__ import annotations

from domain.batch import Batch
from domain.source_document import SourceDocument
from streams.errors import ConnectorError
from streams.ledger.application import Ledger
from streams.ledger.read_models import BatchRow, batch_rows, find_record, iter_batches, parked

__all__ = [
    "BatchRow",
    "batch_rows",
    "find_batch",
    "find_document",
    "iter_batches",
    "parked",
    "replay_batch",
    "replay_record",
]


def find_batch(ledger: Ledger, text: str) -> Batch:
    """A batch by full id or a unique id prefix (as printed by ``ml-connector batches``)."""
    prefix = text.strip().lower()
    matches = [r.batch_id for r in batch_rows(ledger) if str(r.batch_id).startswith(prefix)]
    if len(matches) != 1:
        what = "no batch" if not matches else f"{len(matches)} batches"
        raise ConnectorError(f"{what} match {text!r}; list them with `ml-connector batches`")
    return ledger.load(Batch, matches[0])


def replay_batch(ledger: Ledger, text: str, by: str, dry_run: bool = False) -> Batch:
    """Ask the worker to submit a failed batch again (same files, same names: safe)."""
    batch = find_batch(ledger, text)
    if batch.state != "failed":
        raise ConnectorError(
            f"batch {batch.id} is {batch.state}, not failed; only failed batches are resubmitted"
        )
    dxso = batch.jobs.get("dxso") or {}
    if dxso.get("status") == 4:
        raise ConnectorError(
            f"batch {batch.id}: its DXSO job {dxso['job_id']} was partly done, DUO booked the "
            "other invoices and a replay would not change that; fix the failed invoices in DATEV "
            f"Unternehmen online (the protocol: `ml-connector audit {batch.record_keys[0]}`)"
        )
    if dry_run:
        return batch
    return ledger.resubmit_batch(batch.id, by)


def find_document(ledger: Ledger, text: str) -> SourceDocument:
    """A record by Procore reference ``company:project:resource:id`` or aggregate id."""
    try:
        doc = find_record(ledger, text)
    except ValueError as exc:
        raise ConnectorError(str(exc)) from None
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
