"""Composition root: the one place that turns settings into running parts.

The CLI, the demo and the end-to-end tests all build the service through these functions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import faust
import httpx

from adapters.kafka.admin import ensure_topics
from adapters.kafka.embedded import EmbeddedBroker
from adapters.kafka.incarnation import broker_incarnation
from adapters.procore.client import ProcoreClient
from adapters.vault import Vault, VaultError
from streams.agents.fold import register_fold_agent
from streams.agents.inputs import wire_inputs
from streams.agents.parking import DeadLetters
from streams.agents.relay_timer import register_relay_timer
from streams.agents.stages import StageWakeups, register_booking_stages
from streams.config import telemetry
from streams.config.logging_setup import register_secrets, secret_values
from streams.config.settings import Settings
from streams.errors import ConnectorError
from streams.faust_app import create_faust_app, declare_topic
from streams.ledger.application import Ledger
from streams.ledger.eventstore import event_store_env
from streams.ledger.read_models import KnownIds
from streams.ledger.rules import BookingRules, load_rules
from streams.operator.status.routes import register_status_page
from streams.stages.cadence import SealScheduler
from streams.stages.datev_gateway import DatevGateway
from streams.stages.documents import DocumentUploader
from streams.stages.relay import OutboxRelay
from streams.stages.submit import Submitter
from streams.topics import (
    ALL_TOPICS,
    BOOKINGS_EVENTS,
    CONNECTOR_DLQ,
    CONNECTOR_META,
    PROCORE_CHANGES,
    PROCORE_RECORDS,
)

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


def build_rules(settings: Settings) -> BookingRules | None:
    return load_rules(settings.mappings) if settings.mappings else None


def build_ledger(
    settings: Settings, rules: BookingRules | None = None, incarnation: str = ""
) -> Ledger:
    return Ledger(env=event_store_env(settings), rules=rules, incarnation=incarnation)


def open_vault(settings: Settings) -> Vault | None:
    """The credential vault, or None when no key is configured (DATEV/Procore stages off)."""
    if settings.vault.key is None and settings.vault.key_file is None:
        return None
    try:
        return Vault.open(settings.data_dir, settings.vault.key, settings.vault.key_file)
    except VaultError as exc:
        raise ConnectorError(str(exc)) from None


def build_procore(settings: Settings, vault: Vault | None) -> ProcoreClient | None:
    creds = vault.read().procore if vault else None
    if creds is None:
        return None
    return ProcoreClient(
        base_url=settings.procore.base_url,
        auth_url=settings.procore.auth_url,
        client_id=creds.client_id,
        client_secret=creds.client_secret,
        per_page=settings.procore.per_page,
        timeout_s=settings.procore.timeout_s,
        **telemetry.procore_hooks(),
    )


@dataclass
class Worker:
    """The stream worker's parts, built once."""

    app: faust.App
    ledger: Ledger
    relay: OutboxRelay
    rules: BookingRules | None = None
    stages: dict[str, Any] = field(default_factory=dict)


def build_worker(settings: Settings, bootstrap_servers: str) -> Worker:
    """Wire the faust app: topics, agents and timers around one event-sourced ledger."""
    rules = build_rules(settings)
    app = create_faust_app(settings, bootstrap_servers)
    incarnation = asyncio.run(broker_incarnation(bootstrap_servers, CONNECTOR_META.name))
    ledger = build_ledger(settings, rules, incarnation)
    relay = OutboxRelay(ledger)
    changes = declare_topic(app, PROCORE_CHANGES)
    records = declare_topic(app, PROCORE_RECORDS)
    bookings = declare_topic(app, BOOKINGS_EVENTS)
    dead_letters = DeadLetters(declare_topic(app, CONNECTOR_DLQ))
    wakeups = StageWakeups()

    def stored() -> None:
        wakeups.seal.ring()
        wakeups.documents.ring()

    register_fold_agent(app, ledger, records, dead_letters, on_stored=stored)
    register_relay_timer(app, relay, bookings)
    worker = Worker(app=app, ledger=ledger, relay=relay, rules=rules)
    register_status_page(app, worker, settings)

    vault = open_vault(settings)
    if vault is not None:
        register_secrets(secret_values(vault.read()))
    procore = build_procore(settings, vault)
    worker.stages["inputs"] = wire_inputs(
        app,
        settings,
        changes,
        records,
        dead_letters,
        procore,
        cursors=LedgerCursors(ledger),
        known=KnownIds(ledger),
    )
    if rules is None:
        log.warning("no mapping files configured (MLC_MAPPINGS): records are stored, not booked")
        return worker
    scheduler = SealScheduler(ledger, rules)
    worker.stages["seal"] = scheduler
    if vault is None or vault.read().datev is None:
        log.warning("DATEV is not configured (vault/credentials): batches are sealed, not sent")
        register_booking_stages(app, wakeups, scheduler)
        return worker
    gateway = DatevGateway(
        settings.datev, vault, httpx.AsyncClient(timeout=settings.datev.timeout_s)
    )
    submitter = Submitter(ledger, rules, gateway, inline_first_poll_s=0.0)
    worker.stages["submit"] = submitter
    uploader = None
    if procore is not None:
        uploader = DocumentUploader(ledger, rules, gateway, procore)
        worker.stages["documents"] = uploader
    register_booking_stages(app, wakeups, scheduler, submitter, uploader)
    return worker


class LedgerCursors:
    """The poller's high-water marks, kept in the event store (``PollCursor`` aggregates)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def get(self, name: str) -> datetime | None:
        return self.ledger.cursor_get(name)

    def set(self, name: str, value: datetime) -> None:
        self.ledger.advance_cursor(name, value)
