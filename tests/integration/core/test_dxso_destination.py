"""Destination ``dxso``: sealed batches go to DUO's accounts-payable ledger as DXSO jobs.

Real HTTP against both emulators (Procore for the PDFs, DATEV for the jobs); the DATEV emulator
as documented: every POST creates a new job, and the dxso-jobs API has no job list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.datev.dxso import DxsoJobs
from domain.mapping import DeliverySettings
from domain.reconciliation import reconcile
from domain.source_document import SourceDocument
from emulators.procore import mutations
from streams.cli import app
from streams.config.settings import Settings
from streams.errors import ConnectorError
from streams.ledger.rules import BookingRules
from streams.operator.actions import iter_batches, replay_batch
from streams.stages import dxso as dxso_stage
from streams.stages import dxso_build
from streams.stages.dxso import DxsoStage
from tests.support.delivery import FAST, NOW, DeliveryStack, delivery_stack

runner = CliRunner()


class Crash(BaseException):
    """The worker dies here (nothing after this point runs, nothing catches it)."""


@pytest.fixture
def settings(sqlite_settings: Callable[..., Settings]) -> Settings:
    return sqlite_settings()


@pytest.fixture
async def stack(tmp_path: Path, settings: Settings) -> AsyncIterator[DeliveryStack]:
    async with delivery_stack(tmp_path, settings) as built:
        dxso_rules = dataclasses.replace(
            built.rules,
            mapping=built.rules.mapping.model_copy(
                update={"delivery": DeliverySettings(destination="dxso")}
            ),
        )
        built.submitter.rules.reload(BookingRules([dxso_rules]))
        built.rules = dxso_rules
        restart(built)
        yield built


def restart(stack: DeliveryStack) -> DxsoStage:
    """A fresh stage, as after a worker restart: it knows only what the event store holds."""
    url = stack.datev.settings_urls()["dxso_base_url"]
    stage = DxsoStage(stack.ledger, stack.submitter.gateway, url, stack.uploader.procore, FAST)
    stack.submitter.dxso = stage
    return stage


def jobs(stack: DeliveryStack) -> list[Any]:
    assert stack.datev.dxso is not None
    return list(stack.datev.dxso.jobs.values())


def imported(stack: DeliveryStack) -> list[str]:
    return [invoice for job in jobs(stack) for invoice in job.imported]


def booked_once(batch: Any) -> list[str]:
    """One ledger row per sealed line: each invoice number as often as its lines, once."""
    return sorted(line["belegfeld1"] for line in batch.lines)


async def deliver(stack: DeliveryStack, rounds: int = 3) -> None:
    for _ in range(rounds):
        await stack.uploader.run_once()
        await stack.submitter.run_once()


async def test_invoices_and_pdfs_reach_state_2_as_one_job(
    stack: DeliveryStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dxso_build, "PART_FILES", 2)  # the PDFs go in several requests
    stack.backfill()
    (batch,) = list(iter_batches(stack.ledger))
    records = dict.fromkeys(batch.record_keys)
    assert len(records) >= 2
    await deliver(stack)
    (job,) = jobs(stack)
    assert job.status == 2 and job.import_type == "accountsPayableLedgerImport"
    pdfs = sorted(n for n in job.files if n.endswith(".pdf"))
    ledgers = sorted(n for n in job.files if n.startswith("ledger_"))
    assert len(pdfs) == len(ledgers) == len(records) == len(stack.approved())
    assert all(job.files[n].startswith(b"%PDF") for n in pdfs)
    posts = [p for m, p in stack.datev.state.api_calls if m == "POST" and p.endswith("/files")]
    assert len(posts) == 1 + (len(pdfs) + 1) // 2  # the XML files, then PDFs two at a time
    assert sorted(imported(stack)) == booked_once(batch)
    assert len(set(imported(stack))) == len(records)
    assert stack.datev.state.jobs == {}  # no EXTF upload
    assert stack.datev.state.documents(stack.rules.client_id) == []  # PDFs only in the job
    (done,) = list(iter_batches(stack.ledger))
    assert done.state == "completed" and done.jobs["dxso"]["status"] == 2
    docs = [stack.ledger.document(SourceDocument.create_id(k)) for k in records]
    assert all(d is not None and d.document_state == "uploaded" for d in docs)  # with the job
    protocol = done.jobs["dxso"]["protocol"]  # stored: DUO keeps them about two months
    assert {e["context"] for e in protocol} == {f"Rechnung {i}" for i in imported(stack)}
    assert stack.datev.dxso is not None  # DUO's payables ledger matches Procore to the cent
    rows = stack.datev.dxso.bookings(stack.rules.client_id)
    approved = stack.approved()
    assert reconcile(stack.rules.mapping, stack.rules.chart, approved, rows).matches  # type: ignore[arg-type]


async def test_an_edit_after_posting_reverses_in_duos_ledger_too(stack: DeliveryStack) -> None:
    stack.backfill()
    await deliver(stack)
    cost_id = next(
        i for i, r in stack.state.rows["direct_cost"].items() if r.data.get("status") == "approved"
    )
    mutations.edit_direct_cost(stack.state, cost_id, amount=Decimal("4321.00"))
    stack.fold_record("direct_cost", cost_id)
    stack.ledger.seal(stack.rules, NOW)
    await deliver(stack)
    assert [j.status for j in jobs(stack)] == [2, 2]
    assert stack.datev.dxso is not None
    rows = stack.datev.dxso.bookings(stack.rules.client_id)
    assert any(r["sh"] == "S" for r in rows)  # the reversal of the first booking
    approved = stack.approved()
    assert reconcile(stack.rules.mapping, stack.rules.chart, approved, rows).matches  # type: ignore[arg-type]


async def test_a_lost_create_answer_costs_an_empty_job_not_a_second_import(
    stack: DeliveryStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = DxsoJobs.create

    async def create_then_die(self: DxsoJobs, *args: Any) -> Any:
        await real(self, *args)  # DATEV made the job; the answer never reached us
        raise Crash

    monkeypatch.setattr(DxsoJobs, "create", create_then_die)
    stack.backfill()
    with pytest.raises(Crash):
        await stack.submitter.run_once()
    (batch,) = list(iter_batches(stack.ledger))
    assert "dxso" in batch.intents and "dxso" not in batch.jobs
    monkeypatch.setattr(DxsoJobs, "create", real)
    restart(stack)
    await deliver(stack)
    orphan, job = jobs(stack)
    assert orphan.status == 0 and orphan.files == {}  # never finalised: imports nothing
    assert job.status == 2
    assert sorted(imported(stack)) == booked_once(batch)
    assert next(iter(iter_batches(stack.ledger))).state == "completed"


async def test_a_crash_after_finalising_polls_the_job_instead_of_posting_again(
    stack: DeliveryStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = DxsoJobs.finalise

    async def finalise_then_die(self: DxsoJobs, *args: Any) -> None:
        await real(self, *args)
        raise Crash

    monkeypatch.setattr(DxsoJobs, "finalise", finalise_then_die)
    stack.datev.faults.job_delay_s = 3600  # still running when the worker comes back
    stack.backfill()
    with pytest.raises(Crash):
        await stack.submitter.run_once()
    monkeypatch.setattr(DxsoJobs, "finalise", real)
    restart(stack)
    await deliver(stack)
    (job,) = jobs(stack)
    assert job.status == 1 and next(iter(iter_batches(stack.ledger))).state == "submitted"
    stack.datev.faults.job_delay_s = 0
    job.ready_at = stack.datev.state.clock.now()
    await deliver(stack, rounds=2)
    assert len(jobs(stack)) == 1 and next(iter(iter_batches(stack.ledger))).state == "completed"
    (batch,) = list(iter_batches(stack.ledger))
    delivered = {
        key: stack.ledger.document(SourceDocument.create_id(key)) for key in batch.record_keys
    }
    assert all(d is not None and d.document_state == "uploaded" for d in delivered.values())


async def test_a_crash_while_attaching_files_cancels_that_job_and_builds_a_new_one(
    stack: DeliveryStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def die(self: DxsoJobs, *args: Any) -> None:
        raise Crash

    real = DxsoJobs.add_files
    monkeypatch.setattr(DxsoJobs, "add_files", die)
    stack.backfill()
    with pytest.raises(Crash):
        await stack.submitter.run_once()
    monkeypatch.setattr(DxsoJobs, "add_files", real)
    restart(stack)
    await deliver(stack)
    first, second = jobs(stack)
    assert first.status == 5 and second.status == 2  # cancelled (open), then done
    (batch,) = list(iter_batches(stack.ledger))
    assert batch.state == "completed"
    assert sorted(imported(stack)) == booked_once(batch)


async def test_a_failed_job_shows_the_protocol_errors_as_the_reason(
    stack: DeliveryStack, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = DxsoJobs.add_files

    async def without_document_xml(self: DxsoJobs, client: str, job: str, files: Any) -> None:
        await real(self, client, job, {k: v for k, v in files.items() if k != "document.xml"})

    monkeypatch.setattr(DxsoJobs, "add_files", without_document_xml)
    stack.backfill()
    await deliver(stack)
    (batch,) = list(iter_batches(stack.ledger))
    assert batch.state == "failed" and batch.jobs["dxso"]["status"] == 3
    assert batch.failure is not None and "document.xml" in batch.failure
    assert batch.jobs["dxso"]["messages"] and batch.jobs["dxso"]["protocol"]
    monkeypatch.setenv("MLC_DATA_DIR", str(settings.data_dir))
    wide = {"COLUMNS": "400"}
    listing = runner.invoke(app, ["batches"], catch_exceptions=False, env=wide).stdout
    assert f"DXSO job {batch.jobs['dxso']['job_id']} → failed, state 3" in listing
    assert "document.xml" in listing  # the reason
    audit = runner.invoke(app, ["audit", batch.record_keys[0]], catch_exceptions=False, env=wide)
    assert "DXSO protocol" in audit.stdout and "fehlt" in audit.stdout


async def test_a_job_given_up_as_stuck_is_asked_again_on_replay_not_posted_anew(
    stack: DeliveryStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dxso_stage, "MAX_PENDING_GETS", 2)
    stack.datev.faults.job_delay_s = 3600
    stack.backfill()
    await deliver(stack, rounds=4)
    (batch,) = list(iter_batches(stack.ledger))
    assert batch.state == "failed" and "still running" in (batch.failure or "")
    replay_batch(stack.ledger, str(batch.id), by="test")
    (job,) = jobs(stack)
    job.ready_at = stack.datev.state.clock.now()
    await deliver(stack, rounds=2)
    assert len(jobs(stack)) == 1 and next(iter(iter_batches(stack.ledger))).state == "completed"
    assert sorted(imported(stack)) == booked_once(batch)


async def test_a_partly_done_job_is_not_replayed(
    stack: DeliveryStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = DxsoJobs.add_files

    async def lose_one_pdf(self: DxsoJobs, client: str, job: str, files: Any) -> None:
        pdfs = sorted(n for n in files if n.endswith(".pdf"))
        await real(self, client, job, {k: v for k, v in files.items() if k not in pdfs[:1]})

    monkeypatch.setattr(DxsoJobs, "add_files", lose_one_pdf)
    stack.backfill()
    await deliver(stack)
    (batch,) = list(iter_batches(stack.ledger))
    assert batch.jobs["dxso"]["status"] == 4 and "a replay would post" in (batch.failure or "")
    with pytest.raises(ConnectorError, match="partly done"):
        replay_batch(stack.ledger, str(batch.id), by="test")
