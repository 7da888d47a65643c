"""Beleglink only for documents DUO holds: refused for good → sealed without the link, noted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.beleglink import lines_to_seal
from domain.booking import BookingLine, Planned
from domain.source_document import SourceDocument, apply_decision

KEY = "4281379:20251:direct_cost:990011"
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def document() -> SourceDocument:
    doc = SourceDocument(key=KEY, resource="direct_cost")
    line = BookingLine(
        line_id=f"{KEY}/a",
        source_ref=KEY,
        amount=Decimal("1190.00"),
        debit_credit="H",
        account=70020,
        contra_account=3100,
        bu_key="9",
        document_date=date(2026, 10, 28),
        belegfeld1="2026-7781",
        beleglink=GUID,
    )
    apply_decision(doc, "29098-55003", Planned(lines=(line,)))
    return doc


def test_refused_pdf_seals_without_link_and_says_why() -> None:
    doc = document()
    doc.document_failed(record_key=KEY, guid=GUID, reason="DUO 415 not a PDF", retryable=False)
    (line,) = lines_to_seal(doc)
    assert line.beleglink is None
    assert doc.link_dropped and "DUO 415 not a PDF" in doc.link_dropped
    assert type(doc.collect_events()[-1]).__name__ == "BeleglinkDropped"


def test_uploaded_or_retryable_keeps_the_link() -> None:
    doc = document()
    doc.document_uploaded(record_key=KEY, guid=GUID, filename="a.pdf", client_id="29098-55003")
    assert [ln.beleglink for ln in lines_to_seal(doc)] == [GUID]
    later = document()
    later.document_failed(record_key=KEY, guid=GUID, reason="DUO 503", retryable=True)
    assert [ln.beleglink for ln in lines_to_seal(later)] == [GUID]
    assert later.link_dropped is None
