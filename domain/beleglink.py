"""Beleglink (``BEDI "<guid>"``) only for documents DUO holds.

A booking line links its invoice PDF by the DUO document GUID. A record whose pending lines link
a document waits at seal while DUO neither holds it nor refused it for good, at most the mapping's
``documents.beleglink_wait_minutes`` since the lines were planned; the documents stage uploads in
the meantime. Refused for good (not retryable), or still not in DUO after the wait, the lines are
sealed without the link and the record's audit trail says why (``BeleglinkDropped``); the
month-end close counts the failed documents. Lines without a link never wait.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.booking import BookingLine
from domain.source_document import SourceDocument


def _links(doc: SourceDocument) -> set[str]:
    return {line.beleglink for line in doc.pending_lines if line.beleglink}


def _elsewhere(doc: SourceDocument) -> str | None:
    return getattr(doc, "document_elsewhere", None)


def _held(doc: SourceDocument, links: set[str]) -> bool:
    uploaded = doc.document_state == "uploaded" and not _elsewhere(doc)
    return uploaded and links == {doc.document_guid}


def _refused(doc: SourceDocument) -> bool:
    if doc.document_state == "uploaded" and _elsewhere(doc):
        return True  # the PDF is in DUO, but not under the GUID the lines link
    return doc.document_state == "failed" and not doc.document_retryable


def waits_for_document(
    doc: SourceDocument, planned_at: datetime | None, now: datetime, wait: timedelta
) -> bool:
    """True while the record's linked PDF is neither in DUO nor refused, within ``wait``."""
    links = _links(doc)
    if not links or _held(doc, links) or _refused(doc) or planned_at is None:
        return False
    return now - planned_at < wait


def lines_to_seal(doc: SourceDocument, wait: timedelta | None = None) -> list[BookingLine]:
    """The record's pending lines, without Beleglink if DUO does not hold its document.

    ``wait``: how long the record waited for the upload (``None``: the caller has no document
    stage, so a link DUO did not refuse is kept).
    """
    lines = doc.pending_lines
    links = _links(doc)
    if not links or _held(doc, links):
        return lines
    if elsewhere := _elsewhere(doc):
        reason = (
            f"DUO already holds this invoice PDF as another document ({elsewhere}); "
            "booked without Beleglink"
        )
    elif _refused(doc):
        why = doc.document_failure or "no reason given"
        reason = f"DUO refused the invoice PDF ({why}); booked without Beleglink"
    elif wait is None:
        return lines
    else:
        why = doc.document_failure or "upload pending"
        minutes = f"{wait.total_seconds() / 60:g}"
        reason = f"invoice PDF not in DUO after {minutes} min ({why}); booked without Beleglink"
    doc.drop_beleglink(record_key=doc.key, guid=doc.document_guid or "", reason=reason)
    return [line.model_copy(update={"beleglink": None}) for line in lines]
