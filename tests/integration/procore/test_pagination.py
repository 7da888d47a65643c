"""Pagination and incremental reads against the emulator over real HTTP."""

from __future__ import annotations

import inspect
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from emulators.procore import run_procore_emulator
from emulators.procore.data import Size
from tests.integration.procore.conftest import client_for, first_project
from tests.support.fakes import ManualClock

TEN_THOUSAND = Size(projects=1, vendors=24, commitments=4, requisitions=6, direct_costs=10_000)


async def test_ten_thousand_records_stream_page_by_page_with_bounded_memory() -> None:
    async with run_procore_emulator(size=TEN_THOUSAND, clock=ManualClock()) as emu:
        project_id = first_project(emu)
        path = f"/rest/v1.1/projects/{project_id}/direct_costs"
        async with client_for(emu) as client:
            pages = client.paginate(path, company_id=emu.company_id)
            assert inspect.isasyncgen(pages)  # a stream, not a list
            seen: set[int] = set()
            page_sizes: list[int] = []
            tracemalloc.start()
            try:
                async for page in pages:
                    page_sizes.append(len(page.items))
                    seen.update(item["id"] for item in page.items)
                    assert page.total_hint == 10_000 and page.per_page == 100
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert len(seen) == 10_000
    assert len(page_sizes) == 100 and max(page_sizes) == 100
    assert emu.counters.by_endpoint["GET /rest/v1.1/projects/{project_id}/direct_costs"] == 100
    # One page of JSON is ~100 kB; holding all 10,000 records would take well over 10 MB.
    assert peak < 8_000_000, f"peak {peak} bytes: pages are being accumulated"


async def test_pagination_ends_when_link_has_no_next_even_if_total_says_more(emu, client) -> None:
    project_id = first_project(emu)
    vendors = [v async for v in client.list_vendors(emu.company_id)]
    assert len(vendors) == len(emu.state.vendors_of(emu.company_id))
    costs = [c async for c in client.list_direct_costs(emu.company_id, project_id)]
    expected = [r for r in emu.state.rows["direct_cost"].values() if r.project_id == project_id]
    assert sorted(c.id for c in costs) == sorted(r.data["id"] for r in expected)


async def test_incremental_reads_return_only_records_changed_in_the_window(emu, client) -> None:
    clock = emu.clock
    assert isinstance(clock, ManualClock)
    project_id = first_project(emu)
    since = datetime.fromtimestamp(clock.now(), UTC)
    requisition_id = next(
        r.data["id"]
        for r in emu.state.rows["requisition"].values()
        if r.project_id == project_id and r.data["status"] == "under_review"
    )
    direct_cost_id = next(
        r.data["id"]
        for r in emu.state.rows["direct_cost"].values()
        if r.project_id == project_id and r.data["status"] == "approved"
    )
    clock.advance(60)
    emu.approve_requisition(requisition_id)
    emu.edit_direct_cost(direct_cost_id, Decimal("1234.56"))
    clock.advance(5)
    window = (since, datetime.fromtimestamp(clock.now(), UTC) + timedelta(seconds=1))

    changed_reqs = [r async for r in client.list_requisitions(emu.company_id, project_id, window)]
    assert [(r.id, r.status) for r in changed_reqs] == [(requisition_id, "approved")]
    changed_costs = [d async for d in client.list_direct_costs(emu.company_id, project_id, window)]
    assert [d.id for d in changed_costs] == [direct_cost_id]
    full = await client.get_direct_cost(emu.company_id, project_id, direct_cost_id)
    assert full.line_items[0].amount == Decimal("1234.56")
    assert full.grand_total == sum(li.amount for li in full.line_items)

    emu.create("vendor")
    new_vendors = [v async for v in client.list_vendors(emu.company_id, updated_since=since)]
    assert len(new_vendors) == 1


async def test_lists_with_total_but_no_link_or_with_neither_are_read_completely(
    emu, client
) -> None:
    project_id = first_project(emu)
    expected = sorted(
        r.data["id"] for r in emu.state.rows["direct_cost"].values() if r.project_id == project_id
    )
    path = f"/rest/v1.1/projects/{project_id}/direct_costs"
    for headers in ("total", "none"):
        emu.set_faults(page_headers=headers)
        for per_page in (1, 7, len(expected), 100):
            client.per_page = per_page
            got = [i["id"] async for i in client.iter_records(path, company_id=emu.company_id)]
            assert sorted(got) == expected, (headers, per_page)
