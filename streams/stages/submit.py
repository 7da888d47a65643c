"""Submission: sealed batches → DATEV EXTF jobs → polled to succeeded or failed.

Each batch gets a fresh access token. Its creditor file goes first, then the Buchungsstapel. The
job id is recorded before polling, so after a crash polling resumes; a crash between upload and
recording is safe too: the re-upload under the same name is recognised as already done.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from adapters.datev.client import DatevClient
from adapters.datev.errors import DatevError, DatevLoginExpired
from adapters.datev.polling import PollPolicy
from domain.batch import Batch
from streams.config import telemetry
from streams.ledger.application import Ledger, event_topic
from streams.ledger.rules import BookingRules
from streams.stages.datev_gateway import DatevGateway
from streams.stages.seal import batch_files

log = logging.getLogger(__name__)

OPENING_EVENTS = (event_topic(Batch, "Sealed"), event_topic(Batch, "ResubmitRequested"))
MAX_PENDING_ROUNDS = 40  # polling rounds before a job counts as stuck and is parked
RETRY_BACKOFF_MAX_S = 300.0  # a batch whose submission failed transiently waits at most this


class Submitter:
    def __init__(
        self,
        ledger: Ledger,
        rules: BookingRules,
        gateway: DatevGateway,
        policy: PollPolicy | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.ledger = ledger
        self.rules = rules
        self.gateway = gateway
        self.policy = policy or PollPolicy()
        self.now = now
        self._open: dict[UUID, None] = {}
        self._scanned = 0
        self._pending_rounds: dict[UUID, int] = {}
        self._retry_at: dict[UUID, tuple[datetime, int]] = {}  # backoff after transient errors

    def retry_now(self) -> None:
        """Forget every batch's backoff, e.g. after the operator fixed the cause."""
        self._retry_at.clear()

    def _refresh_open(self) -> list[UUID]:
        for n in self.ledger.scan(list(OPENING_EVENTS), start=self._scanned + 1):
            self._scanned = n.id
            self._open[UUID(str(n.originator_id))] = None
        return list(self._open)

    async def run_once(self) -> int:
        """Advance every open batch once; returns how many changed state."""
        changed = 0
        for batch_id in await asyncio.to_thread(self._refresh_open):
            batch = await asyncio.to_thread(self.ledger.aggregate, batch_id)
            if not isinstance(batch, Batch) or batch.state in ("completed", "failed"):
                self._open.pop(batch_id, None)
                self.gateway.forget(f"batch:{batch_id}")
                continue
            waiting = self._retry_at.get(batch_id)
            if waiting is not None and self.now() < waiting[0]:
                continue
            try:
                async with self.gateway.session(f"batch:{batch_id}") as api:
                    changed += await self._advance(api, batch)
            except DatevLoginExpired:
                log.error("%s; %d batch(es) wait", self.gateway.login_problem, len(self._open))
                return changed
            except DatevError as exc:
                await self._defer(batch, exc)
            else:
                self._retry_at.pop(batch_id, None)
        return changed

    async def _defer(self, batch: Batch, exc: DatevError) -> None:
        """Transient: retry later with backoff. Permanent (e.g. 4xx): the batch fails."""
        if not exc.retryable:
            kind = batch.next_file() or "bookings"
            job_id = batch.jobs.get(kind, {}).get("job_id")
            await self._save(
                batch, "failed", kind=kind, job_id=job_id, reason=str(exc), messages=[]
            )
            return
        attempts = self._retry_at.get(batch.id, (self.now(), 0))[1] + 1
        delay = min(2.0**attempts, RETRY_BACKOFF_MAX_S)
        self._retry_at[batch.id] = (self.now() + timedelta(seconds=delay), attempts)
        log.warning("batch %s: %s; retrying in %.0f s", batch.id, exc, delay)
        if batch.failure != str(exc):  # one audit event per distinct problem, not per retry
            await self._save(batch, "deferred", reason=str(exc), retryable=True)

    async def _advance(self, api: DatevClient, batch: Batch) -> int:
        rules = self.rules.client(batch.client_id)
        steps = 0
        while (kind := batch.next_file()) is not None:
            job = batch.jobs.get(kind)
            if job is None:
                files = await asyncio.to_thread(batch_files, batch, rules)
                f = files[kind]
                sub = await api.submit_extf(batch.client_id, f.filename, f.data, str(batch.id))
                await self._save(
                    batch,
                    "submitted",
                    kind=kind,
                    job_id=sub.job_id,
                    filename=f.filename,
                    already_submitted=sub.already_submitted,
                )
                telemetry.datev_job("submitted")
                retry_after = sub.retry_after_s
                steps += 1
            else:
                retry_after = None
            job_id = batch.jobs[kind]["job_id"]
            started = time.monotonic()
            result = await api.poll_job(batch.client_id, job_id, self.policy, retry_after)
            telemetry.datev_job_polled(result.gets_used, time.monotonic() - started)
            if result.status == "succeeded":
                await self._save(
                    batch,
                    "completed",
                    kind=kind,
                    job_id=job_id,
                    records=result.number_of_accounting_records,
                )
                telemetry.datev_job("completed")
                self._pending_rounds.pop(batch.id, None)
                steps += 1
                continue
            if result.status == "failed":
                await self._save(
                    batch,
                    "failed",
                    kind=kind,
                    job_id=job_id,
                    reason=f"DATEV rejected {batch.files[kind]['filename']}",
                    messages=result.messages,
                )
                telemetry.datev_job("failed")
                return steps + 1
            rounds = self._pending_rounds.get(batch.id, 0) + 1
            self._pending_rounds[batch.id] = rounds
            if rounds >= MAX_PENDING_ROUNDS:
                await self._save(
                    batch,
                    "failed",
                    kind=kind,
                    job_id=job_id,
                    reason=f"DATEV job {job_id} still pending after {rounds} polling rounds; "
                    "check it in DATEV, then `ml-connector replay batch` (safe: same file name)",
                    messages=[],
                )
                telemetry.datev_job("failed")
                return steps + 1
            return steps
        return steps

    async def _save(self, batch: Batch, what: str, **kw: Any) -> None:
        await asyncio.to_thread(self.ledger.record_job, batch, what, **kw)
