"""A DXSO job's files for one sealed batch: ``document.xml``, ledger XMLs and the PDFs.

The PDFs are downloaded from Procore into a spool directory (a batch may hold thousands of
invoices) and attached in request-sized parts.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from adapters.datev.documents import duo_filename
from adapters.procore.errors import ProcoreError
from domain.batch import Batch
from domain.changes import RecordRef
from domain.dxso import (
    PayableInvoice,
    Supplier,
    document_xml,
    ledger_xml,
    payable_invoices,
    safe_name,
)
from domain.extf.kreditoren import creditor_record
from domain.planning import invoice_attachment
from domain.procore.records import Vendor
from domain.sealing import batch_lines
from domain.source_document import SourceDocument
from streams.ledger.application import Ledger
from streams.stages.file_export import AttachmentSource

log = logging.getLogger(__name__)

PART_BYTES = 20 * 1024 * 1024  # PDFs per add-files request: at most this much (and 50 files)
PART_FILES = 50


async def build_job(
    ledger: Ledger, procore: AttachmentSource | None, batch: Batch, spool: Path
) -> tuple[list[PayableInvoice], dict[str, bytes], list[tuple[str, Path]]]:
    """The job's XML files, and its PDFs downloaded into ``spool`` (name, path).

    Invoices come from the sealed lines, suppliers and PDFs from the records. A PDF Procore
    will not give (not retryable, e.g. deleted) leaves that invoice without one, as the EXTF
    route books a record whose upload DUO refused; a transient error waits.
    """
    suppliers: dict[int, Supplier] = {}
    pdf_names: dict[str, str] = {}
    pdfs: list[tuple[str, Path]] = []
    lines = batch_lines(batch)
    creditor_of = {line.source_ref: line.account for line in lines}
    for key in dict.fromkeys(batch.record_keys):
        doc = await asyncio.to_thread(ledger.document, SourceDocument.create_id(key))
        raw = ((doc.context if doc else None) or {}).get("vendor")
        if raw is not None and key in creditor_of:
            row = creditor_record(Vendor.model_validate(raw), creditor_of[key])
            vat = f"{row.eu_country}{row.eu_vat_id}" if row.eu_vat_id else ""
            suppliers[row.account] = Supplier(row.account, row.name, row.city, vat)
        attachment = invoice_attachment((doc.record if doc else None) or {})
        if attachment is None or procore is None:
            continue
        name = f"{safe_name(key)}_{duo_filename(attachment.filename)}"
        target = spool / f"{len(pdfs)}.pdf"
        company = RecordRef.parse(key).company_id
        try:
            with open(target, "wb") as out:  # noqa: ASYNC230 - local spool, small writes
                async for chunk in procore.stream_attachment(attachment.url, company_id=company):
                    out.write(chunk)
        except ProcoreError as exc:
            if exc.retryable:
                raise
            log.warning("batch %s: no PDF for %s (%s); invoice sent without", batch.id, key, exc)
            continue
        pdf_names[key] = name
        pdfs.append((name, target))
    invoices = payable_invoices(lines, suppliers, pdf_names)
    xml = {"document.xml": document_xml(invoices, batch.created.date())}
    xml.update((inv.ledger_file, ledger_xml(inv)) for inv in invoices)
    return invoices, xml, pdfs


def parts(pdfs: list[tuple[str, Path]]) -> list[list[tuple[str, Path]]]:
    """The PDFs in request-sized parts (each at least one file)."""
    parts: list[list[tuple[str, Path]]] = []
    size = 0
    for name, path in pdfs:
        n = path.stat().st_size
        if not parts or len(parts[-1]) >= PART_FILES or size + n > PART_BYTES:
            parts.append([])
            size = 0
        parts[-1].append((name, path))
        size += n
    return parts


def read_part(part: list[tuple[str, Path]]) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in part}
