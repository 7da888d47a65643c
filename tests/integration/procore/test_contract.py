"""Contract: the emulator's JSON has the field names and JSON types of Procore's examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from adapters.procore.webhooks import parse_delivery
from emulators.procore.mutations import ChangeEvent
from tests.integration.procore.conftest import first_project

EXAMPLES = orjson.loads(
    (Path(__file__).parent / "fixtures" / "reference_examples.json").read_bytes()
)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return type(value).__name__


def mismatches(example: Any, actual: Any, where: str = "$") -> list[str]:
    """Every field of ``example`` must exist in ``actual`` with the same JSON type."""
    problems: list[str] = []
    if example is None or actual is None:
        return problems  # nullable in Procore; presence is checked by the caller
    if _kind(example) != _kind(actual):
        return [f"{where}: expected {_kind(example)}, got {_kind(actual)}"]
    if isinstance(example, dict):
        for key, value in example.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += mismatches(value, actual[key], f"{where}.{key}")
    elif isinstance(example, list) and example and actual:
        problems += mismatches(example[0], actual[0], f"{where}[0]")
    return problems


def test_the_comparison_catches_wrong_types_and_missing_fields() -> None:
    assert mismatches({"a": "1.00", "b": 1}, {"a": 1.0}) == [
        "$.a: expected str, got float",
        "$.b: missing",
    ]


async def _get(client: Any, emu: Any, path: str, **params: Any) -> Any:
    return await client.get_json(path, company_id=emu.company_id, params=params or None)


@pytest.mark.parametrize(
    ("name", "resource", "kind"),
    [
        ("requisition", "requisition", None),
        ("direct_cost", "direct_cost", None),
        ("purchase_order_contract", "commitment", "purchase_order_contract"),
        ("vendor", "vendor", None),
    ],
)
async def test_resource_json_matches_the_reference_example(emu, client, name, resource, kind):
    project_id = first_project(emu)
    row = next(
        r
        for r in emu.state.rows[resource].values()
        if (resource == "vendor" or r.project_id == project_id) and kind in (None, r.kind)
    )
    record_id = row.data["id"]
    paths = {
        "requisition": (
            f"/rest/v1.1/requisitions/{record_id}",
            {"project_id": project_id, "view": "extended"},
        ),
        "direct_cost": (f"/rest/v1.1/projects/{project_id}/direct_costs/{record_id}", {}),
        "purchase_order_contract": (
            f"/rest/v1.0/purchase_order_contracts/{record_id}",
            {"project_id": project_id},
        ),
        "vendor": (f"/rest/v1.0/vendors/{record_id}", {"company_id": emu.company_id}),
    }  # fmt: skip
    path, params = paths[name]
    served = await _get(client, emu, path, **params)
    assert mismatches(EXAMPLES[name], served) == []


async def test_webhook_v3_payload_matches_the_reference_example(emu) -> None:
    event = ChangeEvent(
        "Direct Cost Line Items", "update", emu.company_id, first_project(emu), 1201,
        emu.clock.now(), related=((990011, "Direct Costs"),),
    )  # fmt: skip
    payload = orjson.loads(orjson.dumps(emu.webhooks.payload(event, "v3.0", 731000112, "X" * 26)))
    assert mismatches(EXAMPLES["webhook_v3"], payload) == []
    change = parse_delivery(orjson.dumps(payload)).changes[0]
    assert (change.ref.resource, change.ref.resource_id) == ("direct_cost", 990011)


def test_reference_examples_parse_with_the_connector_models() -> None:
    from domain.procore.records import Commitment, DirectCost, Requisition, Vendor

    Requisition.model_validate(EXAMPLES["requisition"])
    DirectCost.model_validate(EXAMPLES["direct_cost"])
    Commitment.model_validate(EXAMPLES["purchase_order_contract"])
    Vendor.model_validate(EXAMPLES["vendor"])
    assert parse_delivery(orjson.dumps(EXAMPLES["webhook_v3"])).changes
