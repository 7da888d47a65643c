"""aiokafka helpers for producing and reading outside the faust worker (CLI, demo, tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord


@asynccontextmanager
async def producer(bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    """A plain producer: acks=all, no idempotence (the embedded broker lacks it)."""
    prod = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=5
    )
    await prod.start()
    try:
        yield prod
    finally:
        await prod.stop()


async def produce(bootstrap: str, topic: str, messages: Iterable[tuple[bytes, bytes]]) -> int:
    """Send (key, value) pairs and wait until every one is acknowledged."""
    async with producer(bootstrap) as prod:
        futures = [await prod.send(topic, key=k, value=v) for k, v in messages]
        await asyncio.gather(*futures)
    return len(futures)


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    expect: int,
    timeout: float = 30.0,
    settle: float = 0.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the beginning (no group).

    Stops at ``timeout``, or once at least ``expect`` records arrived and nothing new came for
    ``settle`` seconds (so duplicates arriving late are still seen).
    """
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    last_new = time.monotonic()
    try:
        while time.monotonic() < deadline:
            if len(records) >= expect and time.monotonic() - last_new >= settle:
                break
            batch = await consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                records.extend(recs)
                last_new = time.monotonic()
    finally:
        await consumer.stop()
    return records
