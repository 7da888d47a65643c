"""Topic creation and inspection over the Kafka protocol (works on Tansu and Apache Kafka)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicDecl:
    """A topic the connector needs, with the partition count the code declares."""

    name: str
    partitions: int
    replication_factor: int = 1


@dataclass(frozen=True)
class PartitionInfo:
    topic: str
    partition: int
    end_offset: int | None
    committed: int | None

    @property
    def lag(self) -> int | None:
        if self.end_offset is None:
            return None
        return max(self.end_offset - (self.committed or 0), 0)


class KafkaUnavailable(RuntimeError):
    """The Kafka cluster cannot be reached."""


async def _admin(bootstrap: str) -> AIOKafkaAdminClient:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        await admin.start()
    except KafkaConnectionError as exc:
        raise KafkaUnavailable(f"cannot reach Kafka at {bootstrap}: {exc}") from None
    return admin


async def existing_partitions(bootstrap: str) -> dict[str, int]:
    """Topic name → partition count, for every topic on the cluster."""
    admin = await _admin(bootstrap)
    try:
        names = await admin.list_topics()
        if not names:
            return {}
        described = await admin.describe_topics(list(names))
        return {t["topic"]: len(t["partitions"]) for t in described if not t.get("error_code")}
    finally:
        await admin.close()


async def ensure_topics(bootstrap: str, topics: Iterable[TopicDecl]) -> list[str]:
    """Create missing topics with their declared partitions; returns the names created.

    Topics are always created explicitly: brokers auto-create with their own partition count,
    which makes faust fail with a partitions mismatch.
    """
    wanted = list(topics)
    have = await existing_partitions(bootstrap)
    missing = [t for t in wanted if t.name not in have]
    mismatched = [t for t in wanted if t.name in have and have[t.name] != t.partitions]
    for t in mismatched:
        log.warning(
            "topic %s has %s partitions but %s are declared; keeping the existing topic",
            t.name,
            have[t.name],
            t.partitions,
        )
    if not missing:
        return []
    admin = await _admin(bootstrap)
    try:
        for t in missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(t.name, t.partitions, t.replication_factor)])
    finally:
        await admin.close()
    # Metadata propagates asynchronously; wait until every topic is visible.
    for _ in range(50):
        have = await existing_partitions(bootstrap)
        if all(t.name in have for t in missing):
            break
        await asyncio.sleep(0.1)
    return [t.name for t in missing]


async def partition_report(
    bootstrap: str, topics: Iterable[str], group_id: str | None
) -> list[PartitionInfo]:
    """End offsets and (optionally) a consumer group's committed offsets per partition.

    The embedded broker reports the end offset of a multi-message batch too low, so lag figures
    from it are a lower bound; real Kafka reports them exactly.
    """
    have = await existing_partitions(bootstrap)
    tps = [TopicPartition(t, p) for t in topics if t in have for p in range(have[t])]
    if not tps:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(tps)
    finally:
        await consumer.stop()
    committed: dict[TopicPartition, int] = {}
    if group_id:
        admin = await _admin(bootstrap)
        try:
            # Partitions must be passed explicitly (the embedded broker drops the connection
            # otherwise).
            offsets = await admin.list_consumer_group_offsets(group_id, partitions=tps)
            committed = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        finally:
            await admin.close()
    return [
        PartitionInfo(tp.topic, tp.partition, ends.get(tp), committed.get(tp))
        for tp in sorted(tps, key=lambda x: (x.topic, x.partition))
    ]


@dataclass(frozen=True)
class OffsetReset:
    topic: str
    partition: int
    current: int | None
    target: int


class GroupActive(RuntimeError):
    """The consumer group still has members; resetting now would be overwritten."""


async def _await_assignment(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], timeout_s: float
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while set(consumer.assignment()) != set(tps):
        if loop.time() >= deadline:
            held = sorted(p.partition for p in consumer.assignment())
            raise GroupActive(
                f"the group still has other members (this reset got partitions {held} of "
                f"{len(tps)}): stop every worker of the group, then retry"
            )
        await consumer.getmany(timeout_ms=500)


async def reset_offsets(
    bootstrap: str,
    group_id: str,
    topic: str,
    *,
    to_offset: int | None = None,
    to_timestamp_ms: int | None = None,
    dry_run: bool = False,
    join_timeout_s: float = 60.0,
    session_timeout_ms: int = 6_000,
) -> list[OffsetReset]:
    """Move a consumer group's committed offsets on every partition of ``topic``.

    Like ``kafka-consumer-groups --reset-offsets``: the group must be idle (stop its workers
    first). ``to_offset`` is clamped to each partition's end; ``to_timestamp_ms`` uses the
    broker's time index (a time after the last message resets to the end).
    """
    have = await existing_partitions(bootstrap)
    if topic not in have:
        raise KafkaUnavailable(f"topic {topic!r} does not exist on {bootstrap}")
    tps = [TopicPartition(topic, p) for p in range(have[topic])]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        # Short sessions make the join quick; 6 s is Kafka's smallest default allowed session.
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=max(100, session_timeout_ms // 6),
    )
    await consumer.start()
    try:
        if dry_run:
            consumer.assign(tps)
        else:
            # Join the group (rather than assign) so the commit comes from a member: a broker
            # then drops members of stopped workers when they miss the rebalance. If workers
            # still run, they keep some partitions and the reset is refused.
            consumer.subscribe([topic])
            await _await_assignment(consumer, tps, join_timeout_s)
        ends = await consumer.end_offsets(tps)
        begins = await consumer.beginning_offsets(tps)
        committed = {tp: await consumer.committed(tp) for tp in tps}
        targets: dict[TopicPartition, int] = {}
        if to_timestamp_ms is not None:
            found = await consumer.offsets_for_times(dict.fromkeys(tps, to_timestamp_ms))
            for tp in tps:
                meta = found.get(tp)
                targets[tp] = ends[tp] if meta is None else meta.offset
        else:
            assert to_offset is not None
            for tp in tps:
                targets[tp] = max(begins[tp], min(to_offset, ends[tp]))
        if not dry_run:
            await consumer.commit(targets)
    finally:
        await consumer.stop()
    return [OffsetReset(tp.topic, tp.partition, committed[tp], targets[tp]) for tp in tps]
