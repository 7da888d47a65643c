"""Sealed batches → DATEV jobs and invoice PDFs → DUO, over real HTTP against both emulators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from adapters.datev.emulator import run_datev_emulator
from adapters.datev.emulator.server import DatevEmulator
from adapters.datev.polling import PollPolicy
from adapters.procore.client import ProcoreClient
from adapters.procore.emulator import run_procore_emulator
from adapters.procore.emulator.runner import ProcoreEmulator
from adapters.vault import DatevCredentials, Vault, generate_key
from domain.batch import Batch
from domain.reconciliation import reconcile
from streams.bootstrap import build_ledger
from streams.datev_gateway import DatevGateway
from streams.demo.environment import _datev_client, _login, _write_mapping
from streams.documents import DocumentUploader
from streams.ledger import Ledger
from streams.operations import batch_rows, iter_batches, replay_batch
from streams.rules import ClientRules, load_rules
from streams.sealing import seal
from streams.settings import DatevSettings, Settings
from streams.submitter import Submitter
from tests.support.snapshots import all_snapshots

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
FAST = PollPolicy(first_delay_s=0.01, max_delay_s=0.05, max_gets=5)


@dataclass
class Stack:
    procore: ProcoreEmulator
    datev: DatevEmulator
    ledger: Ledger
    rules: ClientRules
    submitter: Submitter
    uploader: DocumentUploader
    vault: Vault

    def approved(self) -> list:
        return [
            (row.project_id, res, row.data)
            for res in ("requisition", "direct_cost")
            for row in self.procore.state.rows[res].values()  # type: ignore[index]
            if row.data.get("status") == "approved"
        ]

    def datev_matches_procore(self) -> bool:
        rows = self.datev.state.bookings(self.rules.client_id)
        return reconcile(self.rules.mapping, self.rules.chart, self.approved(), rows).matches


@pytest.fixture
async def stack(tmp_path: Path, sqlite_settings: Callable[..., Settings]) -> AsyncIterator[Stack]:
    async with run_procore_emulator(seed=7, size="small") as procore:
        rules = load_rules([_write_mapping(tmp_path, procore, "manual")])
        client_rules = next(iter(rules.clients.values()))
        datev_client = _datev_client(client_rules.chart, client_rules.mapping)
        async with (
            run_datev_emulator(clients=[datev_client]) as datev,
            httpx.AsyncClient(timeout=10) as http,
            ProcoreClient(
                base_url=procore.base_url,
                auth_url=procore.auth_url,
                client_id=procore.client_id,
                client_secret=procore.client_secret,
            ) as pc,
        ):
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
            yield Stack(
                procore=procore,
                datev=datev,
                ledger=ledger,
                rules=client_rules,
                submitter=Submitter(ledger, rules, gateway, FAST),
                uploader=DocumentUploader(ledger, rules, gateway, pc, sleep=_no_sleep),
                vault=vault,
            )


async def _no_sleep(_: float) -> None:
    return None


def backfill(stack: Stack) -> None:
    for i, change in enumerate(all_snapshots(stack.procore.state)):
        stack.ledger.fold("procore.records", 0, [(i, change)])
    seal(stack.ledger, stack.rules, NOW)


async def test_batches_reach_datev_exactly_once_with_their_pdfs(stack: Stack) -> None:
    backfill(stack)
    uploaded = await stack.uploader.run_once()
    assert uploaded == len(stack.approved())
    assert await stack.submitter.run_once() >= 2  # creditor file + Buchungsstapel
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    assert stack.datev_matches_procore()
    docs = stack.datev.state.documents(stack.rules.client_id)
    assert len(docs) == len(stack.approved())
    # Every booking links its DUO document (BEDI) by the GUID that was uploaded.
    links = {b["beleglink"] for b in stack.datev.state.bookings(stack.rules.client_id)}
    assert {f'BEDI "{d.guid}"' for d in docs} <= links
    # Running the stages again changes nothing: no second upload, no second job.
    jobs = len(stack.datev.state.client_jobs(stack.rules.client_id))
    assert await stack.uploader.run_once() == 0
    assert await stack.submitter.run_once() == 0
    assert len(stack.datev.state.client_jobs(stack.rules.client_id)) == jobs
    assert len(stack.datev.state.documents(stack.rules.client_id)) == len(docs)


async def test_a_failed_job_surfaces_datevs_messages_and_replays_once(stack: Stack) -> None:
    backfill(stack)
    stack.datev.faults.fail_jobs = True
    await stack.submitter.run_once()
    failed = batch_rows(stack.ledger, "failed")
    assert len(failed) == 1
    assert failed[0].failure and "DATEV rejected" in failed[0].failure
    kind = next(iter(failed[0].jobs))
    assert failed[0].jobs[kind]["messages"]  # DATEV's validation text is kept
    assert not stack.datev_matches_procore()
    stack.datev.faults.fail_jobs = False
    replay_batch(stack.ledger, str(failed[0].batch_id)[:8], by="test")
    await stack.submitter.run_once()
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    assert stack.datev_matches_procore()


async def test_crash_after_upload_before_recording_the_job_is_safe(stack: Stack) -> None:
    """The upload reached DATEV but the job id was never stored: resubmission is recognised."""
    backfill(stack)
    await stack.submitter.run_once()
    batch = next(iter(iter_batches(stack.ledger)))
    # Pretend the worker died right after uploading: a fresh ledger view without job events.
    fresh = Batch.__new__(Batch)
    fresh.__dict__.update(batch.__dict__)
    fresh.jobs = {}
    fresh.state = "sealed"
    jobs_before = len(stack.datev.state.client_jobs(stack.rules.client_id))
    async with stack.submitter.gateway.session() as api:
        await stack.submitter._advance(api, fresh)
    assert len(stack.datev.state.client_jobs(stack.rules.client_id)) == jobs_before
    assert stack.datev_matches_procore()


async def test_expired_login_stops_submission_and_resumes_after_login(stack: Stack) -> None:
    from streams.demo.environment import _login as login

    backfill(stack)
    stack.datev.auth.revoke_refresh_tokens()
    assert await stack.submitter.run_once() == 0
    assert stack.submitter.gateway.login_problem is not None
    assert "ml-connector datev login" in stack.submitter.gateway.login_problem
    assert stack.datev.state.client_jobs(stack.rules.client_id) == []
    await login(stack.vault, stack.datev)
    await stack.submitter.run_once()
    assert stack.datev_matches_procore()


async def test_datev_outage_defers_with_backoff_then_completes(stack: Stack) -> None:
    backfill(stack)
    stack.datev.faults.server_errors = 1000  # every DATEV call answers 503 for now
    assert await stack.submitter.run_once() == 0
    rows = batch_rows(stack.ledger)
    assert all(b.state == "sealed" for b in rows)
    assert all(b.failure for b in rows)  # the reason is on record (once, not per retry)
    deferred_events = len(stack.ledger.history(rows[0].batch_id))
    await stack.submitter.run_once()  # inside the backoff window: not even tried
    assert len(stack.ledger.history(rows[0].batch_id)) == deferred_events
    stack.datev.faults.server_errors = 0
    stack.submitter._retry_at.clear()  # the backoff has passed
    await stack.submitter.run_once()
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    assert stack.datev_matches_procore()


async def test_transient_pdf_failures_wait_instead_of_parking(stack: Stack) -> None:
    backfill(stack)
    stack.datev.faults.server_errors = 1000  # DUO answers 503 for a while
    assert await stack.uploader.run_once() == 0
    from streams.operations import parked

    assert parked(stack.ledger) == []  # not parked after one bad round
    stack.datev.faults.server_errors = 0
    assert await stack.uploader.run_once() == len(stack.approved())
