"""Inputs end to end: emulator webhooks → worker (faust view + poller + fetch) → Kafka topics."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import orjson
from aiokafka import AIOKafkaConsumer

from adapters.kafka.embedded import EmbeddedBroker, free_port
from domain.changes import ProcoreChange
from emulators.procore import ProcoreEmulator, run_procore_emulator
from streams.topics import CONNECTOR_DLQ, PROCORE_RECORDS

SECRET = "e2e-hook-secret"
ROOT = Path(__file__).resolve().parents[3]


@contextlib.contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.inputs.worker_app", "worker"],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 45
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-3000:]
            with contextlib.suppress(httpx.TransportError):
                await http.get(url)
                return
            await asyncio.sleep(0.2)
    raise TimeoutError(f"worker web server not up; log: {log.read_text()[-3000:]}")


async def collect(
    servers: str, topic: str, done: Callable[[list[tuple[bytes, bytes, dict[str, bytes]]]], bool]
) -> list[tuple[bytes, bytes, dict[str, bytes]]]:
    """Read ``topic`` from the start until ``done(messages)`` or 45 s."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=servers, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    got: list[tuple[bytes, bytes, dict[str, bytes]]] = []
    try:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline and not done(got):
            for recs in (await consumer.getmany(timeout_ms=200)).values():
                got += [(r.key, r.value, dict(r.headers)) for r in recs]
    finally:
        await consumer.stop()
    return got


def snapshots(messages: list[tuple[bytes, bytes, dict[str, bytes]]]) -> list[ProcoreChange]:
    return [ProcoreChange.from_bytes(v) for _, v, _ in messages]


async def test_webhooks_and_poller_reach_procore_records(
    fresh_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    port = free_port()
    hook_url = f"http://127.0.0.1:{port}/webhooks/procore"
    async with run_procore_emulator(
        seed=7, size="small", webhook_url=hook_url, webhook_auth=f"Bearer {SECRET}"
    ) as emu:
        hooked, polled, forbidden = emu.project_ids()[:3]
        env = {
            "MLC_KAFKA_BOOTSTRAP_SERVERS": fresh_broker.bootstrap_servers,
            "MLC_DATA_DIR": str(tmp_path / "var"),
            "MLC_WEB_PORT": str(port),
            "MLC_LOG_LEVEL": "warn",
            "MLC_PROCORE__BASE_URL": emu.base_url,
            "MLC_PROCORE__AUTH_URL": emu.auth_url,
            "MLC_PROCORE__CLIENT_ID": emu.client_id,
            "MLC_PROCORE__WEBHOOK_SECRET": SECRET,
            "MLC_PROCORE__COMPANY_IDS": f"[{emu.company_id}]",
            "MLC_PROCORE__PROJECT_IDS": f"[{polled}]",
            "INPUTS_E2E_PROCORE_SECRET": emu.client_secret,
        }
        log = tmp_path / "worker.log"
        with worker(env, log) as proc:
            await wait_http(hook_url, proc, log)
            await drive_and_check(emu, fresh_broker.bootstrap_servers, hook_url, hooked, polled,
                                  forbidden)  # fmt: skip
            assert proc.poll() is None, log.read_text()[-3000:]
        assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


async def drive_and_check(
    emu: ProcoreEmulator, servers: str, hook_url: str, hooked: int, polled: int, forbidden: int
) -> None:
    async with httpx.AsyncClient() as http:
        denied = await http.post(hook_url, content=b"{}", headers={"Authorization": "Bearer no"})
        assert denied.status_code == 401

    req = min(r for r, row in emu.state.rows["requisition"].items() if row.project_id == hooked)
    emu.set_faults(webhook_duplicate_rate=1.0, forbidden_projects=[forbidden])
    emu.approve_requisition(req)
    blocked = min(
        r for r, row in emu.state.rows["direct_cost"].items() if row.project_id == forbidden
    )
    emu.edit_direct_cost(blocked, Decimal("12.34"))
    await emu.webhooks.flush()
    req_key = f"{emu.company_id}:{hooked}:requisition:{req}"

    def seen_all(messages: list[tuple[bytes, bytes, dict[str, bytes]]]) -> bool:
        snaps = snapshots(messages)
        return any(s.key == req_key for s in snaps) and any(s.source == "sweep" for s in snaps)

    records = snapshots(await collect(servers, PROCORE_RECORDS.name, seen_all))
    (hooked_snap,) = [s for s in records if s.key == req_key]  # duplicate delivery: once
    assert hooked_snap.source == "webhook" and hooked_snap.record is not None
    assert hooked_snap.record["status"] == "approved" and hooked_snap.record["items"]
    assert hooked_snap.context is not None and hooked_snap.context["vendor"]["id"]
    assert hooked_snap.context["commitment"]["line_items"] and hooked_snap.context["cost_codes"]
    polled_snaps = [s for s in records if s.source == "sweep"]
    assert polled_snaps and {s.ref.project_id for s in polled_snaps} <= {polled, None}
    assert all(s.record is not None for s in polled_snaps)

    parked = await collect(servers, CONNECTOR_DLQ.name, lambda m: bool(m))
    (key, value, headers) = parked[0]
    assert key == f"{emu.company_id}:{forbidden}:direct_cost:{blocked}".encode()
    assert b"403" in headers["error"] and orjson.loads(value)["source"] == "webhook"
