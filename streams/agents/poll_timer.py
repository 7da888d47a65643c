"""The poller as a faust timer on the leader worker (see ``streams.poller``)."""

from __future__ import annotations

import logging
from typing import Any

import faust

from streams.poller import Poller
from streams.publishing import topic_publisher

log = logging.getLogger(__name__)


def register_poller(
    app: faust.App,
    changes_topic: Any,
    poller: Poller,
    interval_s: float,
    *,
    tick_s: float = 1.0,
) -> Any:
    """Run the poller on the leader worker: checks every ``tick_s`` what is due."""
    publish = topic_publisher(changes_topic)

    @app.timer(tick_s, on_leader=True, name="procore-poller")
    async def poll_tick() -> None:
        try:
            await poller.tick(publish, interval_s)
        except Exception:
            # Cursors of unfinished windows were not saved; the next tick re-reads them.
            log.exception("procore poller failed; retrying on the next tick")

    return poll_tick
