"""Procore's published contract through the worker process (embedded Kafka, both emulators):
real-shaped requisitions book, a USD record books with WKZ/Kurs or parks with the reason, a v4.0
line-item webhook rebooks its parent, and a 403 project is named on the status page and in doctor.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import orjson
import pytest
from rich.console import Console

from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import WEBHOOK_SECRET, DemoEnvironment, demo_environment
from streams.demo.run import Demo
from streams.operator.actions import find_document, parked
from streams.setup.checks import procore_access
from streams.setup.checks.base import DoctorContext
from streams.worker_process import WorkerProcess
from tests.support.waiting import until

pytestmark = pytest.mark.slow


@pytest.fixture
async def worker(tmp_path: Path) -> AsyncIterator[tuple[DemoEnvironment, Demo, Settings]]:
    async with demo_environment(tmp_path / "demo", "small", cadence="immediate") as env:
        settings = Settings(data_dir=env.workdir)
        projects = orjson.dumps(env.procore.project_ids()).decode()
        extra = {"MLC_PROCORE__PROJECT_IDS": projects}  # configured: a 403 is not hidden
        process = WorkerProcess({**env.worker_env(), **extra}, env.workdir / "worker.log")
        process.start()
        try:
            await asyncio.to_thread(process.wait_web, "127.0.0.1", env.web_port)
            yield env, Demo(env, Console(quiet=True), timeout_s=90, settings=settings), settings
        finally:
            await asyncio.to_thread(process.stop)


def usd_line(line_id: int, amount: str) -> dict[str, object]:
    return {
        "id": line_id,
        "description": "Gerüstmiete (USD)",
        "amount": amount,
        "total_amount": amount,
        "tax_code_id": None,
        "cost_code": {"id": 1, "full_code": "03-305", "name": "Gerüst"},
        "line_item_type": {"id": 4, "name": "Subcontractor", "code": "S"},
    }


async def test_published_shapes_currencies_line_items_and_permissions(worker) -> None:
    env, demo, settings = worker
    emu, client = env.procore, env.mapping.client_id
    # 1. Real-shaped requisitions (WBS objects, approved_as_noted) are booked to the cent.
    assert await demo.converge("backfill"), (env.workdir / "worker.log").read_text()[-3000:]
    req = next(r.data for r in emu.state.rows["requisition"].values())
    assert isinstance(req["items"][0]["wbs_code"], dict)
    # 2. A USD direct cost with a rate books with WKZ, Kurs and Basis-Umsatz.
    project = emu.project_ids()[0]
    usd = {"currency_iso_code": "USD", "currency_exchange_rate": "0.8",
           "base_currency_iso_code": "EUR"}  # fmt: skip
    booked = emu.create(
        "direct_cost", project, status="approved", grand_total="1000.00",
        line_items=[usd_line(7_800_001, "1000.00")], currency_configuration=usd,
    )  # fmt: skip
    await emu.webhooks.flush()

    def usd_bookings() -> list[dict[str, str]]:
        booked = env.datev.state.bookings(client)
        return [b for b in booked if b.get("wkz", "").strip('"') == "USD"]

    ledger = build_ledger(settings)
    await until(lambda: bool(usd_bookings()), timeout_s=60, what="the USD booking in DATEV")
    first = usd_bookings()[0]
    assert first["kurs"] == "1.250000" and Decimal(first["basis_umsatz"]) == (
        Decimal(first["amount"]) * Decimal("0.8")
    ).quantize(Decimal("0.01"))
    # 3. A v4.0 line-item webhook (no parent named) rebooks its parent.
    data = emu.state.rows["direct_cost"][booked["id"]].data
    data["line_items"][0]["amount"] = data["line_items"][0]["total_amount"] = "1200.00"
    data["grand_total"] = "1200.00"  # changed quietly: only the webhook below tells
    event = {
        "id": "01JMYXMZRBVKK0PC6XS8SA4QRZ", "timestamp": "2026-11-10T14:02:11Z",
        "reason": "update", "company_id": str(emu.company_id), "project_id": str(project),
        "user_id": "4410", "resource_type": "Direct Cost Line Items", "resource_id": "7800001",
    }  # fmt: skip
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"http://127.0.0.1:{env.web_port}/webhooks/procore",
            content=orjson.dumps(event),
            headers={"Authorization": f"Bearer {WEBHOOK_SECRET}"},
        )
    assert answer.status_code == 200 and answer.json()["accepted"] == 1
    # The booked record is reversed (Generalumkehr) and booked again with the new amount.
    await until(
        lambda: (
            len(usd_bookings()) >= 3 and any(b["amount"] != first["amount"] for b in usd_bookings())
        ),
        timeout_s=60,
        what="the parent rebooked after its v4.0 line-item event",
    )
    assert any(b["generalumkehr"] == "1" for b in usd_bookings())
    # 4. USD without any rate is parked with the reason, never booked as EUR.
    unrated = emu.create(
        "direct_cost", project, status="approved", grand_total="500.00",
        line_items=[usd_line(7_800_002, "500.00")],
        currency_configuration={"currency_iso_code": "USD"},
    )  # fmt: skip
    await emu.webhooks.flush()
    key = f"{emu.company_id}:{project}:direct_cost:{unrated['id']}"

    def reason() -> str:
        return next((d.reason or "" for d in parked(ledger) if d.key == key), "")

    await until(lambda: bool(reason()), timeout_s=60, what="the unrated USD record parked")
    assert reason().startswith(f"currency USD on {key}: no exchange rate")
    # 5. A 403 project: named on the status page and by doctor, not polled every cycle.
    denied = emu.project_ids()[1]
    emu.set_faults(forbidden_projects=[denied])
    access = env.workdir / "procore-access.json"
    await until(access.exists, timeout_s=30, what="the poller recording the 403")
    async with httpx.AsyncClient() as http:
        page = (await http.get(f"http://127.0.0.1:{env.web_port}/status/")).text
    assert f"Projekt {denied}" in page or f"project {denied}" in page
    assert "Procore-Konfigurationsproblem" in page or "Procore configuration problem" in page
    ctx = DoctorContext(settings=settings, build_procore=lambda *_: None, build_ledger=build_ledger)
    checks = await procore_access.run(ctx)
    assert any(c.failed and f"project {denied}" in c.detail for c in checks)
    denials = emu.counters.by_status[403]
    await asyncio.sleep(10)  # two more poll cycles (4 s each)
    assert emu.counters.by_status[403] == denials  # backed off, not re-polled


@pytest.fixture
async def paging_worker(tmp_path: Path) -> AsyncIterator[tuple[DemoEnvironment, Demo]]:
    async with demo_environment(tmp_path / "demo", "small", cadence="immediate") as env:
        settings = Settings(data_dir=env.workdir)
        extra = {"MLC_PROCORE__PER_PAGE": "3", "MLC_PROCORE__DELETION_CHECK_S": "6"}
        process = WorkerProcess({**env.worker_env(), **extra}, env.workdir / "worker.log")
        process.start()
        try:
            await asyncio.to_thread(process.wait_web, "127.0.0.1", env.web_port)
            yield env, Demo(env, Console(quiet=True), timeout_s=90, settings=settings)
        finally:
            await asyncio.to_thread(process.stop)


async def test_an_edit_and_a_delete_while_paging_are_booked_within_a_poll_cycle(
    paging_worker,
) -> None:
    env, demo = paging_worker
    emu = env.procore
    assert await demo.converge("backfill"), (env.workdir / "worker.log").read_text()[-3000:]
    emu.set_faults(webhook_drop_rate=1.0)  # webhooks down: only the poller can find these
    project = emu.project_ids()[0]
    rows = emu.state.rows["direct_cost"]
    mine = sorted(r for r, row in rows.items() if row.project_id == project)
    drafts = [r for r in mine if rows[r].data["status"] != "approved"]
    booked = [r for r in mine if rows[r].data["status"] == "approved"]
    assert len(drafts) >= 3 and booked
    for rid in drafts:  # approved after the mark: the next window lists them all
        emu.update("direct_cost", rid, status="approved")
    # While page 1 of that window is served, one of them is edited and one deleted (the list
    # shifts under the reader); a booked record is deleted too, with no webhook to say so.
    emu.set_faults(edit_during_list=drafts[0], delete_during_list=drafts[1])
    emu.delete("direct_cost", booked[-1])
    assert await demo.converge("edit and delete while paging"), (
        env.workdir / "worker.log"
    ).read_text()[-3000:]
    ledger = build_ledger(Settings(data_dir=env.workdir))
    gone = f"{emu.company_id}:{project}:direct_cost:{booked[-1]}"
    assert find_document(ledger, gone).deleted  # found by the deletion check, no webhook
