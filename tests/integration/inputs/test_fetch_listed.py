"""Records kept as their list returns them book exactly like records read by their show.

The fetch stage reads a direct cost's or commitment's show (line items, attachments) and a
requisition's commitment only when some client books the record's status; the others keep
the list's shape. The booking decision must not notice the difference.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from adapters.procore.client import ProcoreClient
from domain.booking import DerivationResult, Ignored, Parked, Planned
from domain.changes import ProcoreChange, RecordRef, ResourceKind
from domain.creditor_registry import CreditorRegistry
from domain.planning import decide
from domain.procore.needs import PARTIAL
from domain.source_changes import fold_change
from emulators.procore import ProcoreEmulator
from streams.agents.fetch import FetchStage, Redirect
from streams.inputs.poll_units import NoKnownRecords
from streams.inputs.poller import Poller
from streams.inputs.snapshotter import ProcoreSnapshotter
from streams.ledger.rules import BookingRules, ClientRules, load_rules
from streams.setup.proposal import ProposalInput, propose_mapping
from tests.support.fakes import InMemoryCursorStore

SHOW = {
    "direct_cost": "GET /rest/v1.1/projects/{project_id}/direct_costs/{id}",
    "purchase_order_contract": "GET /rest/v1.0/purchase_order_contracts/{id}",
    "work_order_contract": "GET /rest/v1.0/work_order_contracts/{id}",
}


def rules_for(emu: ProcoreEmulator, tmp_path: Path) -> BookingRules:
    state, company = emu.state, emu.company_id
    text = propose_mapping(
        ProposalInput(
            advisor_number=29098,
            client_number=55003,
            client_name="Bau GmbH",
            company_id=company,
            projects=[(pid, f"P{pid}") for pid in emu.project_ids(company)],
            cost_type_codes=[t["code"] for t in state.line_item_types[company]],
            tax_codes=[t["code"] for t in state.tax_codes[company]],
            vendors=[(int(v.data["id"]), str(v.data["name"])) for v in state.vendors_of(company)],
        )
    )
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules([path])


async def polled(client: ProcoreClient, emu: ProcoreEmulator) -> list[ProcoreChange]:
    """What the poller publishes on its first run (every record, as listed)."""
    out: list[ProcoreChange] = []

    async def publish(batch: list[ProcoreChange]) -> None:
        out.extend(batch)

    poller = Poller(
        client, [(emu.company_id, emu.project_ids())], InMemoryCursorStore(), NoKnownRecords()
    )
    await poller.poll_once(publish)
    return [c for c in out if c.ref.resource != "vendor"]


def decision(rules: BookingRules, snap: ProcoreChange) -> DerivationResult:
    doc = fold_change(None, snap)
    assert doc is not None
    route = rules.route(snap.ref)
    assert isinstance(route, ClientRules)
    return decide(doc, route.mapping, route.chart, CreditorRegistry(client_id=route.client_id))


def polled_change(
    emu: ProcoreEmulator, rid: int, resource: ResourceKind = "direct_cost"
) -> ProcoreChange:
    row = emu.state.rows[resource][rid]
    ref = RecordRef(
        company_id=emu.company_id, project_id=row.project_id, resource=resource, resource_id=rid
    )
    observed = datetime.fromtimestamp(emu.clock.now(), UTC)
    return ProcoreChange(ref=ref, action="update", source="poller", observed_at=observed)


def unread(change: ProcoreChange) -> ProcoreChange:
    """The same change as a webhook brings it: ids only, so the fetch stage reads the show."""
    return change.model_copy(update={"record": None, "listed": False, "context": None})


async def test_a_listed_record_books_exactly_like_one_read_by_show(
    client: ProcoreClient, emu: ProcoreEmulator, tmp_path: Path
) -> None:
    rules = rules_for(emu, tmp_path)
    changes = await polled(client, emu)
    by_show = ProcoreSnapshotter(client)
    economical = ProcoreSnapshotter(client, needs=rules.read_needs)
    kinds: dict[str, set[str]] = {}
    for change in changes:
        whole = await by_show.snapshot(unread(change))
        emu.counters.reset()
        kept = await economical.snapshot(change)
        expected, got = decision(rules, whole), decision(rules, kept)
        assert got.model_dump() == expected.model_dump(), change.key
        kinds.setdefault(change.ref.resource, set()).add(got.kind)
        partial = bool((kept.context or {}).get(PARTIAL))
        assert isinstance(expected, Ignored) or not partial, change.key
        shows = sum(n for k, n in emu.counters.by_endpoint.items() if k in SHOW.values())
        if partial:
            assert shows == 0, f"{change.key}: read although its status books nowhere"
        elif change.ref.resource == "direct_cost":
            assert kept.record is not None and "line_items" in kept.record
    # The emulator's statuses cover both sides for every kind that books.
    assert kinds["direct_cost"] >= {"ignored", "planned"}
    assert kinds["requisition"] >= {"ignored", "planned"}


async def test_a_bookable_listed_direct_cost_is_read_whole(
    client: ProcoreClient, emu: ProcoreEmulator, tmp_path: Path
) -> None:
    rules = rules_for(emu, tmp_path)
    approved = next(
        c
        for c in await polled(client, emu)
        if c.ref.resource == "direct_cost" and (c.record or {}).get("status") == "approved"
    )
    emu.counters.reset()
    snap = await ProcoreSnapshotter(client, needs=rules.read_needs).snapshot(approved)
    assert emu.counters.by_endpoint[SHOW["direct_cost"]] == 1
    assert snap.record is not None and snap.record["line_items"] and snap.record["attachments"]
    assert snap.context is not None and PARTIAL not in snap.context
    assert isinstance(decision(rules, snap), Planned)


async def test_a_changed_line_item_still_rebooks_its_parent(
    client: ProcoreClient, emu: ProcoreEmulator, tmp_path: Path
) -> None:
    rules = rules_for(emu, tmp_path)
    stage = FetchStage(ProcoreSnapshotter(client, needs=rules.read_needs))
    cost_id = next(
        rid
        for rid, row in emu.state.rows["direct_cost"].items()
        if row.data["status"] == "approved"
    )
    before = await stage.snapshotter.snapshot(unread(polled_change(emu, cost_id)))
    emu.clock.advance(60)
    emu.edit_direct_cost(cost_id, amount=Decimal("1234.50"))
    line = emu.state.rows["direct_cost"][cost_id].data["line_items"][0]
    ref = RecordRef(
        company_id=emu.company_id,
        project_id=before.ref.project_id,
        resource="direct_cost_line_item",
        resource_id=int(line["id"]),
    )
    observed = datetime.fromtimestamp(emu.clock.now(), UTC)
    event = ProcoreChange(ref=ref, action="update", source="webhook", observed_at=observed)
    outcome = await stage.process(event.to_bytes())
    assert isinstance(outcome, Redirect)
    parent = await stage.snapshotter.snapshot(outcome.changes[0])
    assert parent.record is not None
    assert parent.record["line_items"][0]["amount"] == "1234.50"
    first, again = decision(rules, before), decision(rules, parent)
    assert isinstance(first, Planned) and isinstance(again, Planned)
    assert sum(x.amount for x in again.lines) != sum(x.amount for x in first.lines)


async def test_a_partial_record_whose_status_books_after_a_rules_change_is_parked(
    client: ProcoreClient, emu: ProcoreEmulator, tmp_path: Path
) -> None:
    rules = rules_for(emu, tmp_path)
    draft = next(
        c
        for c in await polled(client, emu)
        if c.ref.resource == "direct_cost" and (c.record or {}).get("status") == "draft"
    )
    kept = await ProcoreSnapshotter(client, needs=rules.read_needs).snapshot(draft)
    assert kept.context is not None and kept.context[PARTIAL]
    # The client now books drafts too: the listed record lacks its lines, so it is parked.
    for client_rules in rules.clients.values():
        client_rules.mapping.booking.direct_cost_statuses.append("draft")
    parked = decision(rules, kept)
    assert isinstance(parked, Parked) and parked.field == "status"
    assert "nightly sweep" in parked.fix
