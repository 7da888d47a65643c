"""DATEV faults on the submission and document stages, in process over real HTTP.

Stuck jobs are parked after a bound (then replayed once DATEV finishes, without a second job),
5xx on upload defers and retries without duplicates, a failed job keeps DATEV's messages.
(The expired/revoked login is covered here for the stages and in ``tests/reliability`` for the
whole worker process.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest

import streams.stages.submit as submitter_module
from streams.operator.actions import batch_rows, parked, replay_batch, replay_record
from streams.stages.documents import ATTEMPTS, MAX_ROUNDS
from tests.integration.core.test_delivery import Stack, backfill


async def test_a_stuck_job_is_parked_after_the_bound_and_replays_to_one_booking(
    stack: Stack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(submitter_module, "MAX_PENDING_ROUNDS", 3)
    backfill(stack)
    stack.datev.faults.job_delay_s = 0.4  # Retry-After 0; jobs pending a moment ...
    for _ in range(6):
        await stack.submitter.run_once()
        for job in stack.datev.state.jobs.values():  # ... and then stuck for an hour
            job.ready_at = max(job.ready_at, job.submitted_at + timedelta(hours=1))
    failed = batch_rows(stack.ledger, "failed")
    assert len(failed) == 1 and failed[0].failure is not None
    assert "still pending after 3 polling rounds" in failed[0].failure
    assert "replay batch" in failed[0].failure  # the message names the fix
    assert stack.datev.state.bookings(stack.rules.client_id) == []
    jobs = len(stack.datev.state.client_jobs(stack.rules.client_id))

    stack.datev.clock.advance(3601)  # DATEV finishes the job after all
    stack.datev.faults.job_delay_s = 0
    replay_batch(stack.ledger, str(failed[0].batch_id), by="test")
    for _ in range(3):
        await stack.submitter.run_once()
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    # The replay recognised the earlier upload (no second job for that file) and every
    # record is booked once.
    names = [j.filename for j in stack.datev.state.client_jobs(stack.rules.client_id)]
    assert len(names) == len(set(names)) and len(names) >= jobs
    assert stack.datev_matches_procore()


async def test_5xx_on_upload_defers_and_retries_without_duplicates(stack: Stack) -> None:
    backfill(stack)
    stack.datev.faults.server_errors = 2
    await stack.submitter.run_once()
    assert not stack.datev_matches_procore()
    assert {b.state for b in batch_rows(stack.ledger)} <= {"sealed", "submitted", "completed"}
    for _ in range(3):
        stack.submitter.retry_now()  # as if each backoff had passed
        await stack.submitter.run_once()
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    assert stack.datev_matches_procore()
    names = [j.filename for j in stack.datev.state.client_jobs(stack.rules.client_id)]
    assert len(names) == len(set(names))  # one job per file


async def test_a_5xx_blip_on_pdf_upload_is_ridden_out(stack: Stack) -> None:
    backfill(stack)
    stack.datev.faults.server_errors = ATTEMPTS - 1
    assert await stack.uploader.run_once() == len(stack.approved())
    docs = stack.datev.state.documents(stack.rules.client_id)
    assert len(docs) == len({d.guid for d in docs}) == len(stack.approved())


async def test_a_longer_5xx_outage_parks_the_pdf_with_its_reason_and_replay_uploads_once(
    stack: Stack,
) -> None:
    backfill(stack)
    stack.datev.faults.server_errors = 10_000  # DUO answers 503 for a long while
    for _ in range(MAX_ROUNDS):  # each round stops at the first PDF and tries again later
        assert await stack.uploader.run_once() == 0
    stack.datev.faults.server_errors = 0
    stuck = [d for d in parked(stack.ledger) if d.document_state == "failed"]
    assert len(stuck) == 1  # parked, not dropped: `ml-connector parked` lists it
    failed = [e for e in stack.ledger.history(stuck[0].id) if type(e).__name__ == "DocumentFailed"]
    assert "503" in failed[-1].reason  # type: ignore[attr-defined]
    client = stack.rules.client_id
    assert await stack.uploader.run_once() == len(stack.approved()) - 1  # the rest go through
    replay_record(stack.ledger, stuck[0].key, by="test")
    await stack.uploader.run_once()
    docs = stack.datev.state.documents(client)
    assert len(docs) == len({d.guid for d in docs}) == len(stack.approved())
    assert [d for d in parked(stack.ledger) if d.document_state == "failed"] == []


async def test_failed_jobs_keep_datevs_message_for_the_operator(stack: Stack) -> None:
    backfill(stack)
    stack.datev.faults.fail_jobs = True
    stack.datev.faults.fail_message = "Sachkonto 9999 ist nicht angelegt"
    await stack.submitter.run_once()
    failed = batch_rows(stack.ledger, "failed")
    assert failed and any(
        "Sachkonto 9999" in m for job in failed[0].jobs.values() for m in job.get("messages", [])
    )
