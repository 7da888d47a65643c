"""The webhook endpoint's logic: auth, limits, validation, publishing, duplicate skipping."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import pytest
from pydantic import SecretStr

from domain.changes import ProcoreChange
from streams.inputs.webhook import WebhookReceiver
from tests.support.fakes import CollectingPublisher

SECRET = SecretStr("s3cret-token")
AUTH = "Bearer s3cret-token"


def v2(**overrides: object) -> dict[str, object]:
    event = {
        "id": 731000112, "ulid": "01JC8Z7Q4W9K2M5N8P1R3T6V9X",
        "timestamp": "2026-11-10T14:02:11.482913Z", "user_id": 4410, "company_id": 4281379,
        "project_id": 20251, "api_version": "v2.0", "event_type": "update",
        "resource_name": "Direct Costs", "resource_id": 990011,
    }  # fmt: skip
    return {**event, **overrides}


def v3(**overrides: object) -> dict[str, object]:
    event = v2(
        api_version="v3.0", resource_name="Requisitions", resource_id=4401201,
        ulid="01JC8Z7Q4W9K2M5N8P1R3T6V9Z", related_resources=[],
    )  # fmt: skip
    return {**event, **overrides}


def v4(**overrides: object) -> dict[str, object]:
    event = {
        "id": "01JC8Z7Q4W9K2M5N8P1R3T6V9Y", "timestamp": "2026-11-10T14:02:11Z",
        "reason": "create", "resource_type": "Work Order Contracts", "resource_id": "88120",
        "company_id": "4281379", "project_id": "20251", "user_id": "4410", "api_version": "v4.0",
    }  # fmt: skip
    return {**event, **overrides}


@pytest.fixture
def sent() -> CollectingPublisher:
    return CollectingPublisher()


@pytest.fixture
def receiver(sent: CollectingPublisher) -> WebhookReceiver:
    return WebhookReceiver(sent, SECRET, max_body_bytes=10_000)


async def test_missing_or_wrong_authorization_is_401_without_detail(
    receiver: WebhookReceiver, sent: CollectingPublisher
) -> None:
    body = orjson.dumps(v2())
    for header in (None, "", "Bearer wrong", "s3cret-token ", "bearer s3cret-token"):
        answer = await receiver.receive(header, body)
        assert answer.status == 401 and answer.body == {"error": "unauthorized"}
    assert sent.sent == []


async def test_bare_secret_and_bearer_form_are_both_accepted(receiver: WebhookReceiver) -> None:
    assert (await receiver.receive("s3cret-token", orjson.dumps(v2()))).status == 200
    assert (await receiver.receive(AUTH, orjson.dumps(v4()))).status == 200


async def test_no_secret_configured_answers_503(sent: CollectingPublisher) -> None:
    for secret in (None, SecretStr("")):
        answer = await WebhookReceiver(sent, secret).receive(AUTH, orjson.dumps(v2()))
        assert answer.status == 503 and "not configured" in answer.body["error"]
    assert sent.sent == []
    assert "s3cret" not in repr(WebhookReceiver(sent, SECRET))


async def test_body_over_the_limit_is_413(receiver: WebhookReceiver) -> None:
    answer = await receiver.receive(AUTH, b"[" + b" " * 10_001 + b"]")
    assert answer.status == 413 and answer.body["field"] == "body"
    assert receiver.too_large(10_001) is not None and receiver.too_large(10_000) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b"\xff\xfe\x00garbage", "body"),
        (orjson.dumps({"resource_name": "Direct Costs"}), "id"),
        (orjson.dumps([v2(), v2(resource_id="abc")]), "events[1].resource_id"),
        (orjson.dumps(v2(company_id=None)), "company_id"),
        (orjson.dumps({"events": "nope"}), "events"),
        (orjson.dumps(v4(timestamp="yesterday")), "timestamp"),
        (b"42", "event"),
    ],
)
async def test_garbage_is_400_naming_the_field(
    receiver: WebhookReceiver, sent: CollectingPublisher, body: bytes, field: str
) -> None:
    answer = await receiver.receive(AUTH, body)
    assert answer.status == 400, answer
    assert answer.body["field"] == field and answer.body["error"]
    assert sent.sent == []


async def test_v2_v3_v4_payloads_are_published_keyed_by_record(
    receiver: WebhookReceiver, sent: CollectingPublisher
) -> None:
    answer = await receiver.receive(AUTH, orjson.dumps([v2(), v3(), v4()]))
    assert answer.status == 200
    assert answer.body == {"accepted": 3, "ignored": 0, "duplicates": 0}
    assert [c.key for c in sent.sent] == [
        "4281379:20251:direct_cost:990011",
        "4281379:20251:requisition:4401201",
        "4281379:20251:commitment:88120",
    ]
    assert all(c.source == "webhook" and c.record is None for c in sent.sent)


async def test_ignored_resources_are_counted_not_published(
    receiver: WebhookReceiver, sent: CollectingPublisher
) -> None:
    body = orjson.dumps({"events": [v2(resource_name="RFIs", ulid="X1"), v2()]})
    answer = await receiver.receive(AUTH, body)
    assert answer.body == {"accepted": 1, "ignored": 1, "duplicates": 0}
    assert len(sent.sent) == 1


async def test_duplicate_delivery_is_not_published_twice(
    receiver: WebhookReceiver, sent: CollectingPublisher
) -> None:
    body = orjson.dumps(v2())
    assert (await receiver.receive(AUTH, body)).body["accepted"] == 1
    again = await receiver.receive(AUTH, body)
    assert again.status == 200 and again.body == {"accepted": 0, "ignored": 0, "duplicates": 1}
    # the same event twice inside one delivery, next to a new one
    both = await receiver.receive(AUTH, orjson.dumps([v4(), v4(), v2()]))
    assert both.body == {"accepted": 1, "ignored": 0, "duplicates": 2}
    assert [c.event_id for c in sent.sent] == [v2()["ulid"], v4()["id"]]


async def test_broker_failure_is_503_and_the_retry_publishes() -> None:
    published: list[ProcoreChange] = []
    fail = [True]

    async def flaky(changes: Sequence[ProcoreChange]) -> None:
        if fail[0]:
            raise ConnectionError("broker down")
        published.extend(changes)

    receiver = WebhookReceiver(flaky, SECRET)
    body = orjson.dumps(v2())
    answer = await receiver.receive(AUTH, body)
    assert answer.status == 503 and "retry" in answer.body["error"]
    fail[0] = False
    assert (await receiver.receive(AUTH, body)).body["accepted"] == 1  # not marked as seen
    assert len(published) == 1


async def test_several_events_for_one_record_in_a_delivery_publish_one_change_per_action(
    receiver: WebhookReceiver, sent: CollectingPublisher
) -> None:
    line_item = v3(
        ulid="01LINE", resource_name="Direct Cost Line Items", resource_id=5,
        related_resources=[{"id": 990011, "name": "Direct Costs"}],
    )  # fmt: skip
    deleted = v2(ulid="01DEL", event_type="delete")
    answer = await receiver.receive(AUTH, orjson.dumps([v2(), line_item, deleted]))
    assert answer.body == {"accepted": 2, "ignored": 0, "duplicates": 1}
    assert [(c.key, c.action) for c in sent.sent] == [
        ("4281379:20251:direct_cost:990011", "update"),
        ("4281379:20251:direct_cost:990011", "delete"),
    ]


async def test_one_delivery_cannot_trigger_thousands_of_reads(sent: CollectingPublisher) -> None:
    receiver = WebhookReceiver(sent, SECRET, max_body_bytes=5_000_000)
    flood = [v2(id=i, ulid=f"01JC8Z7Q4W9K2M5N8P1R{i:06d}", resource_id=i) for i in range(3000)]
    answer = await receiver.receive(AUTH, orjson.dumps(flood))
    assert answer.status == 413 and "one event per POST" in answer.body["error"]
    assert sent.sent == []
    # Within the bound, every record is read once however often it is named.
    same = [v2(id=i, ulid=f"01JC8Z7Q4W9K2M5N8P1S{i:06d}") for i in range(50)]
    answer = await receiver.receive(AUTH, orjson.dumps(same))
    assert answer.status == 200 and answer.body["accepted"] == 1
