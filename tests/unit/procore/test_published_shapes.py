"""Our models read every published Procore shape (trimmed fixtures in tests/fixtures/procore)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from openapi_schema_validator import OAS30Validator
from pydantic import ValidationError

from adapters.procore.webhooks import parse_delivery
from domain.procore.fields import json_path
from domain.procore.records import (
    Commitment,
    CostCode,
    DirectCost,
    LineItemType,
    Requisition,
    TaxCode,
    Vendor,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "procore"


def example(name: str) -> Any:
    return orjson.loads((FIXTURES / "examples" / f"{name}.json").read_bytes())


def schema(name: str) -> Any:
    return orjson.loads((FIXTURES / "schemas" / f"{name}.json").read_bytes())


PAIRS = [
    ("requisition_show_v1.1", "requisition_show_v1.1"),
    ("requisition_list_v1.1", "requisition_list_v1.1"),
    ("direct_cost_show_v1.1", "direct_cost_show_v1.1"),
    ("direct_cost_list_v1.1", "direct_cost_list_v1.1"),
    ("direct_cost_line_items_project", "direct_cost_line_items_project"),
    ("purchase_order_contract_show", "purchase_order_contract_show"),
    ("work_order_contract_show", "work_order_contract_show"),
    ("work_order_contract_list", "contract_list"),
    ("commitment_show", "commitment_show"),
    ("vendor_show", "vendor_show"),
    ("vendor_list", "vendor_list"),
    ("cost_codes", "cost_codes"),
    ("line_item_types", "line_item_types"),
    ("tax_codes", "tax_codes"),
    ("webhook_v3.0_line_item", "webhook_v3.0"),
    ("webhook_v4.0", "webhook_v4.0"),
    ("webhook_v4.0_line_item", "webhook_v4.0"),
]


@pytest.mark.parametrize(("name", "schema_name"), PAIRS)
def test_examples_match_their_schemas(name: str, schema_name: str) -> None:
    OAS30Validator(schema(schema_name)).validate(example(name))


def test_the_schemas_reject_our_old_assumptions() -> None:
    wrong = example("requisition_show_v1.1")
    wrong["items"][0]["wbs_code"] = 44  # neither object nor null
    assert not OAS30Validator(schema("requisition_show_v1.1")).is_valid(wrong)
    wrong = example("purchase_order_contract_show")
    wrong["line_items"][0]["amount"] = 42000.0  # money is a string in v1.x
    assert not OAS30Validator(schema("purchase_order_contract_show")).is_valid(wrong)
    # Lists do not carry what only the show has (line items, attachments, a line's tax code).
    listed = example("direct_cost_list_v1.1")
    listed[0]["attachments"] = []
    assert not OAS30Validator(schema("direct_cost_list_v1.1")).is_valid(listed)
    lines = example("direct_cost_line_items_project")
    lines[0]["tax_code_id"] = 11
    assert not OAS30Validator(schema("direct_cost_line_items_project")).is_valid(lines)


def test_requisition_v11_show_with_wbs_object_and_currency() -> None:
    req = Requisition.model_validate(example("requisition_show_v1.1"))
    item = req.items[0]
    assert item.wbs_code is not None and item.wbs_code.flat_code == "2.E"
    assert item.wbs_code.segment_items[0].code == "2"
    assert item.materials_presently_stored == Decimal("2691.36")
    assert req.currency_configuration is not None
    assert req.currency_configuration.currency_iso_code == "USD"
    assert req.currency_configuration.currency_exchange_rate == Decimal("1.8")
    assert req.commitment_type == "WorkOrderContract" and req.status == "approved_as_noted"
    assert req.summary is not None and req.summary.current_payment_due == Decimal("10812.6")


def test_requisition_list_tolerates_nulls_and_missing_items() -> None:
    listed = [Requisition.model_validate(r) for r in example("requisition_list_v1.1")]
    assert listed[0].items == [] and listed[1].attachments == [] and listed[1].summary is None


def test_wbs_code_as_a_string_is_still_read() -> None:
    raw = example("requisition_show_v1.1")
    raw["items"][0]["wbs_code"] = "2.E"
    item = Requisition.model_validate(raw).items[0]
    assert item.wbs_code is not None and item.wbs_code.flat_code == "2.E"
    raw["items"][0]["wbs_code"] = None
    assert Requisition.model_validate(raw).items[0].wbs_code is None


def test_direct_cost_show_and_list() -> None:
    dc = DirectCost.model_validate(example("direct_cost_show_v1.1"))
    assert dc.vendor is not None and dc.vendor.id == 8
    line = dc.line_items[0]
    assert line.quantity == Decimal("10.0") and line.cost_code is None
    assert line.wbs_code is not None and line.wbs_code.flat_code == "01-011.CT1"
    assert dc.currency_configuration is not None
    assert dc.currency_configuration.currency_exchange_rate == Decimal("1.2")  # a string there
    listed = DirectCost.model_validate(example("direct_cost_list_v1.1")[0])
    assert listed.vendor is None and listed.vendor_id == 8  # list sends the vendor's name


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("purchase_order_contract_show", None),
        ("work_order_contract_show", None),
        ("commitment_show", "work_order_contract"),
    ],
)
def test_commitment_shapes(name: str, kind: str | None) -> None:
    com = Commitment.model_validate(example(name))
    assert com.line_items and com.line_items[0].amount == Decimal("42000.00")
    if kind is not None:  # /commitments/{id} names the kind in ``type``
        assert com.kind == kind
    po = Commitment.model_validate(example("purchase_order_contract_show"))
    assert po.line_items[0].unit_cost == Decimal("1400.0")  # a string in the spec


def test_company_lists() -> None:
    assert Vendor.model_validate(example("vendor_list")[0]).name == "Ernie's Electrical"
    assert CostCode.model_validate(example("cost_codes")[0]).full_code == "08-500"
    assert LineItemType.model_validate(example("line_item_types")[0]).code == "LB"
    assert TaxCode.model_validate(example("tax_codes")[0]).rate1 == Decimal("19.0")


def test_an_unreadable_field_is_named_by_its_json_path() -> None:
    raw = example("requisition_show_v1.1")
    raw["items"][0]["work_completed_this_period"] = "about 100"
    with pytest.raises(ValidationError) as caught:
        Requisition.model_validate(raw)
    assert json_path(caught.value.errors()[0]["loc"]) == "$.items[0].work_completed_this_period"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("webhook_v2.0", "1357908642:2468013579:direct_cost:1234"),
        ("webhook_v3.0_line_item", "1357908642:2468013579:direct_cost:1234"),
        ("webhook_v4.0", "8:6778:direct_cost:1234"),
    ],
)
def test_webhook_payload_versions(name: str, key: str) -> None:
    parsed = parse_delivery(orjson.dumps(example(name)))
    assert [c.key for c in parsed.changes] == [key]


@pytest.mark.parametrize(
    ("name", "resource", "rid"),
    [
        ("webhook_v2.0_line_item", "direct_cost_line_item", 379913),
        ("webhook_v4.0_line_item", "direct_cost_line_item", 379913),
        ("webhook_v4.0_commitment_line_item", "commitment_line_item", 3129856),
    ],
)
def test_line_item_events_without_a_parent_become_line_item_changes(
    name: str, resource: str, rid: int
) -> None:
    (change,) = parse_delivery(orjson.dumps(example(name))).changes
    assert change.ref.resource == resource and change.ref.resource_id == rid
    assert change.action == "update"
