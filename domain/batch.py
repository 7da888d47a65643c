"""The ``Batch`` aggregate: one sealed EXTF delivery to one DATEV client, and its DATEV jobs.

A batch is sealed once with its lines and creditor rows (the bytes are a pure function of them,
so the same batch always yields the same files and filenames) and then follows the DATEV jobs:
the creditor master file first (when there is one), then the Buchungsstapel.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

BATCH_NAMESPACE = uuid.UUID("0c6f5d1e-2b8a-4c3d-9e7f-1a2b3c4d5e6f")

FileKind = Literal["creditors", "bookings"]
BatchState = Literal["in_review", "sealed", "submitted", "completed", "failed", "rejected"]


def batch_id_for(client_id: str, seal_position: int, part: int = 0) -> UUID:
    """Deterministic batch id: client, the notification position the seal covered, file part."""
    return uuid.uuid5(BATCH_NAMESPACE, f"{client_id}:{seal_position}:{part}")


class Batch(Aggregate):
    """An EXTF batch for one DATEV client."""

    INITIAL_VERSION = 1

    @staticmethod
    def create_id(client_id: str, seal_position: int, part: int) -> UUID:
        return batch_id_for(client_id, seal_position, part)

    @event("Sealed")
    def __init__(
        self,
        client_id: str,
        seal_position: int,
        part: int,
        created: datetime,
        lines: list[dict[str, Any]],
        record_keys: list[str],
        creditors: list[dict[str, Any]],
        files: dict[str, dict[str, Any]],
        label: str = "",
    ) -> None:
        self.client_id = client_id
        self.seal_position = seal_position
        self.part = part
        self.created = created
        self.lines = lines
        self.record_keys = record_keys
        self.creditors = creditors
        self.files = files  # kind -> {filename, sha256, size, lines}
        self.label = label  # header Bezeichnung; "" for batches sealed before labels
        self.jobs: dict[str, dict[str, Any]] = {}  # kind -> {job_id, result, messages}
        # kind -> {filename, reference_id, sha256}: recorded before each upload (exactly once
        # without server-side dedup: after a crash the job is looked up by this reference).
        self.intents: dict[str, dict[str, Any]] = {}
        self.uploads = 0  # intents recorded so far: numbers each upload's reference
        self.state: BatchState = "sealed"
        self.failure: str | None = None
        self.attempts = 0
        self.retries = 0  # DATEV "try again" answers (1008837)
        self.review: dict[str, Any] | None = None  # {decision, by, at, note} once decided

    @event("SubmitIntended")
    def submit_intended(self, kind: str, filename: str, reference_id: str, sha256: str) -> None:
        self.intents[kind] = {"filename": filename, "reference_id": reference_id, "sha256": sha256}
        self.uploads += 1

    def next_reference(self, kind: str) -> str:
        """A fresh ``Reference-Id`` stem for the next upload of ``kind`` (unique per upload)."""
        return f"{self.id}.{kind}.{self.uploads + 1}"

    @event("TryAgainRequested")
    def try_again(self, kind: str, job_id: str, reason: str) -> None:
        """DATEV failed the job internally (1008837): forget it; the file is uploaded anew."""
        self.jobs.pop(kind, None)
        self.intents.pop(kind, None)
        self.retries += 1
        self.failure = reason

    # -- review before DATEV (mapping option schedule.review) ----------------------------------

    @event("HeldForReview")
    def hold_for_review(self) -> None:
        """Sealed, but DATEV gets it only once the advisor approves."""
        self.state = "in_review"

    @event("ReviewApproved")
    def approve(self, by: str, at: datetime, note: str) -> None:
        self.state = "sealed"  # the submitter takes it from here
        self.review = {"decision": "approved", "by": by, "at": at.isoformat(), "note": note}

    @event("ReviewRejected")
    def reject(self, by: str, at: datetime, note: str) -> None:
        """Never submitted; its lines went back to their records as pending."""
        self.state = "rejected"
        self.review = {"decision": "rejected", "by": by, "at": at.isoformat(), "note": note}

    @event("JobSubmitted")
    def job_submitted(self, kind: str, job_id: str, filename: str, already_submitted: bool) -> None:
        self.jobs[kind] = {"job_id": job_id, "result": "pending", "messages": []}
        self.state = "submitted"

    @event("JobCompleted")
    def job_completed(self, kind: str, job_id: str, records: int | None) -> None:
        self.jobs[kind] = {"job_id": job_id, "result": "succeeded", "messages": []}
        if all(self.jobs.get(k, {}).get("result") == "succeeded" for k in self.files):
            self.state = "completed"

    @event("DxsoJobEnded")
    def dxso_job_ended(
        self, job_id: str, status: int, protocol: list[dict[str, str]], reason: str | None
    ) -> None:
        """Destination ``dxso``: the job reached a final state (2 done, else failed); DATEV's
        protocol entries are kept here because DUO keeps them only about two months."""
        done = status == 2
        pdfs = self.jobs.get("dxso", {}).get("pdfs", {})
        errors = [
            f"{e.get('filename', '')}: {e.get('text', '')}"
            for e in protocol
            if e.get("type") == "error"
        ]
        self.jobs["dxso"] = {
            "job_id": job_id,
            "result": "succeeded" if done else "failed",
            "messages": [] if done else errors,
            "status": status,
            "protocol": protocol,
            "pdfs": pdfs,
        }
        self.state = "completed" if done else "failed"
        self.failure = None if done else reason

    @event("DxsoFilesAttached")
    def dxso_files_attached(self, job_id: str, pdfs: dict[str, str]) -> None:
        """Every file is in the job (about to be finalised); ``pdfs``: record key → PDF name."""
        self.jobs["dxso"] = {**self.jobs.get("dxso", {}), "job_id": job_id, "pdfs": pdfs}

    @event("DxsoJobAbandoned")
    def dxso_job_abandoned(self, job_id: str, reason: str) -> None:
        """An open DXSO job (never finalised, so nothing imported) is dropped for a new one."""
        self.jobs.pop("dxso", None)
        self.intents.pop("dxso", None)

    @event("JobFailed")
    def job_failed(self, kind: str, job_id: str | None, reason: str, messages: list[str]) -> None:
        sent = self.jobs.get(kind, {}).get("pdfs")  # a DXSO job's PDFs, if it got that far
        self.jobs[kind] = {"job_id": job_id, "result": "failed", "messages": messages}
        if sent is not None:
            self.jobs[kind]["pdfs"] = sent
        self.state = "failed"
        self.failure = reason

    @event("SubmissionDeferred")
    def submission_deferred(self, reason: str, retryable: bool) -> None:
        self.attempts += 1
        self.failure = reason

    @event("ResubmitRequested")
    def request_resubmit(self, requested_by: str, note: str) -> None:
        self.state = "sealed"
        self.failure = None
        kept = {k: v for k, v in self.jobs.items() if v.get("result") == "succeeded"}
        dxso = self.jobs.get("dxso")
        if dxso and dxso.get("job_id") and dxso.get("status") not in (3, 5):
            # A DXSO job not known to have ended without importing (still running when given
            # up, or partly done) is asked about again first, never posted anew (ADR 013).
            kept["dxso"] = {**dxso, "result": "pending"}
        self.jobs = kept
        self.attempts = 0

    def next_file(self) -> str | None:
        """The next file kind to submit or poll (creditors first), or None when all succeeded."""
        for kind in ("creditors", "bookings"):
            if kind in self.files and self.jobs.get(kind, {}).get("result") != "succeeded":
                return kind
        return None
