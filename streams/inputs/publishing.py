"""Publishing normalized changes to a topic and waiting for the broker's acknowledgements."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from domain.changes import ProcoreChange

Publisher = Callable[[Sequence[ProcoreChange]], Awaitable[None]]
"""Sends changes (key = ``change.key``) and returns once the broker acknowledged every one."""


def topic_publisher(topic: Any) -> Publisher:
    """A :data:`Publisher` for a raw-bytes faust topic (``streams.faust_app.declare_topic``)."""

    async def publish(changes: Sequence[ProcoreChange]) -> None:
        if not changes:
            return
        pending = [
            await topic.send(key=change.key.encode(), value=change.to_bytes()) for change in changes
        ]
        await asyncio.gather(*pending)

    return publish
