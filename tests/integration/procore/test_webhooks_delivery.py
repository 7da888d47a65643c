"""The emulator's webhook deliveries, parsed by the connector's payload parser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from adapters.procore import hooks
from adapters.procore.webhooks import parse_delivery
from emulators.procore import run_procore_emulator
from tests.integration.procore.conftest import client_for, first_project
from tests.support.fakes import ManualClock


@dataclass
class Receiver:
    url: str = ""
    bodies: list[bytes] = field(default_factory=list)
    auth: list[str | None] = field(default_factory=list)
    fail_first: int = 0


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = Receiver()

    async def handle(request: web.Request) -> web.Response:
        if got.fail_first > 0:
            got.fail_first -= 1
            return web.Response(status=502)
        got.bodies.append(await request.read())
        got.auth.append(request.headers.get("Authorization"))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/webhooks/procore", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    got.url = f"http://{host}:{port}/webhooks/procore"
    yield got
    await runner.cleanup()


def _changes(bodies: list[bytes]) -> list[Any]:
    return [c for body in bodies for c in parse_delivery(body).changes]


@pytest.mark.parametrize("version", ["v2.0", "v3.0", "v4.0"])
async def test_mutations_arrive_as_webhooks_with_the_configured_auth(receiver, version) -> None:
    async with run_procore_emulator(
        clock=ManualClock(),
        webhook_url=receiver.url,
        webhook_auth="Bearer hook-secret",
        payload_version=version,
    ) as emu:
        project_id = first_project(emu)
        req_id = next(
            r.data["id"]
            for r in emu.state.rows["requisition"].values()
            if r.project_id == project_id
        )
        emu.approve_requisition(req_id)
        emu.delete("requisition", req_id)
        await emu.webhooks.flush()
    assert receiver.auth and set(receiver.auth) == {"Bearer hook-secret"}
    changes = _changes(receiver.bodies)
    assert [(c.ref.resource, c.ref.resource_id, c.action) for c in changes] == [
        ("requisition", req_id, "update"),
        ("requisition", req_id, "delete"),
    ]
    assert all(c.ref.project_id == project_id and c.event_id for c in changes)


async def test_failed_deliveries_are_retried_and_duplicates_keep_their_event_id(receiver) -> None:
    receiver.fail_first = 2
    async with run_procore_emulator(clock=ManualClock(), webhook_url=receiver.url) as emu:
        emu.set_faults(webhook_duplicate_rate=1.0, webhook_out_of_order=True)
        vendor = emu.create("vendor")
        emu.update("vendor", vendor["id"], name="Bau Groß GmbH")
        await emu.webhooks.flush()
    changes = _changes(receiver.bodies)
    assert {c.ref.resource_id for c in changes} == {vendor["id"]}
    assert len(changes) >= 4 and len({c.event_id for c in changes}) == 2  # duplicates
    assert all(c.ref.project_id is None for c in changes)  # company-level vendor events


async def test_registered_hook_receives_only_its_triggers(receiver) -> None:
    async with run_procore_emulator(clock=ManualClock()) as emu, client_for(emu) as client:
        hook = await hooks.register_hook(
            client,
            emu.company_id,
            namespace="ml-connector",
            destination_url=receiver.url,
            authorization=SecretStr("Bearer from-hook"),
            api_version="v4",
        )
        created = await hooks.ensure_triggers(
            client, emu.company_id, hook["id"], resource_names=("Direct Costs",)
        )
        assert len(created) == 3
        again = await hooks.ensure_triggers(
            client, emu.company_id, hook["id"], resource_names=("Direct Costs",)
        )
        assert again == []
        listed = await hooks.list_hooks(client, emu.company_id)
        assert [h["id"] for h in listed] == [hook["id"]]
        project_id = first_project(emu)
        cost = emu.create("direct_cost", project_id)
        emu.approve_requisition(next(iter(emu.state.rows["requisition"])))  # not subscribed
        await emu.webhooks.flush()
    changes = _changes(receiver.bodies)
    assert [(c.ref.resource, c.ref.resource_id, c.action) for c in changes] == [
        ("direct_cost", cost["id"], "create")
    ]
    assert receiver.auth == ["Bearer from-hook"]


@pytest.mark.parametrize("version", ["v3.0", "v2.0", "v4.0"])
async def test_line_item_edits_reach_the_parent(receiver, version) -> None:
    async with run_procore_emulator(
        clock=ManualClock(), webhook_url=receiver.url, payload_version=version
    ) as emu:
        cost_id = next(iter(emu.state.rows["direct_cost"]))
        line_id = emu.state.rows["direct_cost"][cost_id].data["line_items"][0]["id"]
        emu.edit_direct_cost(cost_id, Decimal("500.00"))
        await emu.webhooks.flush()
    parsed = [parse_delivery(body) for body in receiver.bodies]
    changes = [(c.ref.resource, c.ref.resource_id) for p in parsed for c in p.changes]
    assert [i for p in parsed for i in p.ignored] == []
    assert len(receiver.bodies) == 2  # one event per POST, as Procore delivers
    if version == "v3.0":  # related_resources names the parent
        assert changes == [("direct_cost", cost_id)] * 2
    else:  # v2.0/v4.0 name no parent: a line-item change the fetch stage resolves
        assert sorted(changes) == [("direct_cost", cost_id), ("direct_cost_line_item", line_id)]
