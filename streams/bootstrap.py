"""Composition root: the one place that turns settings into running parts.

``build_parts`` builds settings → rules, vault, ledger, relay, Procore client, DATEV gateway and
stages, with seams (clock, HTTP clients, vault) a test or the demo replaces; there is no faust
in it. ``build_worker`` wires those parts into the faust app. The CLI, the status page, the
demo and the tests receive parts from here instead of opening the vault or wiring stages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import faust
import httpx

from adapters.datev.polling import PollPolicy
from adapters.kafka.admin import ensure_topics
from adapters.kafka.embedded import EmbeddedBroker
from adapters.kafka.incarnation import broker_incarnation
from adapters.procore.client import ProcoreClient
from adapters.vault import Vault, VaultError
from streams.agents.booking import (
    SealScheduler,
    local_now,
    register_booking_stages,
    register_fold_agent,
)
from streams.agents.inputs import Inputs, wire_inputs
from streams.agents.parking import DeadLetters
from streams.agents.relay_timer import register_relay_timer
from streams.agents.runtime import ClientShards, StageWakeups
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
from streams.stages.datev_gateway import DatevGateway
from streams.stages.documents import DocumentUploader
from streams.stages.dxso import DxsoStage
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


def build_procore(
    settings: Settings, vault: Vault | None, http: httpx.AsyncClient | None = None
) -> ProcoreClient | None:
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
        http=http,
        **telemetry.procore_hooks(),
    )


@dataclass(frozen=True)
class Seams:
    """What a test or the demo replaces; production runs on the defaults."""

    now: Callable[[], datetime] = local_now  # the cadence's wall clock
    vault: Vault | None = None  # None: opened from the settings (if a key is configured)
    procore_http: httpx.AsyncClient | None = None  # e.g. on a test transport
    datev_http: httpx.AsyncClient | None = None
    incarnation: str = ""  # the Kafka cluster's (qualifies fold positions)
    poll_policy: PollPolicy | None = None  # DATEV job polling (None: the documented default)
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep  # the documents stage's retry waits


@dataclass
class Parts:
    """The connector's parts, built once from the settings; no faust in them."""

    settings: Settings
    rules: BookingRules | None
    vault: Vault | None
    ledger: Ledger
    relay: OutboxRelay
    procore: ProcoreClient | None = None
    gateway: DatevGateway | None = None
    seal: SealScheduler | None = None
    submit: Submitter | None = None
    documents: DocumentUploader | None = None

    @property
    def stages(self) -> dict[str, Any]:
        found = {"seal": self.seal, "submit": self.submit, "documents": self.documents}
        return {name: stage for name, stage in found.items() if stage is not None}


def build_parts(settings: Settings, seams: Seams | None = None) -> Parts:
    """Settings → rules, vault, ledger, relay, Procore client, DATEV gateway and stages.

    A stage is left out when what it needs is not configured (mapping, credentials); the log
    says which and why.
    """
    seams = seams or Seams()
    rules = build_rules(settings)
    ledger = build_ledger(settings, rules, seams.incarnation)
    vault = seams.vault if seams.vault is not None else open_vault(settings)
    if vault is not None:
        register_secrets(secret_values(vault.read()))
    procore = build_procore(settings, vault, seams.procore_http)
    parts = Parts(settings, rules, vault, ledger, OutboxRelay(ledger), procore)
    if rules is None:
        log.warning("no mapping files configured (MLC_MAPPINGS): records are stored, not booked")
        return parts
    parts.seal = SealScheduler(ledger, rules, now=seams.now)
    if vault is None or vault.read().datev is None:
        log.warning("DATEV is not configured (vault/credentials): batches are sealed, not sent")
        return parts
    http = seams.datev_http or httpx.AsyncClient(timeout=settings.datev.timeout_s)
    parts.gateway = DatevGateway(settings.datev, vault, http)
    parts.submit = Submitter(
        ledger, rules, parts.gateway, seams.poll_policy, inline_first_poll_s=0.0
    )
    parts.submit.dxso = DxsoStage(ledger, parts.gateway, settings.datev.dxso_base_url, procore)
    if procore is not None:
        parts.documents = DocumentUploader(ledger, rules, parts.gateway, procore, sleep=seams.sleep)
        parts.seal.documents = True  # records linking a PDF wait at seal until DUO holds it
    return parts


@dataclass
class Worker:
    """The stream worker: the parts, wired into a faust app."""

    app: faust.App
    parts: Parts
    inputs: Inputs

    @property
    def ledger(self) -> Ledger:
        return self.parts.ledger

    @property
    def relay(self) -> OutboxRelay:
        return self.parts.relay

    @property
    def rules(self) -> BookingRules | None:
        return self.parts.rules

    @property
    def stages(self) -> dict[str, Any]:
        return {"inputs": self.inputs, **self.parts.stages}


def build_worker(settings: Settings, bootstrap_servers: str) -> Worker:
    """Build the parts, then wire them into faust: topics, agents, timers, the status page."""
    incarnation = asyncio.run(broker_incarnation(bootstrap_servers, CONNECTOR_META.name))
    parts = build_parts(settings, Seams(incarnation=incarnation))
    app = create_faust_app(settings, bootstrap_servers)
    changes = declare_topic(app, PROCORE_CHANGES)
    records = declare_topic(app, PROCORE_RECORDS)
    bookings = declare_topic(app, BOOKINGS_EVENTS)
    dead_letters = DeadLetters(declare_topic(app, CONNECTOR_DLQ))
    wakeups = StageWakeups()

    def stored() -> None:
        wakeups.seal.ring()
        wakeups.documents.ring()

    register_fold_agent(app, parts.ledger, records, dead_letters, on_stored=stored)
    register_relay_timer(app, parts.relay, bookings)
    inputs = wire_inputs(
        app,
        settings,
        changes,
        records,
        dead_letters,
        parts.procore,
        cursors=LedgerCursors(parts.ledger),
        known=KnownIds(parts.ledger),
        needs=None if parts.rules is None else parts.rules.read_needs,
    )
    if parts.seal is not None:
        shards = ClientShards(app, PROCORE_RECORDS.name, PROCORE_RECORDS.partitions)
        register_booking_stages(app, wakeups, shards, parts.seal, parts.submit, parts.documents)
    register_status_page(app, parts)  # after the stages: the page shows the DATEV login state
    return Worker(app=app, parts=parts, inputs=inputs)


class LedgerCursors:
    """The poller's high-water marks, kept in the event store (``PollCursor`` aggregates)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def get(self, name: str) -> datetime | None:
        return self.ledger.cursor_get(name)

    def set(self, name: str, value: datetime) -> None:
        self.ledger.advance_cursor(name, value)
