"""The ledger on a real event store (SQLite file and PostgreSQL): tracking, idempotency, relay."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.stages.relay import SCHEMA, OutboxRelay
from tests.support.changes import direct_cost_change as change

TOPIC = "procore.changes"


def test_redelivered_offsets_are_skipped_and_same_content_adds_nothing(
    make_settings: Callable[..., Settings],
) -> None:
    ledger = build_ledger(make_settings())
    first = ledger.fold(TOPIC, 0, [(0, change(1, "10.00")), (1, change(2, "20.00"))])
    assert (first.folded, first.skipped, first.new_events) == (2, 0, 4)
    # The same messages again (a redelivery after a crash): skipped by tracking.
    again = ledger.fold(TOPIC, 0, [(0, change(1, "10.00")), (1, change(2, "20.00"))])
    assert (again.folded, again.skipped, again.new_events) == (0, 2, 0)
    # The same version at a new offset (webhook + poller): folded, but no new event.
    dup = ledger.fold(TOPIC, 0, [(2, change(1, "10.00"))])
    assert (dup.folded, dup.new_events) == (1, 0)
    # A changed version: one new event.
    changed = ledger.fold(TOPIC, 0, [(3, change(1, "12.50"))])
    assert changed.new_events == 1
    assert ledger.position(f"{TOPIC}:0") == 4
    # Another partition tracks its own position.
    assert ledger.fold(TOPIC, 1, [(0, change(3, "1.00"))]).new_events == 2


def test_position_survives_a_new_process(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    build_ledger(settings).fold(TOPIC, 2, [(5, change(9, "1.00"))])
    fresh = build_ledger(settings)  # as after a restart
    assert fresh.position(f"{TOPIC}:2") == 6
    assert fresh.fold(TOPIC, 2, [(5, change(9, "1.00"))]).skipped == 1
    history = fresh.history(change(9, "1.00").ref.aggregate_id)
    assert [type(e).__name__ for e in history] == ["Registered", "VersionObserved"]


class FlakyBroker:
    """Collects sent messages; can fail the n-th send to simulate a crash mid-batch."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.sent: list[tuple[bytes, bytes]] = []
        self.fail_at = fail_at

    async def send(self, key: bytes, value: bytes) -> Any:
        if self.fail_at is not None and len(self.sent) == self.fail_at:
            self.fail_at = None
            raise ConnectionError("broker went away")
        self.sent.append((key, value))
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


async def test_relay_resends_after_failure_and_never_loses(
    make_settings: Callable[..., Settings],
) -> None:
    ledger = build_ledger(make_settings())
    ledger.fold(TOPIC, 0, [(i, change(i, f"{i}.00")) for i in range(5)])  # 10 events
    relay = OutboxRelay(ledger, batch_size=4)
    broker = FlakyBroker(fail_at=2)
    with pytest.raises(ConnectionError):
        await relay.run_once(broker.send, asyncio.to_thread)
    assert relay.position() == 0  # nothing committed for the failed batch
    total = 0
    while (n := await relay.run_once(broker.send, asyncio.to_thread)) > 0:
        total += n
    assert total == 10
    ids = [orjson.loads(v)["notification_id"] for _, v in broker.sent]
    # The two sent before the failure are sent again (at-least-once), nothing is missing.
    assert sorted(set(ids)) == list(range(1, 11))
    assert len(ids) == 12
    # A new relay (after restart) starts after the committed position: nothing re-sent.
    again = FlakyBroker()
    assert await OutboxRelay(ledger).run_once(again.send, asyncio.to_thread) == 0
    body = orjson.loads(broker.sent[-1][1])
    assert body["schema"] == SCHEMA
    assert body["record_key"] == "7:70:direct_cost:4"
    assert body["type"] == "SourceDocument.VersionObserved"
