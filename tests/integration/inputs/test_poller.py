"""Poller against the Procore emulator: incremental windows, cursors, reconciliation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.procore.client import ProcoreClient
from domain.changes import ProcoreChange, ResourceKind
from emulators.procore import ProcoreEmulator
from streams.inputs.poll_units import NoKnownRecords
from streams.inputs.poller import Poller
from tests.support.fakes import CollectingPublisher, InMemoryCursorStore, ManualClock


class Known:
    def __init__(self, ids: dict[tuple[int, int | None, str], set[int]]) -> None:
        self.ids = ids

    def known_ids(
        self, company_id: int, project_id: int | None, resource: ResourceKind
    ) -> set[int]:
        return set(self.ids.get((company_id, project_id, resource), set()))


def emulator_ids(emu: ProcoreEmulator, resource: ResourceKind, project: int | None) -> set[int]:
    return {
        rid
        for rid, row in emu.state.rows[resource].items()
        if row.company_id == emu.company_id and (project is None or row.project_id == project)
    }


def make_poller(
    client: ProcoreClient, emu: ProcoreEmulator, projects: Sequence[int] = (), **kw: object
) -> Poller:
    cursors = kw.pop("cursors", InMemoryCursorStore())
    known = kw.pop("known", NoKnownRecords())
    return Poller(client, [(emu.company_id, list(projects))], cursors, known, **kw)  # type: ignore[arg-type]


async def test_first_run_reads_everything_then_only_the_window(
    client: ProcoreClient, emu: ProcoreEmulator, clock: ManualClock
) -> None:
    project = emu.project_ids()[0]
    cursors = InMemoryCursorStore()
    poller = make_poller(client, emu, [project], cursors=cursors)
    sent = CollectingPublisher()
    report = await poller.poll_once(sent)

    expected = {("requisition", rid) for rid in emulator_ids(emu, "requisition", project)} | {
        ("direct_cost", rid) for rid in emulator_ids(emu, "direct_cost", project)
    }
    got = {(c.ref.resource, c.ref.resource_id) for c in sent.sent}
    assert expected <= got
    assert {c.ref.resource for c in sent.sent} == {
        "vendor",
        "requisition",
        "direct_cost",
        "commitment",
    }
    assert report.units == 4 and report.failures == [] and report.published == len(sent.sent)
    assert all(c.source == "poller" and c.action == "update" for c in sent.sent)
    # Every change carries its listed record; direct costs and commitments are marked as the
    # list's shape (no line items, no attachments), so the fetch stage knows what it lacks.
    for c in sent.sent:
        assert c.record is not None and c.record["id"] == c.ref.resource_id
        assert c.listed == (c.ref.resource in ("direct_cost", "commitment"))
        if c.listed:
            assert "line_items" not in c.record and "attachments" not in c.record
    assert all(c.record["items"] for c in sent.sent if c.ref.resource == "requisition")
    first = datetime.fromtimestamp(clock.now(), UTC)
    assert cursors.values[f"procore:{emu.company_id}:{project}:requisition"] == first
    assert cursors.values[f"procore:{emu.company_id}:-:vendor"] == first

    # One edit later, the incremental window holds exactly that record.
    clock.advance(60)
    rid = sorted(emulator_ids(emu, "requisition", project))[0]
    emu.approve_requisition(rid)
    clock.advance(240)
    again = CollectingPublisher()
    calls_before = client.requests_sent
    report = await poller.poll_once(again)
    assert [c.key for c in again.sent] == [f"{emu.company_id}:{project}:requisition:{rid}"]
    assert client.requests_sent - calls_before == 5  # one page per unit (4 lists, POs + WOs)
    assert cursors.values[f"procore:{emu.company_id}:{project}:requisition"] == first + timedelta(
        seconds=300
    )


async def test_cursor_is_not_saved_when_the_window_was_not_fully_published(
    client: ProcoreClient, emu: ProcoreEmulator, clock: ManualClock
) -> None:
    project = emu.project_ids()[0]
    cursors = InMemoryCursorStore()
    poller = make_poller(client, emu, [project], cursors=cursors, chunk=2)
    calls = 0

    async def broken(changes: Sequence[ProcoreChange]) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        await poller.poll_once(broken)
    assert cursors.values == {}  # the vendor unit was cut off after its first chunk

    # Procore failing in the middle of a window: that unit keeps its old cursor, others move.
    emu.set_faults(forbidden_projects=[project])
    report = await poller.poll_once(CollectingPublisher())
    assert len(report.failures) == 3 and "403" in report.failures[0]
    assert list(cursors.values) == [f"procore:{emu.company_id}:-:vendor"]


async def test_projects_are_listed_when_none_are_configured(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    sent = CollectingPublisher()
    report = await make_poller(client, emu).poll_once(sent)
    assert report.units == 1 + 3 * len(emu.project_ids())
    assert {c.ref.project_id for c in sent.sent} == {None, *emu.project_ids()}


async def test_reconcile_publishes_every_id_and_deletes_for_vanished_records(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    project = emu.project_ids()[0]
    requisitions = sorted(emulator_ids(emu, "requisition", project))
    gone = requisitions[0]
    emu.delete("requisition", gone)
    known = Known({(emu.company_id, project, "requisition"): set(requisitions)})
    poller = make_poller(client, emu, [project], known=known)
    sent = CollectingPublisher()
    report = await poller.sweep_once(sent)

    deletes = [c for c in sent.sent if c.action == "delete"]
    assert [c.key for c in deletes] == [f"{emu.company_id}:{project}:requisition:{gone}"]
    assert report.deletions == 1 and deletes[0].source == "sweep"
    updates = {c.ref.resource_id for c in sent.sent if c.ref.resource == "requisition"} - {gone}
    assert updates == set(requisitions[1:])
    assert all(c.source == "sweep" for c in sent.sent)


async def test_reconcile_refuses_to_delete_most_of_a_project(
    client: ProcoreClient, emu: ProcoreEmulator
) -> None:
    project = emu.project_ids()[0]
    phantom = set(range(1, 30))  # ids Procore never returns: looks like lost access
    known = Known({(emu.company_id, project, "direct_cost"): phantom})
    sent = CollectingPublisher()
    report = await make_poller(client, emu, [project], known=known).sweep_once(sent)
    assert not [c for c in sent.sent if c.action == "delete"]
    assert report.failures and "29 of 29 missing" in report.failures[0]


async def test_tick_reconciles_first_then_polls_on_the_interval(
    client: ProcoreClient, emu: ProcoreEmulator, clock: ManualClock
) -> None:
    cursors = InMemoryCursorStore()
    poller = make_poller(client, emu, [emu.project_ids()[0]], cursors=cursors, tz=UTC)
    sent = CollectingPublisher()
    first = await poller.tick(sent, interval_s=300)
    assert first is not None and first.mode == "sweep"
    assert await poller.tick(sent, interval_s=300) is None
    clock.advance(300)
    second = await poller.tick(sent, interval_s=300)
    assert second is not None and second.mode == "incremental"


@pytest.mark.parametrize("fault", ["edit_during_list", "delete_during_list"])
async def test_a_change_while_paging_skips_no_record(
    client: ProcoreClient, emu: ProcoreEmulator, clock: ManualClock, fault: str
) -> None:
    project = emu.project_ids()[0]
    costs = sorted(emulator_ids(emu, "direct_cost", project))
    client.per_page = 3  # several pages, so an early record's change shifts later ones
    cursors = InMemoryCursorStore()
    known = Known({(emu.company_id, project, "direct_cost"): set(costs)})
    poller = make_poller(client, emu, [project], cursors=cursors, known=known)
    sent = CollectingPublisher()
    await poller.poll_once(sent)  # the first full read sets the marks
    clock.advance(600)
    for rid in costs:  # every record changes after the mark ...
        emu.update("direct_cost", rid, terms="Net 14")
    clock.advance(1)
    target = costs[0]  # ... and the first one changes again while page 1 is being read
    emu.set_faults(**{fault: target})
    sent = CollectingPublisher()
    await poller.poll_once(sent)
    got = {c.ref.resource_id for c in sent.sent if c.ref.resource == "direct_cost"}
    assert set(costs) - {target} <= got, "a record on a page boundary was skipped"
    if fault == "edit_during_list":  # the edited record is in the next window
        clock.advance(60)
        sent = CollectingPublisher()
        await poller.poll_once(sent)
        assert target in {c.ref.resource_id for c in sent.sent}
    else:  # the deleted one is found by the next deletion check, within the poll cadence
        sent = CollectingPublisher()
        report = await poller.deletions_once(sent)
        assert report.deletions == 1
        assert [(c.ref.resource_id, c.action) for c in sent.sent] == [(target, "delete")]


async def test_deletion_checks_run_on_their_own_cadence(
    client: ProcoreClient, emu: ProcoreEmulator, clock: ManualClock
) -> None:
    project = emu.project_ids()[0]
    poller = make_poller(client, emu, [project], deletions_every_s=900.0)
    poller.cursors.set("procore:sweep", datetime.fromtimestamp(clock.now(), UTC))
    modes = []
    for _ in range(4):
        report = await poller.tick(CollectingPublisher(), interval_s=300.0)
        modes.append(None if report is None else report.mode)
        clock.advance(450)
    assert modes == ["incremental", "incremental", "deletions", "incremental"]


async def test_a_forbidden_project_is_named_backed_off_and_retried_later(
    client: ProcoreClient, emu: ProcoreEmulator, clock: ManualClock, tmp_path: Path
) -> None:
    from streams.inputs.access import ACCESS_FILE, AccessRegistry, read_access_problems

    ok_project, denied = emu.project_ids()[:2]
    access = AccessRegistry(tmp_path / ACCESS_FILE)
    poller = make_poller(client, emu, [ok_project, denied], access=access)
    emu.set_faults(forbidden_projects=[denied])
    report = await poller.poll_once(CollectingPublisher())
    problems = read_access_problems(tmp_path / ACCESS_FILE)
    assert {p.key for p in problems} == {
        f"{emu.company_id}:{denied}:{r}" for r in ("requisition", "direct_cost", "commitment")
    }
    commitments = next(p for p in problems if p.resource == "commitment")
    assert f"project {denied} of company {emu.company_id}" in commitments.message
    assert "Commitments" in commitments.message and "permission" in commitments.fix
    assert report.units == 4  # the vendor unit and the permitted project still run
    # Within the backoff the denied project is not asked again ...
    calls = emu.counters.by_status[403]
    clock.advance(60)
    report = await poller.poll_once(CollectingPublisher())
    assert emu.counters.by_status[403] == calls
    assert sum("backed off" in f for f in report.failures) == 3
    # ... after it, it is; once permitted, the problem is gone.
    emu.set_faults(forbidden_projects=[])
    clock.advance(3600)
    await poller.poll_once(CollectingPublisher())
    assert read_access_problems(tmp_path / ACCESS_FILE) == []


async def test_doctor_names_the_missing_permission(
    client: ProcoreClient, emu: ProcoreEmulator, tmp_path: Path
) -> None:
    from streams.config.settings import Settings
    from streams.inputs.access import ACCESS_FILE, AccessRegistry
    from streams.setup.checks import procore_access
    from streams.setup.checks.base import DoctorContext

    project = emu.project_ids()[1]
    emu.set_faults(forbidden_projects=[project])
    poller = make_poller(client, emu, [project], access=AccessRegistry(tmp_path / ACCESS_FILE))
    await poller.poll_once(CollectingPublisher())
    ctx = DoctorContext(
        settings=Settings(data_dir=tmp_path),
        build_procore=lambda *_: None,
        build_ledger=lambda *_: None,  # type: ignore[arg-type,return-value]
    )
    checks = await procore_access.run(ctx)
    assert checks and all(c.failed for c in checks)
    line = next(c for c in checks if c.name.endswith(":commitment"))
    assert f"project {project}" in line.detail and "Commitments" in line.detail
    assert "Project Admin" in line.fix
