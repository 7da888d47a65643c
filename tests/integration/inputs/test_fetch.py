"""The fetch stage against the Procore emulator: snapshots, context, API economy, failures."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson

from adapters.procore.client import ProcoreClient
from adapters.procore.retry import RetryPolicy
from domain.changes import ProcoreChange, RecordRef, ResourceKind
from domain.procore.records import Commitment, CostCode, DirectCost, Requisition, TaxCode, Vendor
from emulators.procore import ProcoreEmulator
from streams.agents.fetch import FetchStage, Park, Redirect, Snapshot, handle_event
from streams.agents.parking import DeadLetters
from streams.inputs.snapshotter import ProcoreSnapshotter
from tests.support.fakes import ManualClock

from .conftest import client_for

WHEN = datetime(2026, 11, 10, 14, 0, tzinfo=UTC)


def change(
    emu: ProcoreEmulator, resource: ResourceKind, rid: int, action: str = "update"
) -> ProcoreChange:
    project = None if resource == "vendor" else emu.state.rows[resource][rid].project_id
    ref = RecordRef(
        company_id=emu.company_id, project_id=project, resource=resource, resource_id=rid
    )
    return ProcoreChange.model_validate(
        {"ref": ref, "action": action, "source": "webhook", "observed_at": WHEN}
    )


def ids(emu: ProcoreEmulator, resource: ResourceKind, project: int | None = None) -> list[int]:
    rows = emu.state.rows[resource]
    return sorted(r for r, row in rows.items() if project is None or row.project_id == project)


async def test_requisition_snapshot_has_items_vendor_commitment_and_codes(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    snap = await ProcoreSnapshotter(client).snapshot(
        change(emu, "requisition", ids(emu, "requisition")[0])
    )
    record, context = snap.record, snap.context
    assert record is not None and context is not None
    req = Requisition.model_validate(record)
    assert req.items, "the show endpoint's items must be in the record"
    assert Vendor.model_validate(context["vendor"]).id == req.vendor_id
    commitment = Commitment.model_validate(context["commitment"])
    assert commitment.id == req.commitment_id and commitment.line_items
    codes = {CostCode.model_validate(c).id for c in context["cost_codes"]}
    assert {it.cost_code_id for it in req.items if it.cost_code_id} <= codes
    wanted_tax = {li.tax_code_id for li in commitment.line_items if li.tax_code_id}
    assert {TaxCode.model_validate(t).id for t in context["tax_codes"]} == wanted_tax
    assert snap.action == "update" and snap.key == change(emu, "requisition", req.id).key


async def test_direct_cost_and_commitment_snapshots(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    snapshotter = ProcoreSnapshotter(client)
    dc = await snapshotter.snapshot(change(emu, "direct_cost", ids(emu, "direct_cost")[0]))
    assert dc.record is not None and dc.context is not None
    cost = DirectCost.model_validate(dc.record)
    assert cost.line_items and dc.context["commitment"] is None
    assert dc.context["vendor"]["id"] == cost.vendor_id
    assert {c["id"] for c in dc.context["cost_codes"]} == {
        li.cost_code.id for li in cost.line_items if li.cost_code
    }
    assert {t["id"] for t in dc.context["tax_codes"]} == {
        li.tax_code_id for li in cost.line_items if li.tax_code_id
    }

    com = await snapshotter.snapshot(change(emu, "commitment", ids(emu, "commitment")[0]))
    assert com.record is not None and com.context is not None
    parsed = Commitment.model_validate(com.record)
    assert parsed.line_items and com.context["vendor"]["id"] == parsed.vendor.id  # type: ignore[union-attr]

    vendor = await snapshotter.snapshot(change(emu, "vendor", ids(emu, "vendor")[0]))
    assert vendor.context is None and Vendor.model_validate(vendor.record).name


async def test_a_backfill_costs_about_one_call_per_record(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    project = emu.project_ids()[0]
    snapshotter = ProcoreSnapshotter(client)
    changes = [change(emu, "requisition", r) for r in ids(emu, "requisition", project)]
    changes += [change(emu, "direct_cost", r) for r in ids(emu, "direct_cost", project)]
    commitments = {emu.state.rows["requisition"][c.ref.resource_id].data["commitment_id"]
                   for c in changes if c.ref.resource == "requisition"}  # fmt: skip
    before = client.requests_sent
    for c in changes:
        snap = await snapshotter.snapshot(c)
        assert snap.record is not None and snap.context is not None
    calls = client.requests_sent - before
    # records + commitment reads (≤ 2 each: PO, then WO) + vendor/tax/cost-code lists
    assert calls <= len(changes) + 2 * len(commitments) + 3, calls


async def test_404_turns_into_a_delete_and_deletes_pass_through(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    snapshotter = ProcoreSnapshotter(client)
    rid = ids(emu, "direct_cost")[0]
    original = change(emu, "direct_cost", rid)
    emu.delete("direct_cost", rid)
    snap = await snapshotter.snapshot(original)
    assert snap.action == "delete" and snap.record is None and snap.key == original.key
    delete = original.model_copy(update={"action": "delete"})
    before = client.requests_sent
    assert await snapshotter.snapshot(delete) is delete
    complete = original.model_copy(update={"record": {"id": rid}, "context": {"vendor": None}})
    assert await snapshotter.snapshot(complete) is complete
    assert client.requests_sent == before


async def test_403_is_parked_with_the_record_and_the_fix(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    rid = ids(emu, "requisition")[0]
    c = change(emu, "requisition", rid)
    emu.set_faults(forbidden_projects=[c.ref.project_id])
    outcome = await FetchStage(ProcoreSnapshotter(client)).process(c.to_bytes())
    assert isinstance(outcome, Park)
    assert c.key in outcome.reason and "HTTP 403" in outcome.reason
    assert "permitted projects" in outcome.reason and "replay record" in outcome.reason
    where = f"Commitments (Subcontractor Invoices) in project {c.ref.project_id} of company"
    assert f"configuration problem: Procore denies the service account the tool {where}" in (
        outcome.reason
    )


async def test_5xx_storm_is_retried_until_it_passes(
    emu: ProcoreEmulator, clock: ManualClock
) -> None:
    # The client gives up after one attempt, so the stage's own retries must carry it.
    async with client_for(emu, retry=RetryPolicy(max_attempts=1)) as client:
        stage = FetchStage(ProcoreSnapshotter(client), sleep=clock.sleep, rng=random.Random(1))
        c = change(emu, "direct_cost", ids(emu, "direct_cost")[0])
        emu.set_faults(burst_5xx_next=3)
        outcome = await stage.process(c.to_bytes())
        assert isinstance(outcome, Snapshot) and outcome.change.record is not None
        assert len(clock.sleeps) >= 3

        emu.set_faults(burst_5xx_next=50)
        give_up = await FetchStage(
            ProcoreSnapshotter(client), attempts=3, sleep=clock.sleep
        ).process(c.to_bytes())
        assert isinstance(give_up, Park) and "after 3 attempts" in give_up.reason


class Topic:
    """Stands in for a faust topic: records sends, acks at once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[dict[str, Any]] = []

    async def send(self, **kwargs: Any) -> asyncio.Future[None]:
        self.sent.append(kwargs)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


