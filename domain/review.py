"""Review before DATEV: an advisor approves a sealed batch (it is submitted) or rejects it.

Pure. A rejected batch never reaches DATEV: each of its records goes back to what was posted
before the batch (``prior_posted``) and is planned again by the caller with the current mapping,
so its lines are pending for the next batch; creditor rows the batch carried go out again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from domain.batch import Batch
from domain.creditor_registry import CreditorRegistry
from domain.source_document import LineDicts, SourceDocument


class ReviewError(ValueError):
    """The batch cannot be approved or rejected now (message says why and what to do)."""


def _awaiting(batch: Batch) -> None:
    if batch.state != "in_review":
        raise ReviewError(
            f"batch {batch.id} is {batch.state}, not awaiting review; "
            "only batches sealed for a client with review = true wait for a decision"
        )


def approve(batch: Batch, by: str, at: datetime, note: str = "") -> None:
    _awaiting(batch)
    batch.approve(by=by, at=at, note=note)


def reject(
    batch: Batch,
    docs: Sequence[SourceDocument],
    prior_posted: Mapping[str, LineDicts],
    registry: CreditorRegistry,
    by: str,
    at: datetime,
    note: str,
) -> None:
    """Reject ``batch``; its records return to ``prior_posted`` (re-plan them afterwards)."""
    _awaiting(batch)
    if not note.strip():
        raise ReviewError("a rejection needs a note saying what is wrong (it goes in the audit)")
    for doc in docs:
        if doc.batches and doc.batches[-1] != str(batch.id):
            raise ReviewError(
                f"record {doc.key} is also in the later batch {doc.batches[-1]}; "
                "reject that batch first"
            )
    for doc in docs:
        doc.batch_rejected(
            record_key=doc.key,
            batch_id=str(batch.id),
            posted=prior_posted[doc.key],
            by=by,
            note=note,
        )
    vendors = {account: vendor for vendor, account in registry.assigned.items()}
    for row in batch.creditors:
        vendor = vendors.get(int(row.get("account", 0)))
        if vendor is not None and vendor in registry.exported:
            registry.export_withdrawn(vendor_id=vendor, batch_id=str(batch.id))
    batch.reject(by=by, at=at, note=note)
