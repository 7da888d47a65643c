"""A faust worker with the inputs only (webhook view, poller, fetch agent), for the e2e test.

Run as ``python -m tests.e2e.inputs.worker_app`` with ``MLC_*`` settings in the environment and
the emulator's client secret in ``INPUTS_E2E_PROCORE_SECRET``.
"""

from __future__ import annotations

import os

import faust

from adapters.procore.client import ProcoreClient
from streams.agents.inputs import wire_inputs
from streams.agents.parking import DeadLetters
from streams.config.settings import load_settings
from streams.faust_app import create_faust_app, declare_topic
from streams.topics import CONNECTOR_DLQ, PROCORE_CHANGES, PROCORE_RECORDS
from tests.support.fakes import InMemoryCursorStore


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
    cursors = InMemoryCursorStore()  # one worker run; the worker keeps them in the event store
    wire_inputs(app, settings, changes, records, DeadLetters(dlq), client, cursors=cursors)
    return app


if __name__ == "__main__":
    worker = faust.Worker(build(), loglevel="warn", quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()
