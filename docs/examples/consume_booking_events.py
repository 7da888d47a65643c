"""Follow ml-connector's booking events: a minimal, idempotent downstream consumer.

    python docs/examples/consume_booking_events.py --bootstrap 127.0.0.1:9092 --group my-dashboard

Dedupes by (aggregate_id, aggregate_version), as the delivery contract asks (at-least-once).
A real consumer keeps the "seen" set in its own database, in the same transaction as its writes.
"""

from __future__ import annotations

import argparse
import asyncio

import orjson
from aiokafka import AIOKafkaConsumer


async def follow(bootstrap: str, group: str) -> None:
    consumer = AIOKafkaConsumer(
        "bookings.events",
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=True,
    )
    await consumer.start()
    seen: set[tuple[str, int]] = set()
    try:
        async for msg in consumer:
            event = orjson.loads(msg.value)
            ident = (event["aggregate_id"], event["aggregate_version"])
            if ident in seen:
                continue  # a redelivery
            seen.add(ident)
            if event["type"] == "SourceDocument.LinesPlanned":
                lines = event["data"]["pending"]
                print(f"{event['record_key']}: {len(lines)} line(s) to book")
            elif event["type"] == "Batch.JobCompleted":
                print(
                    f"batch {event['aggregate_id'][:8]}: {event['data']['kind']} accepted by DATEV"
                )
    finally:
        await consumer.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--group", default="booking-events-example")
    args = parser.parse_args()
    asyncio.run(follow(args.bootstrap, args.group))
