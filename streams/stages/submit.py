"""Submission: sealed batches → DATEV EXTF jobs → polled to succeeded or failed.

DATEV creates a new job for every upload and documents no duplicate check, so exactly once is
ours: before each POST the batch records a ``SubmitIntended`` event (file, ``Reference-Id``,
sha256). A batch with an intent but no job id — the worker died inside the POST window, or the
answer was lost — is first looked up in DATEV's job list by that reference; only if DATEV has no
such job is the file posted (again under the same reference).

Polling never sleeps in the stage: each job has one backoff schedule from its upload on
(:class:`~adapters.datev.polling.JobPollSchedule`), and a round makes at most one GET per due
job, so a pending job does not hold up the client's other batches. A bookings file waits until
every earlier batch's creditor file of its client succeeded (DATEV needs the creditor first).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from adapters.backoff import Backoff
from adapters.datev import protocol as p
from adapters.datev.client import DatevClient, ExtfJob
from adapters.datev.errors import DatevError, DatevRateLimited, DatevServerError
from adapters.datev.polling import JobPollSchedule, PollPolicy
from domain.batch import Batch
from domain.sealing import sealed_files
from streams.config import telemetry
from streams.ledger.application import Ledger, event_topic
from streams.ledger.rules import BookingRules
from streams.stages.datev_gateway import LOGIN_ERRORS, DatevGateway
from streams.stages.dxso import DxsoStage
from streams.stages.file_export import at_datev, write_batch

log = logging.getLogger(__name__)

OPENING_EVENTS = (event_topic(Batch, "Sealed"), event_topic(Batch, "ResubmitRequested"))
MAX_PENDING_ROUNDS = 40  # GETs that found the job pending before it counts as stuck
MAX_TRY_AGAIN = 3  # DATEV's "try again" (1008837) answers per batch before it fails
INLINE_FIRST_POLL_S = 2.0  # a first poll due this soon after the upload is made at once
# A batch whose submission failed transiently: 2 s, doubling, at most 5 min.
RETRY_BACKOFF = Backoff(base_s=2.0, max_s=300.0)


class Submitter:
    def __init__(
        self,
        ledger: Ledger,
        rules: BookingRules,
        gateway: DatevGateway,
        policy: PollPolicy | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        inline_first_poll_s: float = INLINE_FIRST_POLL_S,
        owns: Callable[[str], bool] | None = None,
    ) -> None:
        """``inline_first_poll_s``: the worker passes 0, so a round never sleeps on a job and a
        batch sealed meanwhile is uploaded at once (its first poll comes in a later round).
        ``owns``: the DATEV clients this worker submits for (``ClientShards``)."""
        self.ledger = ledger
        self.rules = rules
        self.gateway = gateway
        self.policy = policy or PollPolicy()
        self.now = now
        self.clock = clock
        self.sleep = sleep
        self.inline_first_poll_s = inline_first_poll_s
        self.owns = owns  # which DATEV clients this worker submits for (None: all)
        self.dxso: DxsoStage | None = None  # destination "dxso" (bootstrap sets it)
        self._open: dict[UUID, None] = {}
        self._scanned = 0
        self._polls: dict[str, JobPollSchedule] = {}  # job id -> its one backoff schedule
        self._retry_at: dict[UUID, tuple[datetime, int]] = {}  # backoff after transient errors

    def retry_now(self) -> None:
        """Forget every batch's backoff and poll every job now, e.g. after a fix."""
        self._retry_at.clear()
        for schedule in self._polls.values():
            schedule.next_at = self.clock()

    def _refresh_open(self) -> list[UUID]:
        for n in self.ledger.scan(list(OPENING_EVENTS), start=self._scanned + 1):
            self._scanned = n.id
            self._open[UUID(str(n.originator_id))] = None
        return list(self._open)

    async def run_once(self) -> int:
        """Advance every open batch once; returns how many steps changed state."""
        paused = not self.gateway.may_call()  # DATEV login trouble: only `files` clients go on
        changed = 0
        waiting_creditors: set[str] = set()  # clients with an earlier creditor file not done
        for batch_id in await asyncio.to_thread(self._refresh_open):
            batch = await asyncio.to_thread(self.ledger.aggregate, batch_id)
            if not isinstance(batch, Batch) or batch.state in ("completed", "failed", "rejected"):
                self._open.pop(batch_id, None)
                self.gateway.forget(f"batch:{batch_id}")
                continue
            if self.owns is not None and not self.owns(batch.client_id):
                continue  # another worker of the group submits this client's batches
            if batch.state == "in_review":  # waits for the advisor (mapping: schedule.review)
                if batch.next_file() == "creditors":
                    waiting_creditors.add(batch.client_id)  # later batches keep their order
                continue
            blocked = batch.client_id in waiting_creditors
            delivery = self.rules.client(batch.client_id).mapping.delivery
            if self.dxso and self.dxso.takes(batch, delivery.destination, at_datev(batch)):
                changed += await self.dxso.advance(batch)
                continue
            if delivery.destination == "files" and delivery.directory and not at_datev(batch):
                rules = self.rules.client(batch.client_id)
                where = Path(delivery.directory)
                changed += await asyncio.to_thread(write_batch, self.ledger, batch, rules, where)
                continue
            if not paused and self._ready(batch, blocked):
                try:
                    async with self.gateway.session(f"batch:{batch_id}") as api:
                        changed += await self._advance(api, batch, blocked)
                except LOGIN_ERRORS:
                    log.error("%s; %d batch(es) wait", self.gateway.login_problem, len(self._open))
                    return changed
                except DatevError as exc:
                    await self._defer(batch, exc)
                else:
                    self._retry_at.pop(batch_id, None)
            if batch.next_file() == "creditors":
                waiting_creditors.add(batch.client_id)
        return changed

    def _ready(self, batch: Batch, blocked: bool) -> bool:
        """Whether this round has something to do for the batch (no wait, no blocking)."""
        waiting = self._retry_at.get(batch.id)
        if waiting is not None and self.now() < waiting[0]:
            return False
        kind = batch.next_file()
        if kind is None or (kind == "bookings" and blocked):
            return False
        job = batch.jobs.get(kind)
        if job is None or job.get("result") != "pending":
            return True
        schedule = self._polls.get(job["job_id"])
        return schedule is None or schedule.due(self.clock())

    async def _defer(self, batch: Batch, exc: DatevError) -> None:
        """Transient: retry later with backoff. Permanent (e.g. 4xx): the batch fails."""
        if not exc.retryable:
            kind = batch.next_file() or "bookings"
            job_id = batch.jobs.get(kind, {}).get("job_id")
            await self._save(
                batch, "failed", kind=kind, job_id=job_id, reason=str(exc), messages=exc.messages
            )
            return
        attempts = self._retry_at.get(batch.id, (self.now(), 0))[1] + 1
        delay = RETRY_BACKOFF.delay(attempts, getattr(exc, "retry_after_s", None))
        self._retry_at[batch.id] = (self.now() + timedelta(seconds=delay), attempts)
        log.warning("batch %s: %s; retrying in %.0f s", batch.id, exc, delay)
        if batch.failure != str(exc):  # one audit event per distinct problem, not per retry
            await self._save(batch, "deferred", reason=str(exc), retryable=True)

    async def _advance(self, api: DatevClient, batch: Batch, blocked: bool = False) -> int:
        steps = 0
        while (kind := batch.next_file()) is not None:
            if kind == "bookings" and blocked:
                return steps
            job = batch.jobs.get(kind)
            if job is None:
                job_id, retry_after = await self._upload(api, batch, kind)
                steps += 1
                schedule = JobPollSchedule.after_upload(self.policy, self.clock(), retry_after)
                self._polls[job_id] = schedule
                wait = schedule.wait_s(self.clock())
                if wait > self.inline_first_poll_s:
                    return steps
                await self.sleep(wait)
            else:
                job_id = job["job_id"]
                schedule = self._polls.setdefault(
                    job_id, JobPollSchedule(self.policy, self.clock(), 0, self.clock())
                )
                if not schedule.due(self.clock()):
                    return steps
            found = await self._poll(api, batch.client_id, job_id, schedule)
            if found is None or found.result == "pending":
                if schedule.gets >= MAX_PENDING_ROUNDS:
                    return steps + await self._stuck(batch, kind, job_id, schedule.gets)
                return steps
            self._polls.pop(job_id, None)
            telemetry.datev_job_polled(schedule.gets, self.clock() - schedule.started_at)
            steps += 1
            if found.result == "succeeded":
                await self._save(
                    batch,
                    "completed",
                    kind=kind,
                    job_id=job_id,
                    records=found.number_of_accounting_records,
                )
                telemetry.datev_job("completed")
                continue
            problem = found.validation_details
            messages = problem.messages() if problem else []
            if problem and problem.code == p.EXTF_CODE_TRY_AGAIN and batch.retries < MAX_TRY_AGAIN:
                reason = f"DATEV asked to upload {found.filename} again (1008837)"
                await self._save(batch, "try_again", kind=kind, job_id=job_id, reason=reason)
                continue
            filename = batch.files[kind]["filename"]
            detail = f": {'; '.join(messages[:3])}" if messages else ""
            await self._save(
                batch,
                "failed",
                kind=kind,
                job_id=job_id,
                reason=f"DATEV rejected {filename}{detail}",
                messages=messages,
            )
            telemetry.datev_job("failed")
            return steps
        return steps

    async def _upload(self, api: DatevClient, batch: Batch, kind: str) -> tuple[str, float | None]:
        """Post ``kind``'s file once: intent first; after a lost answer, the job list first."""
        await self.gateway.ensure_visible(api, batch.client_id)
        rules = self.rules.client(batch.client_id)
        f = (await asyncio.to_thread(sealed_files, batch, rules.mapping))[kind]
        intent = batch.intents.get(kind)
        if intent is not None and (intent["filename"], intent["sha256"]) != (f.filename, f.sha256):
            intent = None
        if intent is not None:
            earlier = await api.find_job(
                batch.client_id, intent["reference_id"], f.filename, f.sha256
            )
            if earlier is not None and earlier.result != "failed":
                log.info("batch %s: %s already reached DATEV as job %s", batch.id, kind, earlier.id)
                await self._save(
                    batch,
                    "submitted",
                    kind=kind,
                    job_id=earlier.id,
                    filename=f.filename,
                    already_submitted=True,
                )
                return earlier.id, None
            if earlier is not None:  # that upload failed: a new upload gets a new reference
                intent = None
        if intent is None:
            reference = batch.next_reference(kind)
            await self._save(
                batch,
                "intended",
                kind=kind,
                filename=f.filename,
                reference_id=reference,
                sha256=f.sha256,
            )
        else:
            reference = intent["reference_id"]
        sub = await api.submit_extf(batch.client_id, f.filename, f.data, reference)
        await self._save(
            batch,
            "submitted",
            kind=kind,
            job_id=sub.job_id,
            filename=f.filename,
            already_submitted=sub.already_submitted,
        )
        telemetry.datev_job("submitted")
        return sub.job_id, sub.retry_after_s

    async def _poll(
        self, api: DatevClient, client_id: str, job_id: str, schedule: JobPollSchedule
    ) -> ExtfJob | None:
        """One GET of the job; a 429/5xx only moves the schedule on (Retry-After as floor)."""
        try:
            found = await api.get_job(client_id, job_id)
        except (DatevRateLimited, DatevServerError) as exc:
            schedule.polled(self.clock(), getattr(exc, "retry_after_s", None))
            return None
        schedule.polled(self.clock())
        return found

    async def _stuck(self, batch: Batch, kind: str, job_id: str, gets: int) -> int:
        self._polls.pop(job_id, None)
        await self._save(
            batch,
            "failed",
            kind=kind,
            job_id=job_id,
            reason=f"DATEV job {job_id} still pending after {gets} polling rounds; "
            "check it in DATEV, then `ml-connector replay batch` (safe: the job is looked up "
            "before anything is uploaded again)",
            messages=[],
        )
        telemetry.datev_job("failed")
        return 1

    async def _save(self, batch: Batch, what: str, **kw: Any) -> None:
        if what == "intended":
            await asyncio.to_thread(self.ledger.record_submit_intent, batch, **kw)
            return
        await asyncio.to_thread(self.ledger.record_job, batch, what, **kw)
