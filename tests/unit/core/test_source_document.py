from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.changes import ProcoreChange, RecordRef
from domain.source_changes import fold_change
from domain.source_document import SourceDocument

REF = RecordRef(company_id=1, project_id=2, resource="direct_cost", resource_id=3)


def change(
    record: dict[str, Any] | None, action: str = "update", source: str = "webhook"
) -> ProcoreChange:
    return ProcoreChange.model_validate(
        {
            "ref": REF.model_dump(),
            "action": action,
            "source": source,
            "observed_at": datetime(2026, 11, 1, tzinfo=UTC),
            "record": record,
        }
    )


def test_aggregate_id_is_uuid5_of_the_procore_identity() -> None:
    assert REF.aggregate_id == RecordRef.parse("1:2:direct_cost:3").aggregate_id
    other = RecordRef(company_id=1, project_id=2, resource="requisition", resource_id=3)
    assert other.aggregate_id != REF.aggregate_id
    assert SourceDocument.create_id(REF.key) == REF.aggregate_id


def test_same_version_from_webhook_and_poller_is_folded_once() -> None:
    doc = fold_change(None, change({"id": 3, "status": "approved", "grand_total": "10.00"}))
    assert doc is not None
    assert [type(e).__name__ for e in doc.collect_events()] == ["Registered", "VersionObserved"]
    again = fold_change(
        doc, change({"grand_total": "10.00", "status": "approved", "id": 3}, source="poller")
    )
    assert again is None


def test_new_version_and_delete_each_add_one_event() -> None:
    doc = fold_change(None, change({"id": 3, "status": "pending"}))
    assert doc is not None
    doc.collect_events()
    doc = fold_change(doc, change({"id": 3, "status": "approved"}))
    assert doc is not None and doc.status == "approved"
    assert [type(e).__name__ for e in doc.collect_events()] == ["VersionObserved"]
    doc = fold_change(doc, change(None, action="delete"))
    assert doc is not None and doc.deleted
    doc.collect_events()
    assert fold_change(doc, change(None, action="delete")) is None


def test_change_without_record_waits_for_fetch() -> None:
    assert fold_change(None, change(None)) is None


def test_record_ref_parse_errors_explain_the_format() -> None:
    import pytest

    with pytest.raises(ValueError, match="company:project:resource:id"):
        RecordRef.parse("1:2:3")
    assert RecordRef.parse("5:-:vendor:9").project_id is None
