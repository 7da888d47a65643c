"""Stage wake-ups and client sharding, without faust or Kafka."""

from __future__ import annotations

import asyncio
from collections import Counter
from types import SimpleNamespace
from typing import Any

from faust.types import TP

from streams.agents.runtime import ClientShards, Wakeup, client_shard


class FakeConsumer:
    def __init__(self, partitions: set[int] | None) -> None:
        self.partitions = partitions

    def assignment(self) -> set[TP]:
        if self.partitions is None:
            raise AttributeError("_thread")  # faust before the consumer started
        return {TP("procore.records", p) for p in self.partitions} | {TP("other", 0)}


def shards(partitions: set[int] | None) -> ClientShards:
    app: Any = SimpleNamespace(consumer=FakeConsumer(partitions))
    return ClientShards(app, "procore.records", 4)


def test_every_client_has_exactly_one_owner_among_members_sharing_the_partitions() -> None:
    clients = [f"4711{n:05d}" for n in range(40)]
    members = [shards({0, 1}), shards({2}), shards({3})]
    owners = Counter(c for m in members for c in m.owned(clients))
    assert set(owners) == set(clients) and set(owners.values()) == {1}
    assert all(m.owns(c) == (c in m.owned(clients)) for m in members for c in clients)
    assert len({client_shard(c, 4) for c in clients}) == 4  # they spread over the partitions


def test_a_member_without_an_assignment_owns_nothing() -> None:
    assert shards(None).owned(["1", "2"]) == set()
    assert shards(set()).owns("1") is False


def test_rings_coalesce_and_a_bell_times_out_when_not_rung() -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        bell = Wakeup()
        bell.ring()
        bell.ring()
        first = await bell.wait(1.0)
        second = await bell.wait(0.01)  # the two rings were one
        later = asyncio.get_running_loop().call_later(0.01, bell.ring)
        third = await bell.wait(1.0)
        later.cancel()
        return first, second, third

    assert asyncio.run(scenario()) == (True, False, True)
