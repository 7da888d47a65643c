"""What a booking can use of a Procore record beyond the shape its list returns.

Procore's direct cost list and commitment lists carry no line items (and a direct cost list no
attachments); requisitions in the list's extended view are whole, but booking one needs its
commitment's line items (cost type, tax code per line). A record whose status no client books
is decided ``Ignored`` from its status alone, so reading its show (or its commitment) buys the
booking nothing. ``ReadNeeds`` answers, from every client's mapping, which records must be read
whole; the fetch stage keeps the others as listed and says so in the context (``PARTIAL``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.mapping import BookingSettings

PARTIAL = "partial"  # context key: why line items, attachments or the commitment were not read


@dataclass(frozen=True)
class ReadNeeds:
    """Statuses some client books, per resource (commitments: empty unless one books them)."""

    requisition_statuses: frozenset[str]
    direct_cost_statuses: frozenset[str]
    commitment_statuses: frozenset[str]

    @classmethod
    def of(cls, bookings: Iterable[BookingSettings]) -> ReadNeeds:
        """From every client's ``[booking]`` settings."""
        req: set[str] = set()
        dc: set[str] = set()
        com: set[str] = set()
        for rules in bookings:
            req.update(rules.requisition_statuses)
            dc.update(rules.direct_cost_statuses)
            if rules.book_commitments:
                com.update(s.lower() for s in rules.commitment_statuses)
        return cls(frozenset(req), frozenset(dc), frozenset(com))

    def books(self, resource: str, record: dict[str, Any]) -> bool:
        """True when some client may book this record as it stands (status), so the booking
        needs its line items, attachments and context; vendors and unknown kinds: True."""
        status = record.get("status")
        if not isinstance(status, str):
            return True  # unreadable status: read whole, the decision parks it with the path
        if resource == "requisition":
            return status in self.requisition_statuses
        if resource == "direct_cost":
            return status in self.direct_cost_statuses
        if resource == "commitment":
            return status.lower() in self.commitment_statuses
        return True


def partial_reason(resource: str, record: dict[str, Any]) -> str:
    """The context note for a record kept as listed."""
    what = "its commitment" if resource == "requisition" else "its line items and attachments"
    return f"status {record.get('status')!r} books for no client, so {what} were not read"
