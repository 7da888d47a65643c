"""Sealing: a DATEV client's pending booking lines become one or more ``Batch`` aggregates.

The batcher follows the ledger's own notification log (``LinesPlanned`` events of the client)
from a tracking position ``batcher:<client>``. The ledger's ``seal`` command saves the new
batches (``domain.sealing``), every included record's ``LinesBatched`` and the new tracking
position in one transaction, so a crash either seals everything or nothing, and a line is never
sealed twice. Sealed batches' files are rebuilt here, byte-identical, for submission.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.batch import Batch
from domain.batch_files import build_files
from domain.booking import BookingLine
from domain.extf import CreditorRecord
from domain.sealing import SealResult
from streams.ledger.application import Ledger
from streams.ledger.rules import ClientRules
from streams.ledger.store import LINES_PLANNED, batcher_name

__all__ = ["LINES_PLANNED", "SealResult", "batch_files", "batch_lines", "batcher_name", "seal"]


def seal(ledger: Ledger, rules: ClientRules, now: datetime) -> SealResult:
    """Seal every pending line of the client into batches (the ledger's ``seal`` command)."""
    return ledger.seal(rules, now)


def batch_lines(batch: Batch) -> list[BookingLine]:
    return [BookingLine.model_validate(line) for line in batch.lines]


def batch_files(batch: Batch, rules: ClientRules) -> dict[str, Any]:
    """Rebuild a sealed batch's files (byte-identical to the seal) and check their hashes."""
    creditors = [CreditorRecord.model_validate(c) for c in batch.creditors]
    label = getattr(batch, "label", "") or None
    files = build_files(batch_lines(batch), creditors, rules.mapping, batch.created, label)
    for kind, f in files.items():
        expected = batch.files[kind]["sha256"]
        if f.sha256 != expected:
            raise RuntimeError(
                f"batch {batch.id} {kind} file no longer matches its seal ({f.sha256[:12]} ≠ "
                f"{expected[:12]}); the EXTF writer changed since sealing — do not resubmit "
                "under the old name, contact support"
            )
    return files
