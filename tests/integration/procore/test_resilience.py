"""Rate limits, retries and typed errors against the emulator's fault switches."""

from __future__ import annotations

import random

import pytest

from adapters.backoff import Backoff
from adapters.procore.errors import (
    ProcoreNotFoundError,
    ProcorePermissionError,
    ProcoreRequestError,
    ProcoreServerError,
)
from adapters.procore.retry import RetryPolicy
from domain.changes import RecordRef
from emulators.procore import run_procore_emulator
from tests.integration.procore.conftest import client_for, first_project
from tests.support.fakes import ManualClock

DIRECT_COSTS = "GET /rest/v1.1/projects/{project_id}/direct_costs"


async def test_429_waits_until_the_announced_reset_before_sending_again(emu, client) -> None:
    await client.list_companies(emu.company_id)  # token + first call outside the storm
    emu.set_faults(storm_429_next=2, storm_reset_s=5)
    started = emu.clock.now()
    companies = await client.list_companies(emu.company_id)
    assert companies
    statuses = [entry[3] for entry in emu.counters.log if entry[2] == "/rest/v1.0/companies"]
    assert statuses[-3:] == [429, 429, 200]
    assert emu.counters.sent_before_reset == 0  # never a request before the reset time
    assert emu.clock.now() - started >= 10  # two 5-second resets were waited out


async def test_client_slows_down_before_the_spike_limit_runs_out() -> None:
    clock = ManualClock(start=1_795_000_000.0)
    async with (
        run_procore_emulator(clock=clock, spike_limit=10, hourly_limit=100_000) as emu,
        client_for(emu) as client,
    ):
        for _ in range(35):
            await client.list_companies(emu.company_id)
    assert emu.counters.by_status[429] == 0
    assert clock.now() - 1_795_000_000.0 >= 30  # 35 calls at 10 per 10 s need > 3 windows


async def test_503_honours_retry_after(emu, client) -> None:
    await client.list_companies(emu.company_id)
    emu.set_faults(burst_5xx_next=1, status_5xx=503, retry_after_503_s=7)
    before = emu.clock.now()
    await client.list_companies(emu.company_id)
    assert emu.clock.now() - before >= 7
    assert emu.counters.by_status[503] == 1


async def test_5xx_is_retried_with_backoff_then_surfaced(emu) -> None:
    policy = RetryPolicy(max_attempts=4, backoff=Backoff(base_s=0.5), rng=random.Random(1))
    async with client_for(emu, retry=policy) as client:
        project_id = first_project(emu)
        await client.list_companies(emu.company_id)
        emu.set_faults(burst_5xx_next=100, status_5xx=500)
        sleeps_before = len(emu.clock.sleeps)
        with pytest.raises(ProcoreServerError) as caught:
            [d async for d in client.list_direct_costs(emu.company_id, project_id)]
    error = caught.value
    assert error.status == 500 and error.retryable
    assert error.endpoint == f"/rest/v1.1/projects/{project_id}/direct_costs"
    assert "GET" in str(error) and "500" in str(error)
    assert emu.counters.by_endpoint[DIRECT_COSTS] == 4
    backoffs = emu.clock.sleeps[sleeps_before:]
    assert len(backoffs) == 3
    assert backoffs[0] < backoffs[1] < backoffs[2]  # exponential growth (jitter within bands)


async def test_transient_faults_recover(emu, client) -> None:
    project_id = first_project(emu)
    expected = len(
        [r for r in emu.state.rows["direct_cost"].values() if r.project_id == project_id]
    )
    emu.set_faults(burst_5xx_next=2, drop_next=1, malformed_next=1)
    costs = [d async for d in client.list_direct_costs(emu.company_id, project_id)]
    assert len(costs) == expected
    assert emu.counters.by_status[500] == 2


async def test_timeouts_are_retried_and_bounded(emu) -> None:
    async with client_for(emu, timeout_s=0.1, retry=RetryPolicy(max_attempts=2)) as client:
        await client.list_companies(emu.company_id)
        emu.set_faults(slow_s=0.3)
        with pytest.raises(ProcoreServerError) as caught:
            await client.list_companies(emu.company_id)
    assert caught.value.status is None and "Timeout" in str(caught.value)


async def test_404_and_400_are_not_retried(emu, client) -> None:
    project_id = first_project(emu)
    with pytest.raises(ProcoreNotFoundError):
        await client.get_direct_cost(emu.company_id, project_id, 1)
    assert emu.counters.by_endpoint["GET /rest/v1.1/projects/{project_id}/direct_costs/{id}"] == 1
    with pytest.raises(ProcoreRequestError) as caught:
        await client.get_json(
            f"/rest/v1.1/projects/{project_id}/direct_costs",
            company_id=emu.company_id,
            params={"filters[updated_at]": "yesterday"},
        )
    assert caught.value.status == 400 and not caught.value.retryable
    assert "filters[updated_at]" in caught.value.procore_message
    assert emu.counters.by_endpoint[DIRECT_COSTS] == 1


async def test_403_is_a_typed_configuration_error(emu, client) -> None:
    project_id = first_project(emu)
    emu.set_faults(forbidden_projects=[project_id])
    with pytest.raises(ProcorePermissionError) as caught:
        [r async for r in client.list_requisitions(emu.company_id, project_id)]
    assert caught.value.status == 403 and not caught.value.retryable
    assert "permitted projects" in str(caught.value)
    assert emu.counters.by_endpoint["GET /rest/v1.1/requisitions"] == 1


async def test_fetch_record_returns_json_and_none_after_delete(emu, client) -> None:
    project_id = first_project(emu)
    row = next(r for r in emu.state.rows["commitment"].values() if r.project_id == project_id)
    ref = RecordRef(
        company_id=emu.company_id,
        project_id=project_id,
        resource="commitment",
        resource_id=row.data["id"],
    )
    record = await client.fetch_record(ref)
    assert record is not None and record["kind"] == row.kind
    assert record["line_items"] == row.data["line_items"]
    emu.delete("commitment", row.data["id"])
    assert await client.fetch_record(ref) is None
    vendor_id = next(iter(emu.state.rows["vendor"]))
    vendor_ref = RecordRef(
        company_id=emu.company_id, project_id=None, resource="vendor", resource_id=vendor_id
    )
    vendor = await client.fetch_record(vendor_ref)
    assert vendor is not None and vendor["id"] == vendor_id
