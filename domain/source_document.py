"""The ``SourceDocument`` aggregate: everything the connector knows about one Procore record.

Its events are the audit trail of that record: every version observed (by content hash), the
deletion, and — in later stages — the booking decisions derived from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.changes import ProcoreChange, RecordRef, content_hash


class SourceDocument(Aggregate):
    """One Procore record (requisition, direct cost, commitment or vendor)."""

    INITIAL_VERSION = 1

    @staticmethod
    def create_id(key: str) -> UUID:
        return RecordRef.parse(key).aggregate_id

    @event("Registered")
    def __init__(self, key: str, resource: str) -> None:
        self.key = key
        self.resource = resource
        self.current_hash: str | None = None
        self.status: str | None = None
        self.deleted = False

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
    ) -> None:
        self.current_hash = content_hash
        self.status = status
        self.deleted = False

    @event("Deleted")
    def mark_deleted(
        self, record_key: str, source: str, event_id: str | None, observed_at: datetime
    ) -> None:
        self.deleted = True
        self.current_hash = None

    def has_seen(self, content_hash: str) -> bool:
        """True if this exact version is the current one (re-observing it changes nothing)."""
        return self.current_hash == content_hash


def fold_change(doc: SourceDocument | None, change: ProcoreChange) -> SourceDocument | None:
    """Apply one change to the record's aggregate; returns the aggregate if it gained events.

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
    )
    return doc
