"""Conformance: every emulator response the connector reads matches Procore's published schema.

The schemas are trimmed from Procore's OpenAPI spec (tests/fixtures/procore/SOURCES.md), so
the emulator cannot drift back to our own assumptions (e.g. a string ``wbs_code``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from openapi_schema_validator import OAS30Validator

from emulators.procore import ProcoreEmulator
from emulators.procore.mutations import ChangeEvent
from tests.integration.procore.conftest import first_project

SCHEMAS = Path(__file__).parents[2] / "fixtures" / "procore" / "schemas"


def conforms(schema_name: str, served: Any) -> None:
    schema = orjson.loads((SCHEMAS / f"{schema_name}.json").read_bytes())
    errors = sorted(OAS30Validator(schema).iter_errors(served), key=lambda e: list(e.path))
    problems = [f"$.{'.'.join(map(str, e.path))}: {e.message}" for e in errors[:5]]
    assert not problems, f"{schema_name}: " + "; ".join(problems)


def _first(emu: ProcoreEmulator, resource: str, kind: str | None = None) -> int:
    project_id = first_project(emu)
    return int(
        next(
            r.data["id"]
            for r in emu.state.rows[resource].values()
            if r.project_id == project_id and kind in (None, r.kind)
        )
    )


def endpoints(emu: ProcoreEmulator) -> list[tuple[str, str, dict[str, Any]]]:
    """(schema, path, params) for every list and show endpoint the connector calls."""
    p, c = first_project(emu), emu.company_id
    req, dc = _first(emu, "requisition"), _first(emu, "direct_cost")
    po = _first(emu, "commitment", "purchase_order_contract")
    wo = _first(emu, "commitment", "work_order_contract")
    vendor = int(next(iter(emu.state.vendors_of(c))).data["id"])
    return [
        ("companies", "/rest/v1.0/companies", {}),
        ("projects_v1.1", "/rest/v1.1/projects", {"company_id": c, "filters[by_status]": "All"}),
        ("requisition_list_v1.1", "/rest/v1.1/requisitions", {"project_id": p}),
        ("requisition_show_v1.1", f"/rest/v1.1/requisitions/{req}",
         {"project_id": p, "view": "extended"}),
        ("direct_cost_list_v1.1", f"/rest/v1.1/projects/{p}/direct_costs", {}),
        ("direct_cost_show_v1.1", f"/rest/v1.1/projects/{p}/direct_costs/{dc}", {}),
        ("direct_cost_line_items_project", f"/rest/v1.0/projects/{p}/direct_costs/line_items",
         {}),
        ("contract_list", "/rest/v1.0/purchase_order_contracts", {"project_id": p}),
        ("contract_list", "/rest/v1.0/work_order_contracts", {"project_id": p}),
        ("purchase_order_contract_show", f"/rest/v1.0/purchase_order_contracts/{po}",
         {"project_id": p}),
        ("work_order_contract_show", f"/rest/v1.0/work_order_contracts/{wo}", {"project_id": p}),
        ("commitment_show", f"/rest/v1.0/commitments/{po}", {"project_id": p}),
        ("commitment_show", f"/rest/v1.0/commitments/{wo}", {"project_id": p}),
        ("vendor_list", "/rest/v1.0/vendors", {"company_id": c}),
        ("vendor_show", f"/rest/v1.0/vendors/{vendor}", {"company_id": c}),
        ("cost_codes", "/rest/v1.0/cost_codes", {"project_id": p}),
        ("line_item_types", "/rest/v1.0/line_item_types", {"company_id": c}),
        ("tax_codes", "/rest/v1.0/tax_codes", {"company_id": c}),
    ]  # fmt: skip


async def test_every_endpoint_the_connector_reads_conforms(emu, client) -> None:
    checked = 0
    for schema_name, path, params in endpoints(emu):
        served = await client.get_json(path, company_id=emu.company_id, params=params)
        assert served, f"{path} served nothing to check"
        conforms(schema_name, served)
        checked += 1
    assert checked == 18


async def test_commitments_show_names_the_kind(emu, client) -> None:
    p = first_project(emu)
    for kind, type_name in [
        ("purchase_order_contract", "PurchaseOrderContract"),
        ("work_order_contract", "WorkOrderContract"),
    ]:
        cid = _first(emu, "commitment", kind)
        served = await client.get_json(
            f"/rest/v1.0/commitments/{cid}", company_id=emu.company_id, params={"project_id": p}
        )
        assert served["type"] == type_name and served["line_items"]


async def test_requisition_items_carry_wbs_objects_and_currency(emu, client) -> None:
    p = first_project(emu)
    served = await client.get_json(
        f"/rest/v1.1/requisitions/{_first(emu, 'requisition')}",
        company_id=emu.company_id,
        params={"project_id": p, "view": "extended"},
    )
    assert isinstance(served["items"][0]["wbs_code"], dict)
    assert served["currency_configuration"]["currency_iso_code"] == "EUR"
    assert served["commitment_type"] == "WorkOrderContract"


@pytest.mark.parametrize(
    ("version", "schema_name"), [("v3.0", "webhook_v3.0"), ("v4.0", "webhook_v4.0")]
)
async def test_webhook_payloads_conform(emu, version: str, schema_name: str) -> None:
    event = ChangeEvent(
        "Direct Cost Line Items", "update", emu.company_id, first_project(emu), 1201,
        emu.clock.now(), related=((990011, "Direct Costs"),),
    )  # fmt: skip
    payload = orjson.loads(orjson.dumps(emu.webhooks.payload(event, version, 731000112, "0" * 26)))
    conforms(schema_name, payload)
    if version == "v4.0":  # v4.0 carries no parent: the connector must find it itself
        assert "related_resources" not in payload and isinstance(payload["resource_id"], str)
