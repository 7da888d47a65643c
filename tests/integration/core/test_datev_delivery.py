"""Delivery against DATEV as documented: no blocking by a pending job, few GETs, DUO duplicates."""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest

from emulators.procore import mutations
from streams.ledger.read_models import records
from streams.operator.actions import batch_rows, find_document, parked
from tests.support.delivery import DeliveryStack


def _release_jobs(stack: DeliveryStack) -> None:
    for job in stack.datev.state.jobs.values():
        job.ready_at = min(job.ready_at, stack.datev.clock.now())


async def test_a_pending_job_does_not_delay_the_clients_next_batch(stack: DeliveryStack) -> None:
    stack.backfill()
    stack.datev.faults.job_delay_s = 3600  # DATEV takes an hour (Retry-After 3600: capped)
    await stack.submitter.run_once()  # creditor file: pending
    _release_jobs(stack)
    stack.submitter.retry_now()
    await stack.submitter.run_once()  # creditor file done; bookings pending for an hour
    (first,) = batch_rows(stack.ledger)
    assert first.state == "submitted"

    cost_id = next(
        i for i, r in stack.state.rows["direct_cost"].items() if r.data.get("status") == "approved"
    )
    mutations.edit_direct_cost(stack.state, cost_id, amount=Decimal("4321.00"))
    stack.fold_record("direct_cost", cost_id)
    stack.datev.faults.job_delay_s = 0
    await stack.deliver()  # seals the second batch and submits it at once

    states = {b.batch_id: b.state for b in batch_rows(stack.ledger)}
    assert states[first.batch_id] == "submitted"  # still waiting for DATEV ...
    assert sorted(states.values()) == ["completed", "submitted"]  # ... the other is through
    first_jobs = [j for j in stack.datev.state.jobs.values() if j.result == "pending"]
    assert len(first_jobs) == 1
    # The pending job is not polled more often than its schedule: one GET so far.
    assert stack.datev.state.gets_for_job(first_jobs[0].id) <= 2


async def test_gets_per_completed_job_stay_within_datevs_guidance(stack: DeliveryStack) -> None:
    stack.backfill()
    stack.datev.faults.job_delay_s = 1  # Retry-After 1 s: the first poll comes after it
    for _ in range(30):
        await stack.submitter.run_once()
        stack.datev.clock.advance(1)
        if all(b.state == "completed" for b in batch_rows(stack.ledger)):
            break
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    gets = [stack.datev.state.gets_for_job(j.id) for j in stack.datev.state.jobs.values()]
    assert gets and statistics.median(gets) <= 5 and max(gets) <= 10, gets


async def test_try_again_1008837_is_retried_not_a_rejection(stack: DeliveryStack) -> None:
    stack.backfill()
    stack.datev.faults.try_again_jobs = 1
    await stack.submitter.run_once()
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    assert stack.datev_matches_procore()
    results = [j.result for j in stack.datev.state.jobs.values()]
    assert results.count("failed") == 1 and results.count("succeeded") >= 1


async def test_rejected_file_keeps_datevs_validation_details_as_the_reason(
    stack: DeliveryStack,
) -> None:
    stack.backfill()
    stack.datev.faults.fail_jobs = True
    await stack.submitter.run_once()
    (failed,) = batch_rows(stack.ledger, "failed")
    assert failed.failure is not None
    assert stack.datev.faults.fail_message in failed.failure  # DATEV's words, not just "failed"


async def test_a_pdf_duo_already_holds_is_done_not_parked(
    stack: DeliveryStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.backfill()
    # Belege online already holds every one of these files (uploaded by hand, say): each PUT
    # answers 400 #DCO01253 DuplicateFileFault.
    monkeypatch.setattr(stack.datev.state, "duplicate_document", lambda *_: True)
    assert await stack.uploader.run_once() == len(stack.approved())
    assert stack.datev.state.documents(stack.rules.client_id) == []
    assert parked(stack.ledger) == []
    assert await stack.uploader.run_once() == 0  # done: not tried again
    # No document carries our GUIDs, so the lines must not link them.
    held = [row.key for row in records(stack.ledger) if row.document_state == "uploaded"]
    assert held
    for key in held:
        assert find_document(stack.ledger, key).document_elsewhere == "#DCO01253 duplicate file"


async def test_a_parked_pdf_shows_duos_code_and_text(stack: DeliveryStack) -> None:
    stack.backfill()
    client = next(iter(stack.datev.state.clients.values()))
    client.document_types = ({"name": "Sonstige", "category": "other_documents"},)
    assert await stack.uploader.run_once() == 0
    rows = parked(stack.ledger)
    assert rows and all(r.document_state == "failed" for r in rows)
    assert all("#DCO01010" in (r.document_failure or "") for r in rows), rows[0].document_failure


async def test_no_upload_for_a_client_the_login_cannot_see_until_it_can(
    stack: DeliveryStack,
) -> None:
    stack.backfill()
    clients = stack.datev.state.clients
    hidden = clients.pop(stack.rules.client_id)
    await stack.submitter.run_once()
    (batch,) = batch_rows(stack.ledger)
    assert batch.state == "sealed" and batch.failure is not None
    assert "cannot see client" in batch.failure and "Rechteverwaltung" in batch.failure
    assert stack.datev.state.jobs == {}  # nothing was posted (no 404s)
    clients[hidden.id] = hidden  # the tax advisor granted the right
    stack.submitter.retry_now()
    await stack.submitter.run_once()
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    assert stack.datev_matches_procore()
