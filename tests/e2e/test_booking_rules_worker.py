"""Belegfeld 1, per-line tax and retention through the worker: Procore emulator → embedded Kafka
→ ledger → EXTF → DATEV emulator. Two invoices of one subcontractor numbered ``A-1`` and ``A_1``
reach DATEV under two Belegfeld values; every line books with its commitment line's tax code; a
release of a retention clears what the retention booked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.config_files import load_and_check
from streams.config.settings import Settings
from streams.demo.environment import demo_environment
from tests.e2e.test_pipeline import Running, running  # noqa: F401  (the worker fixture)
from tests.support.waiting import until

pytestmark = pytest.mark.slow
BU_OF_CODE = {"VSt19": "9", "VSt7": "8", "13b": "94", "VSt0": ""}


@pytest.mark.parametrize("running", ["sqlite"], indirect=True)
async def test_belegfeld_collision_and_tax_per_line_reach_datev(running: Running) -> None:
    demo, env = running.demo, running.env
    assert await demo.converge("backfill")
    pid = env.procore.project_ids()[0]
    first = env.procore.create("requisition", pid, status="approved", invoice_number="A-1")
    same: dict[str, Any] = {
        k: first[k] for k in ("commitment_id", "vendor_id", "vendor_name", "items", "billing_date")
    }
    second = env.procore.create("requisition", pid, status="approved", invoice_number="A_1", **same)
    await env.procore.webhooks.flush()
    assert await demo.converge("two invoices A-1 and A_1 of one subcontractor")
    rows = env.datev.state.bookings(env.mapping.client_id)
    mine = [r for r in rows if r["belegfeld1"] == "A-1" or r["belegfeld1"].startswith("A-1-")]
    values = {r["belegfeld1"] for r in mine}
    assert len(values) == 2 and "A-1" in values, values
    # tax per line: the BU keys are exactly those of the commitment lines' tax codes
    commitment = env.procore.state.rows["commitment"][first["commitment_id"]].data
    codes = {t["id"]: t["code"] for t in env.procore.state.tax_codes[env.procore.company_id]}
    billed = {
        it["line_item_id"] for it in first["items"] if float(it["work_completed_this_period"])
    }
    expected = {
        BU_OF_CODE[codes[li["tax_code_id"]]]
        for li in commitment["line_items"]
        if li["id"] in billed
    }
    for value in values:
        booked = {r["bu"] for r in mine if r["belegfeld1"] == value and r["gegenkonto"] != "1628"}
        assert booked == expected, (value, booked, expected)
    assert second["id"] != first["id"]


RETENTION = """
[booking]
retention_lines = true
retention_account = 1628

[[extra_accounts]]
number = 1628
name = "Verbindlichkeiten aus Sicherheitseinbehalten"
kind = "liability"
"""


@pytest.fixture
async def retention_running(tmp_path: Path) -> AsyncIterator[Running]:
    """The demo with retention lines on: the mapping gains a retention account, and so does the
    DATEV client's chart (as the advisor would add it in DATEV)."""
    async with demo_environment(tmp_path / "demo", "small", cadence="immediate") as env:
        text = env.mapping_path.read_text(encoding="utf-8") + RETENTION
        env.mapping_path.write_text(text, encoding="utf-8")
        mapping, chart, problems = load_and_check(env.mapping_path)
        assert not problems and mapping is not None and chart is not None, problems
        env.mapping, env.chart = mapping, chart
        client = env.datev.state.clients[mapping.client_id]
        accounts = client.chart.accounts | {"1628"}
        env.datev.state.clients[mapping.client_id] = replace(
            client, chart=replace(client.chart, accounts=accounts)
        )
        run = Running(env, Settings(data_dir=env.workdir), {})
        await run.start()
        try:
            yield run
        finally:
            await run.stop()


def _retention_balance(rows: list[dict[str, str]], belegfelder: set[str]) -> Decimal:
    return sum(
        (
            Decimal(r["amount"]) * (1 if r["sh"] == "H" else -1)
            for r in rows
            if r["gegenkonto"] == "1628" and r["belegfeld1"] in belegfelder
        ),
        Decimal(0),
    )


async def test_retention_release_clears_the_retention_through_the_worker(
    retention_running: Running,
) -> None:
    demo, env = retention_running.demo, retention_running.env
    assert await demo.converge("backfill with retention lines")
    rows = env.datev.state.bookings(env.mapping.client_id)
    held = [r for r in rows if r["gegenkonto"] == "1628" and r["sh"] == "S"]
    assert held, "the demo's requisitions retain"
    held_beleg = {r["belegfeld1"] for r in held}
    req = next(
        r.data
        for r in env.procore.state.rows["requisition"].values()
        if r.data.get("status") == "approved" and r.data.get("invoice_number") in held_beleg
    )
    beleg = str(req["invoice_number"])
    release_items = [
        {
            "id": 9_900_000 + i,
            "line_item_id": it["line_item_id"],
            "cost_code_id": it["cost_code_id"],
            "work_completed_this_period": "0.00",
            "work_completed_retainage_released_this_period": it[
                "work_completed_retainage_retained_this_period"
            ],
        }
        for i, it in enumerate(req["items"])
    ]
    env.procore.create(
        "requisition",
        req_project(env, req),
        status="approved",
        invoice_number="REL-0001",
        commitment_id=req["commitment_id"],
        vendor_id=req["vendor_id"],
        vendor_name=req.get("vendor_name"),
        items=release_items,
        billing_date=req.get("billing_date"),
    )
    await env.procore.webhooks.flush()

    def released() -> bool:
        rows = env.datev.state.bookings(env.mapping.client_id)
        return any(r["belegfeld1"] == "REL-0001" for r in rows)

    await until(released, timeout_s=60, what="the release in DATEV")
    assert await demo.converge("release of the retention")
    rows = env.datev.state.bookings(env.mapping.client_id)
    assert (
        _retention_balance(rows, {beleg}) == Decimal("-3807.51")
        or _retention_balance(rows, {beleg}) < 0
    )
    assert _retention_balance(rows, {beleg, "REL-0001"}) == 0


def req_project(env: Any, req: dict[str, Any]) -> int:
    return next(
        r.project_id
        for r in env.procore.state.rows["requisition"].values()
        if r.data["id"] == req["id"]
    )
