"""Sealed batches → DATEV jobs and invoice PDFs → DUO, over real HTTP against both emulators."""

from __future__ import annotations

from domain.batch import Batch
from streams.operator.actions import batch_rows, iter_batches, replay_batch
from tests.support.delivery import DeliveryStack

Stack = DeliveryStack


def backfill(stack: Stack) -> None:
    stack.backfill()


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
    stack.submitter.retry_now()  # as if the backoff had passed
    await stack.submitter.run_once()
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    assert stack.datev_matches_procore()


async def test_transient_pdf_failures_wait_instead_of_parking(stack: Stack) -> None:
    backfill(stack)
    stack.datev.faults.server_errors = 1000  # DUO answers 503 for a while
    assert await stack.uploader.run_once() == 0
    from streams.operator.actions import parked

    assert parked(stack.ledger) == []  # not parked after one bad round
    stack.datev.faults.server_errors = 0
    assert await stack.uploader.run_once() == len(stack.approved())
