"""The ``SourceDocument`` aggregate: everything the connector knows about one Procore record.

Its events are the record's audit trail: every version observed (by content hash), the booking
decision for it (planned lines, parked with a reason, or ignored by a rule), the batch its lines
went into, its uploaded invoice PDF, and its deletion. Posted is posted: lines in a sealed batch
are never changed; later versions plan reversals plus new lines.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.booking import BookingLine, DerivationResult, Parked, Planned
from domain.changes import ProcoreChange, RecordRef, content_hash
from domain.reversal import ReversalMethod, plan_rebooking, storno_notes

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


def fold_change(doc: SourceDocument | None, change: ProcoreChange) -> SourceDocument | None:
    """Apply one observed change; returns the aggregate if it gained events.

    Idempotent: the same version (content hash) observed again, from a webhook, the poller or
    a redelivery, triggers nothing; neither does a second delete.
    """
    if change.action == "delete":
        if doc is None or doc.deleted:
            return None
        doc.mark_deleted(
            record_key=doc.key,
            source=change.source,
            event_id=change.event_id,
            observed_at=change.observed_at,
        )
        return doc
    if change.record is None:
        return None  # only ids: the fetch stage must supply the record first
    digest = content_hash(change.record)
    if doc is None:
        doc = SourceDocument(key=change.key, resource=change.ref.resource)
    elif doc.has_seen(digest):
        return None
    status = change.record.get("status")
    doc.observe_version(
        record_key=doc.key,
        content_hash=digest,
        status=status if isinstance(status, str) else None,
        source=change.source,
        event_id=change.event_id,
        observed_at=change.observed_at,
        record=change.record,
        context=change.context,
    )
    return doc


def apply_decision(
    doc: SourceDocument,
    client_id: str,
    result: DerivationResult | None,
    *,
    method: ReversalMethod = "generalumkehr",
    reversal_date: date | None = None,
) -> bool:
    """Record the booking decision for the current version; returns True if anything changed.

    ``result`` None means the record was deleted. Lines already posted are never edited: a
    changed record plans reversals plus new lines; a deleted one plans reversals only; a record
    that is no longer approved keeps its posting until it is approved again (no flip-flopping).
    """
    posted = doc.posted_lines
    if result is None:  # deleted in Procore
        pending = plan_rebooking(posted, [], method=method, reversal_date=reversal_date)
        return _plan(doc, client_id, [], pending, ["deleted in Procore", *storno_notes(posted)])
    if isinstance(result, Planned):
        desired = list(result.lines)
        pending = (
            plan_rebooking(posted, desired, method=method, reversal_date=reversal_date)
            if posted
            else desired
        )
        reverses = any(line.line_id.endswith("~storno") for line in pending)
        reversed_ = storno_notes(posted) if reverses else []
        return _plan(doc, client_id, desired, pending, [*result.notes, *reversed_])
    if isinstance(result, Parked):
        if doc.decision == "parked" and doc.reason == _parked_reason(result):
            return False
        doc.park(
            record_key=doc.key,
            client_id=client_id,
            reason=result.reason,
            field=result.field,
            fix=result.fix,
        )
        return True
    if doc.decision == "ignored" and doc.reason == result.reason:
        return False
    doc.ignore(record_key=doc.key, client_id=client_id, reason=result.reason)
    return True


def _parked_reason(result: Parked) -> str:
    return f"{result.reason} (field {result.field}; fix: {result.fix})"


def _plan(
    doc: SourceDocument,
    client_id: str,
    desired: list[BookingLine],
    pending: list[BookingLine],
    notes: list[str],
) -> bool:
    desired_d, pending_d = dump_lines(desired), dump_lines(pending)
    if (
        doc.decision in ("planned", "batched")
        and desired_d == doc.desired
        and pending_d == doc.pending
    ):
        return False
    if not pending_d and desired_d == doc.posted and doc.decision == "batched":
        return False
    doc.plan_lines(
        record_key=doc.key,
        client_id=client_id,
        plan_no=doc.plan_no + 1,
        desired=desired_d,
        pending=pending_d,
        notes=notes,
        status=doc.status,
    )
    return True
