"""Review rules (pure): who may decide what, and what a rejection does to records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import review
from domain.batch import Batch
from domain.creditor_registry import CreditorRegistry
from domain.source_document import SourceDocument

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
KEY = "1:2:direct_cost:3"


def _batch(position: int = 10) -> Batch:
    batch = Batch(
        client_id="1001-1",
        seal_position=position,
        part=0,
        created=NOW,
        lines=[],
        record_keys=[KEY],
        creditors=[{"account": 70001, "name": "Bau AG"}],
        files={},
    )
    batch.hold_for_review()
    return batch


def _doc(*batches: Batch) -> SourceDocument:
    doc = SourceDocument(key=KEY, resource="direct_cost")
    for b in batches:
        doc.mark_batched(record_key=KEY, batch_id=str(b.id), plan_no=1, line_ids=[])
    return doc


def test_approve_only_what_waits() -> None:
    batch = _batch()
    review.approve(batch, "Weber", NOW, "ok")
    assert batch.state == "sealed" and batch.review == {
        "decision": "approved",
        "by": "Weber",
        "at": NOW.isoformat(),
        "note": "ok",
    }
    with pytest.raises(review.ReviewError, match="not awaiting review"):
        review.approve(batch, "Weber", NOW)


def test_reject_needs_a_note_and_returns_the_prior_posting() -> None:
    batch = _batch()
    doc = _doc(batch)
    registry = CreditorRegistry(client_id="1001-1")
    registry.assign(vendor_id=7, account=70001)
    registry.exported_version(vendor_id=7, content_hash="abc", batch_id=str(batch.id))
    with pytest.raises(review.ReviewError, match="needs a note"):
        review.reject(batch, [doc], {KEY: []}, registry, "Weber", NOW, "  ")
    prior = [{"line_id": "old"}]
    review.reject(batch, [doc], {KEY: prior}, registry, "Weber", NOW, "KOST falsch")
    assert batch.state == "rejected" and batch.review["note"] == "KOST falsch"
    assert doc.posted == prior and doc.pending == [] and str(batch.id) not in doc.batches
    assert 7 not in registry.exported  # the creditor row goes out again


def test_a_batch_with_a_later_batch_of_the_same_record_is_not_rejected() -> None:
    first, second = _batch(10), _batch(20)
    doc = _doc(first, second)
    registry = CreditorRegistry(client_id="1001-1")
    with pytest.raises(review.ReviewError, match="reject that batch first"):
        review.reject(first, [doc], {KEY: []}, registry, "Weber", NOW, "falsch")
    assert first.state == "in_review"
