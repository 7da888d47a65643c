"""Approve or reject a batch awaiting review (the status page and the CLI share these)."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.batch import Batch
from domain.review import ReviewError
from streams.errors import ConnectorError
from streams.ledger.application import Ledger
from streams.operator.actions import find_batch


def approve(ledger: Ledger, text: str, by: str, note: str = "") -> Batch:
    """Approve the batch (id or unique prefix): the submit stage sends it to DATEV."""
    batch = find_batch(ledger, text)
    try:
        return ledger.approve_batch(batch.id, by=by, at=datetime.now(UTC), note=note)
    except ReviewError as exc:
        raise ConnectorError(str(exc)) from None


def reject(ledger: Ledger, text: str, by: str, note: str) -> Batch:
    """Reject the batch with a note: never submitted; its lines are pending again."""
    batch = find_batch(ledger, text)
    try:
        return ledger.reject_batch(batch.id, by=by, at=datetime.now(UTC), note=note)
    except ReviewError as exc:
        raise ConnectorError(str(exc)) from None
