"""The files of a batch as a pure function of its lines, creditor rows and seal time.

Sealing and submission both call ``build_files``, so a batch resubmitted after a crash carries
byte-identical files under identical names (DATEV's duplicate check makes that safe).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.booking import BookingLine
from domain.extf import (
    CreditorRecord,
    extf_filename,
    period_label,
    write_buchungsstapel,
    write_kreditoren,
)
from domain.mapping import ClientMapping


@dataclass(frozen=True)
class BatchFile:
    kind: str  # "creditors" | "bookings"
    filename: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def summary(self, lines: int) -> dict[str, object]:
        return {
            "filename": self.filename,
            "sha256": self.sha256,
            "size": len(self.data),
            "lines": lines,
        }


def build_files(
    lines: Sequence[BookingLine],
    creditors: Sequence[CreditorRecord],
    mapping: ClientMapping,
    created: datetime,
    label: str | None = None,
) -> dict[str, BatchFile]:
    """Creditor master file (only when there are new/changed creditors) and Buchungsstapel.

    ``label`` is the header Bezeichnung (``batch_label``); batches sealed before it existed
    carry none and keep their ``Procore <period>`` label, so they rebuild byte-identically.
    """
    first = min(line.document_date for line in lines)
    last = max(line.document_date for line in lines)
    period = period_label(first, last)
    files: dict[str, BatchFile] = {}
    if creditors:
        data = write_kreditoren(
            creditors, mapping, created=created, fiscal_year_start=mapping.fiscal_year_start(first)
        )
        sha = hashlib.sha256(data).hexdigest()
        files["creditors"] = BatchFile(
            "creditors", extf_filename(mapping.client_id, "Kreditoren", period, sha), data
        )
    data = write_buchungsstapel(lines, mapping, created=created, label=label or f"Procore {period}")
    sha = hashlib.sha256(data).hexdigest()
    files["bookings"] = BatchFile(
        "bookings", extf_filename(mapping.client_id, "Buchungen", period, sha), data
    )
    return files


def batch_label(period: str, number: int) -> str:
    """Header Bezeichnung of a period's ``number``-th Buchungsstapel: ``Procore 2026-10 / 3``."""
    return f"Procore {period} / {number}"
