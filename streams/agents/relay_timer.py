"""The outbox relay as a faust timer on the leader worker."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust

from streams.stages.relay import OutboxRelay

log = logging.getLogger(__name__)

RELAY_INTERVAL_S = 0.25


def register_relay_timer(app: faust.App, relay: OutboxRelay, bookings_topic: Any) -> Any:
    async def send(key: bytes, value: bytes) -> Any:
        return await bookings_topic.send(key=key, value=value)

    @app.timer(RELAY_INTERVAL_S, on_leader=True, name="outbox-relay")
    async def relay_tick() -> None:
        try:
            while await relay.run_once(send, asyncio.to_thread) >= relay.batch_size:
                pass
        except Exception:
            # Nothing was committed for the failed batch; the next tick re-sends it.
            log.exception("outbox relay failed; will retry")

    return relay_tick
