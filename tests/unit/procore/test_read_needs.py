"""ReadNeeds: which records the fetch stage must read whole, from every client's statuses."""

from __future__ import annotations

from domain.mapping import BookingSettings
from domain.procore.needs import ReadNeeds, partial_reason


def test_defaults_book_approved_records_and_no_commitments() -> None:
    needs = ReadNeeds.of([BookingSettings()])
    assert needs.books("direct_cost", {"status": "approved"})
    assert not needs.books("direct_cost", {"status": "draft"})
    assert needs.books("requisition", {"status": "approved_as_noted"})
    assert not needs.books("requisition", {"status": "under_review"})
    assert not needs.books("commitment", {"status": "Approved"})  # commitments are not booked


def test_one_client_booking_a_status_is_enough() -> None:
    strict = BookingSettings()
    loose = BookingSettings(
        direct_cost_statuses=["approved", "pending"],
        book_commitments=True,
        commitment_statuses=["Approved"],
    )
    needs = ReadNeeds.of([strict, loose])
    assert needs.books("direct_cost", {"status": "pending"})
    assert needs.books("commitment", {"status": "approved"})  # compared as the booking does
    assert not needs.books("commitment", {"status": "Draft"})


def test_no_clients_book_nothing_but_unreadable_statuses_and_vendors_are_read_whole() -> None:
    needs = ReadNeeds.of([])
    assert not needs.books("direct_cost", {"status": "approved"})
    assert needs.books("direct_cost", {"status": None})
    assert needs.books("direct_cost", {})
    assert needs.books("vendor", {"status": "whatever"})


def test_the_partial_note_names_the_status_and_what_was_not_read() -> None:
    note = partial_reason("direct_cost", {"status": "draft"})
    assert "'draft'" in note and "line items and attachments" in note
    assert "its commitment" in partial_reason("requisition", {"status": "draft"})
