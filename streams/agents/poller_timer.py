"""The poller as a leader-only stage (see ``streams.inputs.poller``)."""

from __future__ import annotations

from typing import Any

import faust

from streams.agents.runtime import register_stage
from streams.inputs.poller import Poller
from streams.inputs.webhook import topic_publisher


def register_poller(
    app: faust.App,
    changes_topic: Any,
    poller: Poller,
    interval_s: float,
    *,
    tick_s: float = 1.0,
) -> Any:
    """Run the poller on the leader worker: checks every ``tick_s`` what is due.

    A failed round saved no cursor for its unfinished windows; the next tick re-reads them.
    """
    publish = topic_publisher(changes_topic)
    return register_stage(app, "procore-poller", tick_s, lambda: poller.tick(publish, interval_s))
