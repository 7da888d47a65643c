"""Composition root: the one place that turns settings into running parts.

The CLI, the demo and the end-to-end tests all build the service through these functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import faust

from adapters.kafka.admin import ensure_topics
from adapters.kafka.embedded import EmbeddedBroker
from streams.agents.fold import register_fold_agent
from streams.agents.parking import DeadLetters
from streams.agents.relay_timer import register_relay_timer
from streams.eventstore import event_store_env
from streams.faust_app import create_faust_app, declare_topic
from streams.ledger import Ledger
from streams.relay import OutboxRelay
from streams.settings import Settings
from streams.topics import ALL_TOPICS, BOOKINGS_EVENTS, CONNECTOR_DLQ, PROCORE_CHANGES

log = logging.getLogger(__name__)


@contextlib.contextmanager
def kafka_runtime(settings: Settings) -> Iterator[str]:
    """Yield bootstrap servers with every declared topic present.

    Without configured servers, an embedded broker is started under the data directory and
    stopped (by its own pid) when the block exits — also on Ctrl-C and SIGTERM.
    """
    broker: EmbeddedBroker | None = None
    if settings.kafka_bootstrap_servers is None:
        broker = EmbeddedBroker(settings.data_dir / "kafka").start()
        servers = broker.bootstrap_servers
    else:
        servers = settings.kafka_bootstrap_servers
    try:
        created = asyncio.run(ensure_topics(servers, ALL_TOPICS))
        if created:
            log.info("created topics: %s", ", ".join(created))
        yield servers
    finally:
        if broker is not None:
            broker.stop()


def build_ledger(settings: Settings) -> Ledger:
    return Ledger(env=event_store_env(settings))


@dataclass
class Worker:
    """The stream worker's parts, built once."""

    app: faust.App
    ledger: Ledger
    relay: OutboxRelay


def build_worker(settings: Settings, bootstrap_servers: str) -> Worker:
    """Wire the faust app: topics, agents and timers around one event-sourced ledger."""
    app = create_faust_app(settings, bootstrap_servers)
    ledger = build_ledger(settings)
    relay = OutboxRelay(ledger)
    changes = declare_topic(app, PROCORE_CHANGES)
    bookings = declare_topic(app, BOOKINGS_EVENTS)
    dlq = declare_topic(app, CONNECTOR_DLQ)
    register_fold_agent(app, ledger, changes, DeadLetters(dlq))
    register_relay_timer(app, relay, bookings)
    return Worker(app=app, ledger=ledger, relay=relay)
