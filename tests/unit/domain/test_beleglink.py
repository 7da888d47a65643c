"""Beleglink only for documents DUO holds: a linked record waits for its PDF at seal; refused
for good or still missing after the wait → sealed without the link, noted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.beleglink import lines_to_seal, waits_for_document
from domain.booking import BookingLine, Planned
from domain.source_changes import apply_decision
from domain.source_document import SourceDocument

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


PLANNED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WAIT = timedelta(minutes=15)


def test_a_linked_record_waits_while_its_pdf_is_on_the_way() -> None:
    doc = document()
    assert waits_for_document(doc, PLANNED, PLANNED + timedelta(minutes=14), WAIT)
    doc.document_failed(record_key=KEY, guid=GUID, reason="DUO 503", retryable=True)
    assert waits_for_document(doc, PLANNED, PLANNED + timedelta(minutes=14), WAIT)
    assert not waits_for_document(doc, PLANNED, PLANNED + WAIT, WAIT)  # at most the wait


def test_uploaded_seals_with_the_link_and_refused_does_not_wait() -> None:
    doc = document()
    doc.document_uploaded(record_key=KEY, guid=GUID, filename="a.pdf", client_id="29098-55003")
    assert not waits_for_document(doc, PLANNED, PLANNED, WAIT)
    assert [ln.beleglink for ln in lines_to_seal(doc, WAIT)] == [GUID]
    refused = document()
    refused.document_failed(record_key=KEY, guid=GUID, reason="DUO 415", retryable=False)
    assert not waits_for_document(refused, PLANNED, PLANNED, WAIT)


def test_after_the_wait_seals_without_the_link_and_notes_it() -> None:
    doc = document()
    (line,) = lines_to_seal(doc, WAIT)
    assert line.beleglink is None
    assert doc.link_dropped == (
        "invoice PDF not in DUO after 15 min (upload pending); booked without Beleglink"
    )
    flaky = document()
    flaky.document_failed(record_key=KEY, guid=GUID, reason="DUO 503", retryable=True)
    assert [ln.beleglink for ln in lines_to_seal(flaky, WAIT)] == [None]
    assert flaky.link_dropped and "DUO 503" in flaky.link_dropped


def test_an_older_upload_does_not_hold_a_new_attachment() -> None:
    doc = document()
    doc.document_uploaded(record_key=KEY, guid="older-guid", filename="a.pdf", client_id="c")
    assert waits_for_document(doc, PLANNED, PLANNED, WAIT)


def test_lines_without_a_link_never_wait() -> None:
    doc = SourceDocument(key=KEY, resource="direct_cost")
    line = document().pending_lines[0].model_copy(update={"beleglink": None})
    apply_decision(doc, "29098-55003", Planned(lines=(line,)))
    assert not waits_for_document(doc, PLANNED, PLANNED, WAIT)
    assert lines_to_seal(doc, WAIT) == [line] and doc.link_dropped is None


def test_a_pdf_duo_holds_as_another_document_books_without_the_link_at_once() -> None:
    """#DCO01253: the file is in DUO, but under another GUID — a link to ours leads nowhere."""
    doc = document()
    doc.document_uploaded(
        record_key=KEY,
        guid=GUID,
        filename="a.pdf",
        client_id="29098-55003",
        held_elsewhere="#DCO01253 duplicate file",
    )
    assert not waits_for_document(doc, PLANNED, PLANNED, WAIT)
    (line,) = lines_to_seal(doc, WAIT)
    assert line.beleglink is None
    assert doc.link_dropped and "#DCO01253" in doc.link_dropped
    assert doc.document_state == "uploaded"  # done, not parked
