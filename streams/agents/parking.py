"""Dead letters: messages that cannot be processed go to ``connector.dlq`` with their context."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class DeadLetters:
    """Publishes a failed message; headers name its source topic/partition/offset and the error."""

    def __init__(self, dlq_topic: Any) -> None:
        self.topic = dlq_topic

    async def park(self, message: Any, reason: str) -> None:
        headers = {
            "source-topic": str(message.topic).encode(),
            "source-partition": str(message.partition).encode(),
            "source-offset": str(message.offset).encode(),
            "error": reason[:2000].encode("utf-8", "replace"),
        }
        log.warning(
            "parked message %s:%s/%s: %s", message.topic, message.partition, message.offset, reason
        )
        ack = await self.topic.send(key=message.key, value=message.value, headers=headers)
        await ack
