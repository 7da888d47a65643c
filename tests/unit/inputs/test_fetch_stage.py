"""The fetch stage without Procore credentials: pass-through or a parking reason."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.changes import ProcoreChange, RecordRef
from streams.agents.fetch import FetchStage, Park, Snapshot
from streams.inputs.snapshotter import ProcoreSnapshotter

REF = RecordRef(company_id=1, project_id=2, resource="direct_cost", resource_id=3)


def change(**fields: object) -> ProcoreChange:
    base = {"ref": REF, "action": "update", "source": "demo", "observed_at": datetime.now(UTC)}
    return ProcoreChange.model_validate({**base, **fields})


async def test_without_a_client_changes_with_records_pass_and_others_are_parked() -> None:
    stage = FetchStage(ProcoreSnapshotter(None))
    with_record = change(record={"id": 3, "status": "approved"})
    passed = await stage.process(with_record.to_bytes())
    assert isinstance(passed, Snapshot) and passed.change == with_record

    deleted = await stage.process(change(action="delete").to_bytes())
    assert isinstance(deleted, Snapshot) and deleted.change.action == "delete"

    parked = await stage.process(change().to_bytes())
    assert isinstance(parked, Park)
    assert "1:2:direct_cost:3" in parked.reason and "credentials" in parked.reason


async def test_unreadable_message_is_parked() -> None:
    parked = await FetchStage(ProcoreSnapshotter(None)).process(b'{"ref": 1}')
    assert isinstance(parked, Park) and parked.reason.startswith("unreadable change message")
