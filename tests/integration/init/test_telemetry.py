"""The stages' counters move when real work happens (both emulators, in-process stages)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from adapters.datev.polling import PollPolicy
from adapters.procore.client import ProcoreClient
from adapters.vault import DatevCredentials, Vault, generate_key
from emulators.datev import run_datev_emulator
from emulators.datev.server import DatevEmulator
from emulators.procore import run_procore_emulator
from emulators.procore.runner import ProcoreEmulator
from streams.bootstrap import build_ledger
from streams.config import telemetry
from streams.config.settings import DatevSettings, Settings
from streams.demo.environment import _datev_client, _login, _write_mapping
from streams.ledger.application import Ledger
from streams.ledger.rules import load_rules
from streams.operator.status.context import StatusContext
from streams.operator.status.routes import status_application
from streams.stages.datev_gateway import DatevGateway
from streams.stages.documents import DocumentUploader
from streams.stages.submit import Submitter
from tests.support.fakes import ManualClock
from tests.support.snapshots import all_snapshots, fold_each

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
FAST = PollPolicy(first_delay_s=0.01, max_delay_s=0.05, max_gets=5)


def value(name: str, **labels: str) -> float:
    return telemetry.REGISTRY.get_sample_value(name, labels) or 0.0


def total(name: str) -> float:
    """Sum over every label set of one sample name."""
    return sum(
        sample.value
        for metric in telemetry.REGISTRY.collect()
        for sample in metric.samples
        if sample.name == name
    )


@dataclass
class Flow:
    procore: ProcoreEmulator
    datev: DatevEmulator
    ledger: Ledger
    submitter: Submitter
    uploader: DocumentUploader

    def backfill(self) -> None:
        rules = next(iter(self.submitter.rules.clients.values()))
        fold_each(self.ledger, all_snapshots(self.procore.state))
        self.ledger.seal(rules, NOW)


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def flow(tmp_path: Path, sqlite_settings: Callable[..., Settings]) -> AsyncIterator[Flow]:
    async with run_procore_emulator(seed=7, size="small") as procore:
        rules = load_rules([_write_mapping(tmp_path, procore, "manual")])
        client_rules = next(iter(rules.clients.values()))
        async with (
            run_datev_emulator(clients=[_datev_client(client_rules.chart, client_rules.mapping)])
            as datev,
            httpx.AsyncClient(timeout=10) as http,
            ProcoreClient(
                base_url=procore.base_url,
                auth_url=procore.auth_url,
                client_id=procore.client_id,
                client_secret=procore.client_secret,
                **telemetry.procore_hooks(),
            ) as pc,
        ):  # fmt: skip
            vault = Vault.open(tmp_path, generate_key(), None)
            vault.set_datev(
                DatevCredentials(
                    client_id=datev.oauth_client_id,
                    client_secret=SecretStr(datev.oauth_client_secret),
                )
            )
            await _login(vault, datev)
            ledger = build_ledger(sqlite_settings(), rules)
            gateway = DatevGateway(DatevSettings(**datev.settings_urls()), vault, http)
            yield Flow(
                procore,
                datev,
                ledger,
                Submitter(ledger, rules, gateway, FAST),
                DocumentUploader(ledger, rules, gateway, pc, sleep=_no_sleep),
            )


async def test_delivery_moves_datev_document_and_procore_counters(flow: Flow) -> None:
    before = {
        "submitted": value("mlc_datev_jobs_total", event="submitted"),
        "completed": value("mlc_datev_jobs_total", event="completed"),
        "polls": value("mlc_datev_job_polls_total"),
        "poll_rounds": value("mlc_datev_job_poll_seconds_count"),
        "uploaded": value("mlc_document_uploads_total", outcome="uploaded"),
        "procore": total("mlc_procore_requests_total"),
    }
    flow.backfill()
    uploaded = await flow.uploader.run_once()
    await flow.submitter.run_once()
    jobs = len(flow.datev.state.client_jobs(next(iter(flow.submitter.rules.clients))))

    assert uploaded > 0
    assert value("mlc_document_uploads_total", outcome="uploaded") - before["uploaded"] == uploaded
    assert value("mlc_datev_jobs_total", event="submitted") - before["submitted"] == jobs
    assert value("mlc_datev_jobs_total", event="completed") - before["completed"] == jobs
    assert value("mlc_datev_job_poll_seconds_count") - before["poll_rounds"] == jobs
    assert value("mlc_datev_job_polls_total") - before["polls"] >= jobs
    # every PDF download began with one authenticated Procore call
    assert total("mlc_procore_requests_total") - before["procore"] >= uploaded


async def test_a_rejected_job_counts_as_failed(flow: Flow) -> None:
    before = value("mlc_datev_jobs_total", event="failed")
    flow.backfill()
    flow.datev.faults.fail_jobs = True
    await flow.submitter.run_once()
    assert value("mlc_datev_jobs_total", event="failed") - before == 1


async def test_rate_limit_waits_and_429s_are_counted() -> None:
    clock = ManualClock()
    async with run_procore_emulator(seed=7, size="small", clock=clock) as emu:
        emu.set_faults(storm_429_next=2, storm_reset_s=5)
        before = (
            value("mlc_procore_rate_limit_waits_total"),
            value("mlc_procore_rate_limit_wait_seconds_total"),
            value("mlc_procore_requests_total", status="429"),
        )
        async with ProcoreClient(
            base_url=emu.base_url,
            auth_url=emu.auth_url,
            client_id=emu.client_id,
            client_secret=emu.client_secret,
            clock=clock,
            rng=random.Random(3),
            **telemetry.procore_hooks(),
        ) as client:
            await client.list_companies(emu.company_id)
        assert value("mlc_procore_requests_total", status="429") - before[2] == 2
        assert value("mlc_procore_rate_limit_waits_total") > before[0]
        assert value("mlc_procore_rate_limit_wait_seconds_total") - before[1] >= 4.0


async def test_metrics_endpoint_serves_the_counters(
    flow: Flow, sqlite_settings: Callable[..., Settings]
) -> None:
    telemetry.webhook_delivery(accepted=True)
    settings = sqlite_settings().model_copy(update={"status_token": SecretStr("t0ken-for-test")})
    app = status_application(StatusContext(settings=settings, ledger=flow.ledger, rules=None))
    async with TestServer(app, host="127.0.0.1") as server, httpx.AsyncClient() as http:
        resp = await http.get(
            str(server.make_url("/metrics")), headers={"Authorization": "Bearer t0ken-for-test"}
        )
    assert resp.status_code == 200
    accepted = value("mlc_webhook_deliveries_total", outcome="accepted")
    assert f'mlc_webhook_deliveries_total{{outcome="accepted"}} {accepted}' in resp.text
    for name in (
        "mlc_datev_jobs_total",
        "mlc_datev_job_poll_seconds_bucket",
        "mlc_document_uploads_total",
        "mlc_records_folded_total",
        "mlc_procore_rate_limit_wait_seconds_total",
        "# TYPE mlc_records gauge",  # the ledger gauges are still there
    ):
        assert name in resp.text
