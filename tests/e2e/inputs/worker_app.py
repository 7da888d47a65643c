"""A faust worker with the inputs only (webhook view, poller, fetch agent), for the e2e test.

Run as ``python -m tests.e2e.inputs.worker_app`` with ``MLC_*`` settings in the environment and
the emulator's client secret in ``INPUTS_E2E_PROCORE_SECRET``.
"""

from __future__ import annotations

import os

import faust

from adapters.procore.client import ProcoreClient
from streams.agents.fetch import register_fetch_agent
from streams.agents.parking import DeadLetters
from streams.agents.poll_timer import register_poller
from streams.cursors import FileCursorStore
from streams.faust_app import create_faust_app, declare_topic
from streams.poller import NoKnownRecords, Poller, scopes_from_settings
from streams.settings import load_settings
from streams.snapshotter import ProcoreSnapshotter
from streams.topics import CONNECTOR_DLQ, PROCORE_CHANGES, PROCORE_RECORDS
from streams.webhook import register_webhook_view


def build() -> faust.App:
    settings = load_settings()
    assert settings.kafka_bootstrap_servers is not None
    app = create_faust_app(settings, settings.kafka_bootstrap_servers)
    changes = declare_topic(app, PROCORE_CHANGES)
    records = declare_topic(app, PROCORE_RECORDS)
    dlq = declare_topic(app, CONNECTOR_DLQ)
    procore = settings.procore
    client = ProcoreClient(
        base_url=procore.base_url,
        auth_url=procore.auth_url,
        client_id=procore.client_id or "",
        client_secret=os.environ["INPUTS_E2E_PROCORE_SECRET"],
        per_page=procore.per_page,
        timeout_s=procore.timeout_s,
    )
    register_webhook_view(app, changes, procore.webhook_secret)
    register_fetch_agent(app, changes, records, ProcoreSnapshotter(client), DeadLetters(dlq))
    poller = Poller(
        client,
        scopes_from_settings(procore.company_ids, procore.project_ids),
        FileCursorStore(settings.data_dir / "poller-cursors.json"),
        NoKnownRecords(),
        reconcile_at=procore.reconcile_at,
    )
    register_poller(app, changes, poller, procore.poll_interval_s)
    return app


if __name__ == "__main__":
    worker = faust.Worker(build(), loglevel="warn", quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()
