"""The faust webhook view over real HTTP: deliveries from the Procore emulator and by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from aiohttp import web
from pydantic import SecretStr

from domain.changes import ProcoreChange
from emulators.procore import run_procore_emulator
from streams.config.settings import Settings
from streams.faust_app import create_faust_app
from streams.inputs.webhook import WEBHOOK_PATH, WebhookReceiver, register_webhook_view

SECRET = "hook-secret-1"


class Topic:
    """Stands in for the faust topic (Kafka is covered by the e2e test): acks at once."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, **kwargs: Any) -> asyncio.Future[None]:
        self.sent.append(kwargs)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def changes(self) -> list[ProcoreChange]:
        return [ProcoreChange.from_bytes(s["value"]) for s in self.sent]


@dataclass
class Endpoint:
    url: str
    topic: Topic
    receiver: WebhookReceiver


async def serve(tmp_path: Path, secret: str | None, max_body: int) -> AsyncIterator[Endpoint]:
    settings = Settings(data_dir=tmp_path / "var")
    app = create_faust_app(settings, "127.0.0.1:9")  # never connected: the view only publishes
    topic = Topic()
    receiver = register_webhook_view(
        app, topic, SecretStr(secret) if secret else None, max_body_bytes=max_body
    )
    runner = web.AppRunner(app.web.web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield Endpoint(f"http://{host}:{port}{WEBHOOK_PATH}", topic, receiver)
    finally:
        await runner.cleanup()


@pytest.fixture
async def endpoint(tmp_path: Path) -> AsyncIterator[Endpoint]:
    async for running in serve(tmp_path, SECRET, 20_000):
        yield running


@pytest.mark.parametrize("version", ["v2.0", "v3.0", "v4.0"])
async def test_emulator_deliveries_are_accepted_and_published(
    endpoint: Endpoint, version: str
) -> None:
    async with run_procore_emulator(
        seed=7,
        size="small",
        webhook_url=endpoint.url,
        webhook_auth=f"Bearer {SECRET}",
        payload_version=version,
    ) as emu:
        rid = next(iter(emu.state.rows["requisition"]))
        dc = next(iter(emu.state.rows["direct_cost"]))
        emu.approve_requisition(rid)
        emu.delete("direct_cost", dc)
        await emu.webhooks.flush()
        project = emu.state.rows["requisition"][rid].project_id
        keys = {(c.key, c.action) for c in endpoint.topic.changes()}
        assert (f"{emu.company_id}:{project}:requisition:{rid}", "update") in keys
        assert any(k.endswith(f":direct_cost:{dc}") and a == "delete" for k, a in keys)
        assert all(s["key"] == ProcoreChange.from_bytes(s["value"]).key.encode()
                   for s in endpoint.topic.sent)  # fmt: skip


async def test_duplicate_deliveries_from_the_emulator_publish_once(endpoint: Endpoint) -> None:
    async with run_procore_emulator(
        seed=7, size="small", webhook_url=endpoint.url, webhook_auth=f"Bearer {SECRET}"
    ) as emu:
        emu.set_faults(webhook_duplicate_rate=1.0)
        rid = next(iter(emu.state.rows["requisition"]))
        emu.approve_requisition(rid)
        await emu.webhooks.flush()
    events = [c.event_id for c in endpoint.topic.changes()]
    assert len(events) == 1 and events[0]
    assert endpoint.receiver.totals["duplicates"] >= 1  # the emulator did send it twice


async def test_http_answers_for_bad_requests(endpoint: Endpoint) -> None:
    good = orjson.dumps(
        {"id": 1, "ulid": "01A", "timestamp": "2026-11-10T14:02:11Z", "company_id": 1,
         "project_id": 2, "event_type": "update", "resource_name": "Direct Costs",
         "resource_id": 3}
    )  # fmt: skip
    auth = {"Authorization": f"Bearer {SECRET}"}
    async with httpx.AsyncClient() as http:
        missing = await http.post(endpoint.url, content=good)
        wrong = await http.post(endpoint.url, content=good, headers={"Authorization": "Bearer x"})
        assert missing.status_code == wrong.status_code == 401
        assert SECRET not in missing.text and "unauthorized" in missing.text

        big = await http.post(endpoint.url, content=b"[" + b" " * 30_000 + b"]", headers=auth)
        assert big.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while reading
            for _ in range(4):
                yield b" " * 8_000

        streamed = await http.post(endpoint.url, content=chunks(), headers=auth)
        assert streamed.status_code == 413

        garbage = await http.post(endpoint.url, content=b"\xff{]", headers=auth)
        assert garbage.status_code == 400 and garbage.json()["field"] == "body"
        bad = await http.post(
            endpoint.url, content=good.replace(b'"resource_id":3', b'"resource_id":"x"'),
            headers=auth,
        )  # fmt: skip
        assert bad.status_code == 400 and bad.json()["field"] == "resource_id"

        get = await http.get(endpoint.url)
        assert get.status_code == 405
        assert endpoint.topic.sent == []

        ok = await http.post(endpoint.url, content=good, headers=auth)
        assert ok.status_code == 200 and ok.json() == {"accepted": 1, "ignored": 0, "duplicates": 0}
        assert [s["key"] for s in endpoint.topic.sent] == [b"1:2:direct_cost:3"]


async def test_without_a_secret_the_endpoint_answers_503(tmp_path: Path) -> None:
    async for running in serve(tmp_path, None, 1000):
        async with httpx.AsyncClient() as http:
            answer = await http.post(running.url, content=b"{}", headers={"Authorization": "x"})
        assert answer.status_code == 503
        assert answer.json() == {"error": "webhook secret not configured"}