def event(value: bytes, key: bytes = b"k") -> Any:
    message = SimpleNamespace(topic="procore.changes", partition=2, offset=41, key=key, value=value)
    return SimpleNamespace(value=value, key=key, message=message)


async def test_agent_step_publishes_snapshots_and_parks_failures(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    records, dlq = Topic("procore.records"), Topic("connector.dlq")
    stage = FetchStage(ProcoreSnapshotter(client))
    c = change(emu, "direct_cost", ids(emu, "direct_cost")[0])
    await handle_event(stage, event(c.to_bytes(), c.key.encode()), records, DeadLetters(dlq))
    (sent,) = records.sent
    assert sent["key"] == c.key.encode()
    assert ProcoreChange.from_bytes(sent["value"]).record is not None

    outcome = await handle_event(stage, event(b"{nope"), records, DeadLetters(dlq))
    assert isinstance(outcome, Park) and len(records.sent) == 1
    (parked,) = dlq.sent
    assert parked["value"] == b"{nope" and parked["headers"]["source-offset"] == b"41"
    assert b"unreadable change message" in parked["headers"]["error"]
    assert orjson.loads(sent["value"])["ref"]["resource"] == "direct_cost"


def line_change(
    emu: ProcoreEmulator, parent: ResourceKind, parent_id: int, **extra: Any
) -> ProcoreChange:
    row = emu.state.rows[parent][parent_id]
    kind = "direct_cost_line_item" if parent == "direct_cost" else "commitment_line_item"
    ref = RecordRef(
        company_id=emu.company_id,
        project_id=row.project_id,
        resource=kind,
        resource_id=row.data["line_items"][0]["id"],
    )
    observed = datetime.fromtimestamp(emu.clock.now(), UTC)
    return ProcoreChange.model_validate(
        {"ref": ref, "action": "update", "source": "webhook", "observed_at": observed, **extra}
    )


async def test_a_direct_cost_line_item_change_becomes_its_parents_change(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    stage = FetchStage(ProcoreSnapshotter(client))
    cost_id = ids(emu, "direct_cost")[0]
    outcome = await stage.process(line_change(emu, "direct_cost", cost_id).to_bytes())
    assert isinstance(outcome, Redirect)
    assert [(c.ref.resource, c.ref.resource_id) for c in outcome.changes] == [
        ("direct_cost", cost_id)
    ]
    lookups = "GET /rest/v1.0/projects/{project_id}/direct_costs/line_items"
    assert emu.counters.by_endpoint[lookups] == 1
    # A line of a record this process already read resolves without a Procore call.
    other = ids(emu, "direct_cost")[1]
    await stage.snapshotter.snapshot(change(emu, "direct_cost", other))
    calls = emu.counters.api_calls()
    again = await stage.process(line_change(emu, "direct_cost", other).to_bytes())
    assert isinstance(again, Redirect) and again.changes[0].ref.resource_id == other
    assert emu.counters.api_calls() == calls


async def test_a_commitment_line_item_change_rereads_recently_updated_contracts(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    wo = next(
        r for r, row in emu.state.rows["commitment"].items() if row.kind == "work_order_contract"
    )
    emu.clock.advance(3600)
    emu.update("commitment", wo, title="Rohbau, geändert")
    stage = FetchStage(ProcoreSnapshotter(client))
    lc = line_change(emu, "commitment", wo, commitment_kind="work_order_contract")
    outcome = await stage.process(lc.to_bytes())
    assert isinstance(outcome, Redirect)
    assert [(c.ref.resource_id, c.commitment_kind) for c in outcome.changes] == [
        (wo, "work_order_contract")
    ]


async def test_a_line_item_nobody_owns_is_parked_with_the_reason(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    lc = line_change(emu, "direct_cost", ids(emu, "direct_cost")[0])
    ghost = lc.model_copy(update={"ref": lc.ref.model_copy(update={"resource_id": 1})})
    outcome = await FetchStage(ProcoreSnapshotter(client)).process(ghost.to_bytes())
    assert (
        isinstance(outcome, Park) and "names no record this line item belongs to" in outcome.reason
    )


async def test_cost_and_tax_codes_survive_a_restart_within_their_ttl(
    client: ProcoreClient, emu: ProcoreEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    codes = tmp_path / "procore-codes.json"
    cost = "GET /rest/v1.0/cost_codes"
    tax = "GET /rest/v1.0/tax_codes"
    first, second = ids(emu, "direct_cost")[:2]
    await ProcoreSnapshotter(client, codes_file=codes).snapshot(change(emu, "direct_cost", first))
    listed = (emu.counters.by_endpoint[cost], emu.counters.by_endpoint[tax])
    assert listed[0] == 1
    restarted = ProcoreSnapshotter(client, codes_file=codes)  # a new process, same data dir
    snap = await restarted.snapshot(change(emu, "direct_cost", second))
    assert snap.context is not None and snap.context["cost_codes"]
    assert (emu.counters.by_endpoint[cost], emu.counters.by_endpoint[tax]) == listed
    clock.advance(601)  # past the cache's ttl: listed again, as without the file
    await ProcoreSnapshotter(client, codes_file=codes).snapshot(change(emu, "direct_cost", first))
    assert emu.counters.by_endpoint[cost] == listed[0] + 1
