"""Belegfeld 1 and per-line tax through the worker: Procore emulator → embedded Kafka → ledger →
EXTF → DATEV emulator. Two invoices of one subcontractor numbered ``A-1`` and ``A_1`` reach DATEV
under two Belegfeld values; every line books with its commitment line's tax code."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_pipeline import Running, running  # noqa: F401  (the worker fixture)

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
