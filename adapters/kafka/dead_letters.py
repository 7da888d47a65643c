"""Reading and re-driving the dead-letter topic (messages parked with their Kafka context)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer

from adapters.kafka.clients import producer


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    key: bytes | None
    value: bytes
    source_topic: str
    source_partition: str
    source_offset: str
    error: str


async def redrive(
    bootstrap: str,
    dlq_topic: str,
    group_id: str,
    *,
    dry_run: bool,
    idle_s: float = 2.0,
    session_timeout_ms: int = 6_000,
) -> list[DeadLetter]:
    """Send every not-yet-re-driven dead letter back to its source topic (same key and value).

    The group's committed offset remembers what was re-driven; processing is idempotent, so a
    message re-driven twice is harmless. With ``dry_run`` nothing is sent or committed.
    """
    consumer = AIOKafkaConsumer(
        dlq_topic,
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=session_timeout_ms,  # 6 s: Kafka's smallest default allowed session
        heartbeat_interval_ms=max(100, session_timeout_ms // 6),
    )
    await consumer.start()
    letters: list[DeadLetter] = []
    try:
        while True:
            batch = await consumer.getmany(timeout_ms=int(idle_s * 1000))
            if not batch:
                break
            for records in batch.values():
                for rec in records:
                    headers = {k: v.decode("utf-8", "replace") for k, v in rec.headers}
                    letters.append(
                        DeadLetter(
                            offset=rec.offset,
                            key=rec.key,
                            value=rec.value,
                            source_topic=headers.get("source-topic", ""),
                            source_partition=headers.get("source-partition", ""),
                            source_offset=headers.get("source-offset", ""),
                            error=headers.get("error", ""),
                        )
                    )
        if dry_run or not letters:
            return letters
        async with producer(bootstrap) as prod:
            acks = [
                await prod.send(d.source_topic, key=d.key, value=d.value)
                for d in letters
                if d.source_topic
            ]
            await asyncio.gather(*acks)
        await consumer.commit()
    finally:
        await consumer.stop()
    return letters
