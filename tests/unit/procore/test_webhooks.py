"""Webhook payload parsing: v2.0/v3.0/v4.0, batches, line items, ignored and garbage events."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from adapters.procore.webhooks import WebhookPayloadError, parse_delivery

WHEN = datetime(2026, 11, 10, 14, 2, 11, tzinfo=UTC)


def v2(**overrides):
    event = {
        "id": 731000112, "ulid": "01JC8Z7Q4W9K2M5N8P1R3T6V9X",
        "timestamp": "2026-11-10T14:02:11.482913Z", "user_id": 4410, "company_id": 4281379,
        "project_id": 20251, "api_version": "v2.0", "event_type": "update",
        "resource_name": "Direct Costs", "resource_id": 990011,
    }  # fmt: skip
    return {**event, **overrides}


def v4(**overrides):
    event = {
        "id": "01JC8Z7Q4W9K2M5N8P1R3T6V9Y", "timestamp": "2026-11-10T14:02:11Z",
        "reason": "create", "resource_type": "Work Order Contracts", "resource_id": "88120",
        "company_id": "4281379", "project_id": "20251", "user_id": "4410", "api_version": "v4.0",
    }  # fmt: skip
    return {**event, **overrides}


def test_v2_event_becomes_a_change_keyed_by_ulid() -> None:
    parsed = parse_delivery(orjson.dumps(v2()), observed_at=WHEN)
    (change,) = parsed.changes
    assert change.key == "4281379:20251:direct_cost:990011"
    assert change.action == "update" and change.source == "webhook"
    assert change.event_id == "01JC8Z7Q4W9K2M5N8P1R3T6V9X"
    assert change.observed_at == WHEN and change.record is None


def test_v2_without_ulid_falls_back_to_the_integer_id() -> None:
    event = v2()
    del event["ulid"]
    assert parse_delivery(event).changes[0].event_id == "731000112"


def test_v4_string_ids_and_reason_are_normalized() -> None:
    (change,) = parse_delivery(v4()).changes
    assert change.ref.resource == "commitment" and change.ref.resource_id == 88120
    assert change.ref.company_id == 4281379 and change.ref.project_id == 20251
    assert change.action == "create" and change.event_id == v4()["id"]


def test_unknown_v4_reason_means_refetch() -> None:
    assert parse_delivery(v4(reason="restore")).changes[0].action == "update"


def test_v3_line_item_event_maps_to_its_parent() -> None:
    event = v2(
        api_version="v3.0",
        event_type="delete",
        resource_name="Direct Cost Line Items",
        resource_id=1201,
        related_resources=[{"id": 990011, "name": "Direct Costs"}],
    )
    (change,) = parse_delivery(event).changes
    assert (change.ref.resource, change.ref.resource_id, change.action) == (
        "direct_cost",
        990011,
        "update",
    )


def test_line_item_without_parent_is_resolved_later_not_guessed() -> None:
    # v2.0 names no parent: the line item id must not be taken for a commitment id; the change
    # stays a line-item change for the fetch stage to resolve (it used to be dropped).
    parsed = parse_delivery(v2(resource_name="Purchase Order Contract Line Items"))
    (change,) = parsed.changes
    assert change.ref.resource == "commitment_line_item" and change.action == "update"
    assert change.commitment_kind == "purchase_order_contract" and parsed.ignored == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Requisitions", "requisition"),
        ("Subcontractor Invoices", "requisition"),
        ("Purchase Order Contracts", "commitment"),
        ("Work Order Contracts", "commitment"),
    ],
)
def test_resource_names_map_to_kinds(name, kind) -> None:
    assert parse_delivery(v2(resource_name=name)).changes[0].ref.resource == kind


def test_company_vendor_events_have_no_project() -> None:
    event = v2(resource_name="Company Vendors", project_id=None, resource_id=556677)
    (change,) = parse_delivery(event).changes
    assert change.key == "4281379:-:vendor:556677"


def test_batches_as_list_and_events_object_with_ignored_resources() -> None:
    batch = [v2(), v4(), v2(resource_name="Projects", ulid="01JC8Z7Q4W9K2M5N8P1R3T6V9Z")]
    for body in (batch, {"events": batch}):
        parsed = parse_delivery(orjson.dumps(body))
        assert [c.ref.resource for c in parsed.changes] == ["direct_cost", "commitment"]
        assert [(i.resource_name, i.reason) for i in parsed.ignored] == [("Projects", "not booked")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (orjson.dumps(v2(resource_id="abc")), "resource_id"),
        (orjson.dumps({"events": "nope"}), "events"),
        (orjson.dumps([v2(), v2(company_id=None)]), "events[1].company_id"),
        (orjson.dumps(v2(project_id=None)), "project_id"),
        (orjson.dumps(["text"]), "events[0].event"),
        (orjson.dumps({k: v for k, v in v2().items() if k != "timestamp"}), "timestamp"),
    ],
)
def test_garbage_names_the_field(body, field) -> None:
    with pytest.raises(WebhookPayloadError) as caught:
        parse_delivery(body)
    assert caught.value.field == field
    assert field in str(caught.value)
