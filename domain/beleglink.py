"""Beleglink (``BEDI "<guid>"``) only for documents DUO holds.

A booking line links its invoice PDF by the DUO document GUID. When DUO refused the upload for
good (not retryable), the lines are sealed without the link, and the record's audit trail says
why (``BeleglinkDropped``); the month-end close counts the failed documents. A retryable failure
keeps the link: the upload is tried again with the same GUID.
"""

from __future__ import annotations

from domain.booking import BookingLine
from domain.source_document import SourceDocument


def lines_to_seal(doc: SourceDocument) -> list[BookingLine]:
    """The record's pending lines, without Beleglink if DUO refused its document."""
    lines = doc.pending_lines
    refused = doc.document_state == "failed" and not doc.document_retryable
    if not refused or not any(line.beleglink for line in lines):
        return lines
    why = doc.document_failure or "no reason given"
    doc.drop_beleglink(
        record_key=doc.key,
        guid=doc.document_guid or "",
        reason=f"DUO refused the invoice PDF ({why}); booked without Beleglink",
    )
    return [line.model_copy(update={"beleglink": None}) for line in lines]
