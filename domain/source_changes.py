"""What changes a ``SourceDocument``: an observed version or deletion, a booking decision.

Both are idempotent: the same version seen again (webhook, poller, redelivery) or the same
decision made again raises no event. Posted lines are never edited: a changed or deleted record
plans reversals (``domain.reversal``) plus its new lines.
"""

from __future__ import annotations

from datetime import date

from domain.booking import BookingLine, DerivationResult, Parked, Planned
from domain.changes import ProcoreChange, content_hash
from domain.reversal import ReversalMethod, plan_rebooking, storno_notes
from domain.source_document import SourceDocument, dump_lines


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
