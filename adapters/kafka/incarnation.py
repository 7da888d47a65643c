"""Which life of the Kafka cluster this is: a marker record in a one-partition topic.

Offsets restart at 0 when a broker loses its data (the embedded broker on every restart, a real
cluster after a disaster). Fold tracking rows are keyed by topic partition *and* incarnation, so a
new incarnation is read from its beginning instead of being mistaken for redeliveries.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import orjson

from adapters.kafka.clients import produce, read_topic


async def broker_incarnation(bootstrap: str, topic: str) -> str:
    """The incarnation id recorded first in ``topic``; records a new one if the topic is empty."""
    first = await _first(bootstrap, topic)
    if first is None:
        marker = {"incarnation": uuid.uuid4().hex[:12], "created": datetime.now(UTC).isoformat()}
        await produce(bootstrap, topic, [(b"incarnation", orjson.dumps(marker))])
        first = await _first(bootstrap, topic)  # two starters race: the earliest record wins
        if first is None:
            raise RuntimeError(f"could not record the broker incarnation in {topic}")
    return first


async def _first(bootstrap: str, topic: str) -> str | None:
    records = await read_topic(bootstrap, topic, expect=1, timeout=2.0)
    if not records:
        return None
    earliest = min(records, key=lambda r: r.offset)
    value: str = orjson.loads(earliest.value)["incarnation"]
    return value
