"""The rules the ledger calls, pure: creditor rows of a batch, the booking decision."""

from __future__ import annotations

from uuid import uuid4

from domain.creditor_registry import CreditorRegistry
from domain.periods.register import ClientPeriods
from domain.planning import book
from domain.sealing import creditor_rows
from domain.source_document import SourceDocument
from tests.unit.ledger.test_application import change, rules


def _booked(rid: int) -> tuple[SourceDocument, CreditorRegistry]:
    client = rules().client_id
    doc = SourceDocument(key=change(rid, "0").key, resource="direct_cost")
    observed = change(rid, "100.00")
    assert observed.record is not None
    doc.observe_version(
        record_key=doc.key,
        content_hash=f"h{rid}",
        status="approved",
        source="poller",
        event_id=None,
        observed_at=observed.observed_at,
        record=observed.record,
        context=observed.context,
    )
    registry = CreditorRegistry(client_id=client)
    assert book(doc, rules(), registry, ClientPeriods(client_id=client))
    return doc, registry


def test_a_vendor_is_exported_once_per_version() -> None:
    doc, registry = _booked(1)
    lines = doc.pending_lines
    first = creditor_rows(lines, {doc.key: doc}, registry, uuid4())
    assert len(first) == 1
    assert creditor_rows(lines, {doc.key: doc}, registry, uuid4()) == []  # same vendor data


def test_an_unrouted_record_is_ignored_once() -> None:
    doc = SourceDocument(key=change(2, "0").key, resource="direct_cost")
    assert book(doc, "project 999 is not mapped")
    assert not book(doc, "project 999 is not mapped")  # same reason: nothing new recorded
    assert doc.decision == "ignored"
