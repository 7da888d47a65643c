"""The ``SourceDocument`` aggregate: everything the connector knows about one Procore record.

Its events are the record's audit trail: every version observed (by content hash), the booking
decision for it (planned lines, parked with a reason, or ignored by a rule), the batch its lines
went into, its uploaded invoice PDF, and its deletion. Posted is posted: lines in a sealed batch
are never changed; later versions plan reversals plus new lines (``source_changes`` decides
which events a change or a decision raises).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.booking import BookingLine
from domain.changes import RecordRef

LineDicts = list[dict[str, Any]]


def dump_lines(lines: list[BookingLine] | tuple[BookingLine, ...]) -> LineDicts:
    return [line.model_dump(mode="json") for line in lines]


def load_lines(lines: LineDicts) -> list[BookingLine]:
    return [BookingLine.model_validate(line) for line in lines]


_SHARED_ON_COPY = frozenset({"record", "context"})


class SourceDocument(Aggregate):
    """One Procore record (requisition, direct cost, commitment or vendor)."""

    INITIAL_VERSION = 1

    @staticmethod
    def create_id(key: str) -> UUID:
        return RecordRef.parse(key).aggregate_id

    def __deepcopy__(self, memo: dict[int, Any]) -> SourceDocument:
        """A copy sharing ``record`` and ``context``: events only ever replace them, never change
        them in place, and they are most of the document (copying them was most of a load)."""
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            shared = name in _SHARED_ON_COPY
            clone.__dict__[name] = value if shared else copy.deepcopy(value, memo)
        return clone

    @event("Registered")
    def __init__(self, key: str, resource: str) -> None:
        self.key = key
        self.resource = resource
        self.current_hash: str | None = None
        self.status: str | None = None
        self.deleted = False
        self.record: dict[str, Any] | None = None
        self.context: dict[str, Any] | None = None
        self.client_id: str | None = None
        self.decision: str = "observed"  # observed | planned | parked | ignored | batched
        self.reason: str | None = None
        self.desired: LineDicts = []  # lines in force once the pending plan is posted
        self.pending: LineDicts = []  # lines to emit in the next batch
        self.posted: LineDicts = []  # lines in force in DATEV (net of reversals)
        self.plan_no = 0
        self.notes: list[str] = []
        self.batches: list[str] = []
        self.document_guid: str | None = None
        self.document_state: str | None = None  # uploaded | failed
        self.document_failure: str | None = None  # why the PDF is parked (DUO code and text)
        self.document_retryable = True  # False once DUO refused the PDF for good
        self.link_dropped: str | None = None  # why lines were sealed without Beleglink
        self.document_elsewhere: str | None = None  # DUO holds the file as another document

    # -- observations -------------------------------------------------------------------------

    @event("VersionObserved")
    def observe_version(
        self,
        record_key: str,
        content_hash: str,
        status: str | None,
        source: str,
        event_id: str | None,
        observed_at: datetime,
        record: dict[str, Any],
        context: dict[str, Any] | None = None,
    ) -> None:
        self.current_hash = content_hash
        self.status = status
        self.deleted = False
        self.record = record
        self.context = context

    @event("Deleted")
    def mark_deleted(
        self, record_key: str, source: str, event_id: str | None, observed_at: datetime
    ) -> None:
        self.deleted = True
        self.current_hash = None

    def has_seen(self, content_hash: str) -> bool:
        """True if this exact version is the current one (re-observing it changes nothing)."""
        return self.current_hash == content_hash

    # -- decisions ----------------------------------------------------------------------------

    @event("LinesPlanned")
    def plan_lines(
        self,
        record_key: str,
        client_id: str,
        plan_no: int,
        desired: LineDicts,
        pending: LineDicts,
        notes: list[str],
        status: str | None,
    ) -> None:
        self.client_id = client_id
        self.plan_no = plan_no
        self.notes = notes  # what the plan shortened, adjusted or assumed (audit)
        self.desired = desired
        self.pending = pending
        self.decision = "planned" if pending else ("batched" if self.posted else "planned")
        self.reason = None

    @event("Parked")
    def park(
        self, record_key: str, client_id: str | None, reason: str, field: str, fix: str
    ) -> None:
        self.client_id = client_id or self.client_id
        self.pending = []
        self.desired = self.posted
        self.decision = "parked"
        self.reason = f"{reason} (field {field}; fix: {fix})"

    @event("Ignored")
    def ignore(self, record_key: str, client_id: str | None, reason: str) -> None:
        self.client_id = client_id or self.client_id
        self.pending = []
        self.desired = self.posted
        self.decision = "ignored"
        self.reason = reason

    @event("LinesBatched")
    def mark_batched(
        self,
        record_key: str,
        batch_id: str,
        plan_no: int,
        line_ids: list[str],
        notes: list[str] | None = None,  # what sealing changed (events stored before: none)
    ) -> None:
        if notes:
            self.notes = [*self.notes, *notes]
        self.posted = self.desired
        self.pending = []
        self.batches.append(batch_id)
        self.decision = "batched"

    @event("BatchRejected")
    def batch_rejected(
        self, record_key: str, batch_id: str, posted: LineDicts, by: str, note: str
    ) -> None:
        """The advisor rejected the batch: back to what was posted before it (then re-planned)."""
        self.posted = posted
        self.desired = posted
        self.pending = []
        self.batches = [b for b in self.batches if b != batch_id]
        self.decision = "planned"

    @event("DocumentUploaded")
    def document_uploaded(
        self, record_key: str, guid: str, filename: str, client_id: str, held_elsewhere: str = ""
    ) -> None:
        """In DUO; ``held_elsewhere``: DUO already had the file as another document (#DCO01253),
        so no document carries ``guid`` and a Beleglink to it would lead nowhere."""
        self.document_guid = guid
        self.document_state = "uploaded"
        self.document_failure = None
        self.document_elsewhere = held_elsewhere or None

    @event("DocumentFailed")
    def document_failed(self, record_key: str, guid: str, reason: str, retryable: bool) -> None:
        self.document_guid = guid
        self.document_state = "failed"
        self.document_failure = reason
        self.document_retryable = retryable

    @event("BeleglinkDropped")
    def drop_beleglink(self, record_key: str, guid: str, reason: str) -> None:
        """Lines sealed without their BEDI link: DUO does not hold the document."""
        self.link_dropped = reason

    @event("ReplayRequested")
    def request_replay(self, record_key: str, requested_by: str, note: str) -> None:
        self.reason = None
        if self.document_state == "failed":
            self.document_state = None  # the upload is tried again
            self.document_failure = None
            self.document_retryable = True

    # -- queries ------------------------------------------------------------------------------

    @property
    def pending_lines(self) -> list[BookingLine]:
        return load_lines(self.pending)

    @property
    def posted_lines(self) -> list[BookingLine]:
        return load_lines(self.posted)
