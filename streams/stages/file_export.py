"""Sealed batches as files: the EXTF files under their deterministic names, and their PDFs.

Used by ``ml-connector batches export DIR`` and by the per-client destination ``files`` (for
firms whose advisor imports by hand or has no data service booked). Writing is idempotent: a
file that already holds the same bytes is left alone, a name that holds *different* bytes is
an error (sealed files never change), and every write is atomic.

Layout: ``DIR/<client>/<EXTF file>`` and ``DIR/<client>/Belege/<DUO GUID> <file name>``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from adapters.atomic_file import write_atomic
from adapters.datev.documents import duo_filename
from adapters.procore.errors import ProcoreError
from domain.batch import Batch
from domain.changes import RecordRef
from domain.planning import document_guid, invoice_attachment
from domain.sealing import sealed_files
from domain.source_document import SourceDocument
from streams.ledger.application import Ledger
from streams.ledger.rules import ClientRules

PDF_FOLDER = "Belege"


class AttachmentSource(Protocol):
    def stream_attachment(
        self, url: str, *, company_id: int | None, chunk_size: int = 65536
    ) -> AsyncIterator[bytes]: ...


class ExportConflict(Exception):
    """A file of that name exists with different bytes; nothing was overwritten."""


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    missing_pdfs: list[str] = field(default_factory=list)  # record keys without a download


def write_once(path: Path, data: bytes, result: ExportResult) -> None:
    """Write ``data`` to ``path`` atomically unless it already holds exactly these bytes."""
    if path.exists():
        if path.read_bytes() == data:
            result.unchanged.append(path)
            return
        raise ExportConflict(
            f"{path} exists with different content; sealed batch files never change — move "
            "the old file away if it was edited by hand, then export again"
        )
    write_atomic(path, data, durable=True)
    result.written.append(path)


def export_extf(batch: Batch, rules: ClientRules, directory: Path, result: ExportResult) -> None:
    """The batch's creditor file and Buchungsstapel, byte-identical to the seal."""
    for f in sealed_files(batch, rules.mapping).values():
        write_once(directory / batch.client_id / f.filename, f.data, result)


async def export_pdfs(
    ledger: Ledger,
    batch: Batch,
    directory: Path,
    procore: AttachmentSource,
    result: ExportResult,
) -> None:
    """Each booked record's invoice PDF, named by its DUO GUID (the line's Beleglink)."""
    for key in dict.fromkeys(batch.record_keys):
        doc = ledger.document(SourceDocument.create_id(key))
        attachment = invoice_attachment((doc.record if doc else None) or {})
        if attachment is None:
            continue
        guid = document_guid(key, attachment)
        target = (
            directory / batch.client_id / PDF_FOLDER / f"{guid} {duo_filename(attachment.filename)}"
        )
        if target.exists():
            result.unchanged.append(target)
            continue
        chunks = []
        try:
            company = RecordRef.parse(key).company_id
            async for chunk in procore.stream_attachment(attachment.url, company_id=company):
                chunks.append(chunk)
        except ProcoreError:  # reported per record; the export goes on
            result.missing_pdfs.append(key)
            continue
        write_once(target, b"".join(chunks), result)


def at_datev(batch: Batch) -> bool:
    """An upload of an unfinished file may be with DATEV (intent recorded or job pending).

    Such a batch finishes at DATEV even after its client switched to destination ``files``:
    writing it out as well could book it twice (DATEV's import plus the advisor's by hand).
    """
    for kind in batch.files:
        job = batch.jobs.get(kind)
        if job is None and kind in batch.intents:
            return True
        if job and job.get("result") == "pending" and not str(job["job_id"]).startswith("files:"):
            return True
    return False


def write_batch(ledger: Ledger, batch: Batch, rules: ClientRules, directory: Path) -> int:
    """Destination ``files``: the batch's files into ``directory`` instead of DATEV, recorded
    as completed jobs (``files:<path>``); returns how many files were recorded."""
    result = ExportResult()
    export_extf(batch, rules, directory, result)
    steps = 0
    for kind, f in batch.files.items():
        if batch.jobs.get(kind, {}).get("result") == "succeeded":
            continue
        where = f"files:{directory / batch.client_id / f['filename']}"
        ledger.record_job(
            batch, "submitted", kind=kind, job_id=where, filename=f["filename"],
            already_submitted=False,
        )  # fmt: skip
        ledger.record_job(batch, "completed", kind=kind, job_id=where, records=f.get("lines"))
        steps += 1
    return steps
