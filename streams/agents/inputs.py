"""Wiring of the inputs into a worker: webhook view, fetch agent and (with Procore) the poller."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import faust

from adapters.procore.client import ProcoreClient
from domain.procore.needs import ReadNeeds
from streams.agents.fetch import register_fetch_agent
from streams.agents.parking import DeadLetters
from streams.agents.poller_timer import register_poller
from streams.config.settings import Settings
from streams.inputs.access import ACCESS_FILE, AccessRegistry
from streams.inputs.code_store import CODES_FILE
from streams.inputs.cursors import CursorStore
from streams.inputs.poll_units import KnownRecords, NoKnownRecords, scopes_from_settings
from streams.inputs.poller import Poller
from streams.inputs.snapshotter import ProcoreSnapshotter
from streams.inputs.webhook import WebhookReceiver, register_webhook_view

log = logging.getLogger(__name__)


@dataclass
class Inputs:
    webhook: WebhookReceiver
    snapshotter: ProcoreSnapshotter
    fetch_agent: Any
    poller: Poller | None


def wire_inputs(
    app: faust.App,
    settings: Settings,
    changes_topic: Any,
    records_topic: Any,
    dead_letters: DeadLetters,
    procore: ProcoreClient | None,
    *,
    cursors: CursorStore,
    known: KnownRecords | None = None,
    needs: Callable[[], ReadNeeds] | None = None,
) -> Inputs:
    """Register everything that feeds ``procore.changes`` and turns it into ``procore.records``.

    Without a Procore client the webhook still publishes and the fetch agent passes through
    changes that carry their record (others are parked); the poller needs a client and at
    least one ``procore.company_ids`` entry. ``needs`` (the booking rules' bookable statuses)
    lets the fetch stage keep records that book for no client as listed; without it every
    record is read whole.
    """
    conf = settings.procore
    receiver = register_webhook_view(app, changes_topic, conf.webhook_secret)
    codes = settings.data_dir / CODES_FILE
    snapshotter = ProcoreSnapshotter(procore, codes_file=codes, needs=needs)
    agent = register_fetch_agent(app, changes_topic, records_topic, snapshotter, dead_letters)
    poller: Poller | None = None
    if procore is None or not conf.company_ids:
        log.warning(
            "Procore poller off: %s",
            "no Procore credentials" if procore is None else "set MLC_PROCORE__COMPANY_IDS",
        )
    else:
        poller = Poller(
            procore,
            scopes_from_settings(conf.company_ids, conf.project_ids),
            cursors,
            known or NoKnownRecords(),
            sweep_at=conf.sweep_at,
            deletions_every_s=conf.deletion_check_s,
            access=AccessRegistry(settings.data_dir / ACCESS_FILE),
        )
        register_poller(app, changes_topic, poller, conf.poll_interval_s)
    return Inputs(webhook=receiver, snapshotter=snapshotter, fetch_agent=agent, poller=poller)
