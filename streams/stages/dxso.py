"""Destination ``dxso``: a sealed batch's invoices into DUO's accounts-payable ledger.

One DXSO job per batch (DATEV XML interface online, ADR 013): ``document.xml``, one ledger XML
per Procore record and the invoice PDFs, downloaded from Procore when the job is built. DATEV
imports nothing until the job is finalised, and the dxso-jobs API has no job list, so exactly
once rests on the order of our own records:

1. ``SubmitIntended`` (kind ``dxso``) is stored before the job is created;
2. the job id (``JobSubmitted``) before any file is attached or the job finalised;
3. the final state with DATEV's protocol entries (``DxsoJobEnded``).

A batch with an intent but no job id lost the create answer: DATEV may hold an *open, empty*
job that never imports anything, so a new job is created. A batch with a job id whose state this
worker does not know (a restart) is asked first: still open (0) means it was never finalised —
cancelled and built anew; running or final means it is polled, never posted again. Polling uses
the EXTF jobs' one backoff per job (:class:`~adapters.datev.polling.JobPollSchedule`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from adapters.backoff import Backoff
from adapters.datev.client import DatevClient
from adapters.datev.dxso import DxsoJobs, DxsoStatus, ImportType
from adapters.datev.errors import DatevError, DatevRateLimited, DatevServerError
from adapters.datev.polling import JobPollSchedule, PollPolicy
from adapters.procore.errors import ProcoreError
from domain.batch import Batch
from domain.dxso import (
    PayableInvoice,
)
from domain.planning import document_guid, invoice_attachment
from domain.source_document import SourceDocument
from streams.config import telemetry
from streams.ledger.application import Ledger
from streams.stages.datev_gateway import LOGIN_ERRORS, DatevGateway
from streams.stages.dxso_build import build_job, parts, read_part
from streams.stages.file_export import AttachmentSource

log = logging.getLogger(__name__)

KIND = "dxso"
IMPORT_TYPE: ImportType = "accountsPayableLedgerImport"
MAX_PENDING_GETS = 40  # GETs that found the job running before it counts as stuck
RETRY_BACKOFF = Backoff(base_s=2.0, max_s=300.0)  # transient failures: 2 s doubling, ≤ 5 min


def in_flight(batch: Batch) -> bool:
    """A DXSO job may be under way: it finishes as DXSO whatever the destination is now."""
    job = batch.jobs.get(KIND)
    return (job is None and KIND in batch.intents) or (job or {}).get("result") == "pending"


def accounting_month(invoices: list[PayableInvoice]) -> str:
    """The job's accounting month: that of the latest invoice (first day, as the spec's date)."""
    latest = max(inv.invoice_date for inv in invoices)
    return latest.replace(day=1).isoformat()


class DxsoStage:
    def __init__(
        self,
        ledger: Ledger,
        gateway: DatevGateway,
        base_url: str,
        procore: AttachmentSource | None,
        policy: PollPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.ledger = ledger
        self.gateway = gateway
        self.base_url = base_url
        self.procore = procore
        self.policy = policy or PollPolicy()
        self.clock = clock
        self.now = now
        self._polls: dict[str, JobPollSchedule] = {}  # job id -> its one backoff schedule
        self._retry_at: dict[UUID, tuple[datetime, int]] = {}

    def takes(self, batch: Batch, destination: str, at_extf: bool) -> bool:
        """Whether this stage delivers the batch (the submit stage's one routing question)."""
        return in_flight(batch) or (destination == KIND and not at_extf)

    async def advance(self, batch: Batch) -> int:
        """One step of the batch's job (build and post, or one poll); returns steps taken."""
        waiting = self._retry_at.get(batch.id)
        if not self.gateway.may_call() or (waiting is not None and self.now() < waiting[0]):
            return 0
        try:
            async with self.gateway.session(f"batch:{batch.id}") as api:
                steps = await self._step(api, batch)
        except LOGIN_ERRORS:
            log.error("%s; DXSO batch %s waits", self.gateway.login_problem, batch.id)
            return 0
        except (DatevError, ProcoreError) as exc:
            return await self._defer(batch, exc)
        self._retry_at.pop(batch.id, None)
        return steps

    async def _step(self, api: DatevClient, batch: Batch) -> int:
        jobs = DxsoJobs(api, self.base_url)
        job = batch.jobs.get(KIND)
        if job is None:
            return await self._post(api, jobs, batch)
        job_id = str(job["job_id"])
        schedule = self._polls.get(job_id)
        if schedule is None:  # not posted by this worker: how far did it get?
            found = await jobs.status(batch.client_id, job_id)
            if found.status == 0:
                return await self._abandon(jobs, batch, job_id)
            now = self.clock()  # that GET counts: the backoff goes on from it
            schedule = JobPollSchedule(self.policy, now + self.policy.delay(1, None), 1, now)
            self._polls[job_id] = schedule
        elif not schedule.due(self.clock()):
            return 0
        else:
            try:
                found = await jobs.status(batch.client_id, job_id)
            except (DatevRateLimited, DatevServerError) as exc:
                schedule.polled(self.clock(), getattr(exc, "retry_after_s", None))
                return 0
            schedule.polled(self.clock())
        if found.final:
            return await self._end(jobs, batch, found, schedule)
        if schedule.gets >= MAX_PENDING_GETS:
            reason = (
                f"DATEV DXSO job {job_id} still {found.name} after {schedule.gets} polls; check "
                "it in DATEV Unternehmen online, then `ml-connector replay batch` (safe: the job's "
                "state is asked first, nothing is posted again while it runs)"
            )
            await self._record(
                batch, "failed", kind=KIND, job_id=job_id, reason=reason, messages=[]
            )
            return 1
        return 0

    async def _post(self, api: DatevClient, jobs: DxsoJobs, batch: Batch) -> int:
        """Build the job's files, record the intent, create, record the id, attach, finalise.

        The PDFs wait on disk, not in memory, and go in parts of at most ``PART_BYTES`` (a
        batch may hold thousands of invoices).
        """
        with tempfile.TemporaryDirectory(prefix="mlc-dxso-") as spool:
            invoices, xml, pdfs = await build_job(self.ledger, self.procore, batch, Path(spool))
            await self.gateway.ensure_visible(api, batch.client_id)
            # document.xml names every PDF, so the XML files fix the job's content
            digest = hashlib.sha256(b"".join(xml[n] for n in sorted(xml))).hexdigest()
            reference = batch.next_reference(KIND)
            await asyncio.to_thread(
                self.ledger.record_submit_intent,
                batch,
                kind=KIND,
                filename="document.xml",
                reference_id=reference,
                sha256=digest,
            )
            created = await jobs.create(batch.client_id, IMPORT_TYPE, accounting_month(invoices))
            await self._record(
                batch,
                "submitted",
                kind=KIND,
                job_id=created.id,
                filename="document.xml",
                already_submitted=False,
            )
            await jobs.add_files(batch.client_id, created.id, xml)
            for part in parts(pdfs):
                files = await asyncio.to_thread(read_part, part)
                await jobs.add_files(batch.client_id, created.id, files)
            sent = {inv.key: inv.pdf_name for inv in invoices if inv.pdf_name}
            await self._record(batch, "dxso_attached", job_id=created.id, pdfs=sent)
        await jobs.finalise(batch.client_id, created.id)
        self._polls[created.id] = JobPollSchedule.after_upload(self.policy, self.clock(), None)
        telemetry.datev_job("submitted")
        log.info(
            "batch %s: DXSO job %s with %d invoice(s), %d PDF(s)",
            batch.id,
            created.id,
            len(invoices),
            len(pdfs),
        )
        return 1

    async def _abandon(self, jobs: DxsoJobs, batch: Batch, job_id: str) -> int:
        """An open job was never finalised (nothing imported): cancel it, build a new one."""
        try:
            await jobs.cancel(batch.client_id, job_id)
        except DatevError as exc:
            if not str(exc).count("DCO01007"):
                raise
            self._polls.pop(job_id, None)  # finalised meanwhile: it is polled next round
            return 0
        reason = f"DXSO job {job_id} was open and never finalised; cancelled, a new job follows"
        log.info("batch %s: %s", batch.id, reason)
        await self._record(batch, "dxso_abandoned", job_id=job_id, reason=reason)
        return 1

    async def _end(
        self, jobs: DxsoJobs, batch: Batch, found: DxsoStatus, schedule: JobPollSchedule
    ) -> int:
        entries = await jobs.protocol(batch.client_id, found.id)
        protocol = [e.model_dump() for e in entries]
        self._polls.pop(found.id, None)
        telemetry.datev_job_polled(schedule.gets, self.clock() - schedule.started_at)
        reason = None
        if found.status != 2:
            errors = [f"{e.filename}: {e.text}" for e in entries if e.type == "error"]
            detail = f": {'; '.join(errors[:3])}" if errors else ""
            reason = f"DATEV DXSO job {found.id} {found.name} (state {found.status}){detail}"
            if found.status == 4:
                reason += (
                    " — the other invoices are booked; fix these in DATEV Unternehmen online, "
                    "a replay would post the booked ones again"
                )
        if found.status == 2:  # first, so a crash here repeats only the marking
            await asyncio.to_thread(self._pdfs_delivered, batch, found.id)
        await self._record(
            batch, "dxso_ended", job_id=found.id, status=found.status, protocol=protocol,
            reason=reason,
        )  # fmt: skip
        telemetry.datev_job("completed" if reason is None else "failed")
        return 1

    def _pdfs_delivered(self, batch: Batch, job_id: str) -> None:
        """The records' invoice PDFs are in DUO now, with the job (status page, close report)."""
        for key, name in (batch.jobs.get(KIND, {}).get("pdfs") or {}).items():
            doc = self.ledger.document(SourceDocument.create_id(key))
            attachment = invoice_attachment((doc.record if doc else None) or {})
            if doc is None or attachment is None or doc.document_state == "uploaded":
                continue
            guid = doc.document_guid or document_guid(key, attachment)
            self.ledger.record_upload(doc.id, guid, filename=f"{name} (in DXSO job {job_id})")

    async def _defer(self, batch: Batch, exc: Exception) -> int:
        """Transient: retry with backoff. Permanent (e.g. a refused client): the batch fails."""
        if not getattr(exc, "retryable", isinstance(exc, ProcoreError)):
            job_id = batch.jobs.get(KIND, {}).get("job_id")
            messages = exc.messages if isinstance(exc, DatevError) else [str(exc)]
            await self._record(
                batch, "failed", kind=KIND, job_id=job_id, reason=str(exc), messages=messages
            )
            return 1
        attempts = self._retry_at.get(batch.id, (self.now(), 0))[1] + 1
        delay = RETRY_BACKOFF.delay(attempts, getattr(exc, "retry_after_s", None))
        self._retry_at[batch.id] = (self.now() + timedelta(seconds=delay), attempts)
        log.warning("DXSO batch %s: %s; retrying in %.0f s", batch.id, exc, delay)
        if batch.failure != str(exc):
            await self._record(batch, "deferred", reason=str(exc), retryable=True)
        return 0

    async def _record(self, batch: Batch, what: str, **kw: Any) -> None:
        await asyncio.to_thread(self.ledger.record_job, batch, what, **kw)
