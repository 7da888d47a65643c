"""Admin endpoints of the emulator, over HTTP, and the CLI's argument checks."""

from __future__ import annotations

import httpx
import pytest
import typer

from streams.commands import emulators
from streams.errors import ConnectorError
from tests.integration.procore.conftest import first_project


async def test_admin_endpoints_drive_change_and_faults(emu, client) -> None:
    project_id = first_project(emu)
    async with httpx.AsyncClient(base_url=emu.base_url + "/_emulator") as admin:
        summary = (await admin.get(emu.base_url + "/_emulator")).json()
        assert summary["companies"] == [emu.company_id]
        reqs = (await admin.get("/requisitions")).json()
        draft = next(r for r in reqs if r["status"] == "draft" and r["project_id"] == project_id)
        approved = await admin.post(f"/requisitions/{draft['id']}/approve")
        assert approved.json()["status"] == "approved"
        fetched = await client.get_requisition(emu.company_id, project_id, draft["id"])
        assert fetched.status == "approved"

        cost = next(r for r in (await admin.get("/direct_costs")).json())
        edited = await admin.patch(f"/direct_costs/{cost['id']}", json={"amount": "99.90"})
        assert edited.json()["line_items"][0]["amount"] == "99.90"
        created = await admin.post("/direct_costs", json={"project_id": project_id})
        assert created.status_code == 201
        assert (await admin.delete(f"/direct_costs/{cost['id']}")).status_code == 204
        assert (await admin.delete(f"/direct_costs/{cost['id']}")).status_code == 404
        assert (await admin.patch("/faults", json={"rate_5xx": 3})).status_code == 400
        faults = await admin.patch("/faults", json={"burst_5xx_next": 1})
        assert faults.json()["burst_5xx_next"] == 1
        await client.list_companies(emu.company_id)  # retried past the injected 500
        counters = (await admin.get("/counters")).json()
        assert counters["by_status"]["500"] == 1 and counters["token_requests"] == 1
        assert (await admin.post("/clock/advance", json={"seconds": 10})).status_code == 200
        assert (await admin.post("/reset")).status_code == 200
        assert (await admin.get("/counters")).json()["api_calls"] == 0
    assert cost["id"] in emu.state.rows["direct_cost"]  # reset restored the seeded data


def test_cli_rejects_bad_fault_switches() -> None:
    with pytest.raises(ConnectorError, match="bad fault"):
        emulators.procore(
            port=0, host="127.0.0.1", seed=7, size="small", webhook_url=None,
            webhook_auth=None, payload_version="v3.0", token_ttl=5400, hourly_limit=3600,
            spike_limit=None, fault=["nope=1"],
        )  # fmt: skip
    assert isinstance(emulators.emulator_app, typer.Typer)
