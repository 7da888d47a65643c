"""The ``WithholdingYear`` aggregate: a supplier's consideration per calendar year (§ 48 EStG).

§ 48 Abs. 2 EStG: the recipient of construction services does not withhold 15 % when the
supplier's consideration in the calendar year does not exceed 5,000 EUR (15,000 EUR when the
recipient makes exclusively VAT-free letting supplies). Derivation computes the withholding
line and a ``WithholdingClaim``; this module counts the supplier's year and drops the line while
the year stays within the limit — the audit note says why either way.

The year counts what the connector booked for the supplier so far, each record once with its
latest amount; the law asks for the *expected* yearly total, so the note on the invoice that
crosses the limit names the earlier invoices that were not withheld, for the tax advisor.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.booking import Planned, WithholdingClaim
from domain.money import ZERO

WITHHOLDING_NAMESPACE = uuid.UUID("8e4b1f27-5c9a-4d63-a0b8-2f7e6d1c9a45")


def year_id(client_id: str, vendor_id: int, year: int) -> UUID:
    return uuid.uuid5(WITHHOLDING_NAMESPACE, f"{client_id}:{vendor_id}:{year}")


class WithholdingYear(Aggregate):
    """Consideration booked per record for one supplier in one calendar year of one client."""

    INITIAL_VERSION = 1

    @staticmethod
    def create_id(client_id: str, vendor_id: int, year: int) -> UUID:
        return year_id(client_id, vendor_id, year)

    @event("Opened")
    def __init__(self, client_id: str, vendor_id: int, year: int) -> None:
        self.client_id = client_id
        self.vendor_id = vendor_id
        self.year = year
        self.amounts: dict[str, str] = {}  # record key -> gross consideration (decimal string)

    @event("Counted")
    def count(self, record_key: str, amount: str) -> None:
        self.amounts[record_key] = amount

    def total(self, excluding: str = "") -> Decimal:
        return sum((Decimal(v) for k, v in self.amounts.items() if k != excluding), ZERO)


def new_year(client_id: str, claim: WithholdingClaim) -> WithholdingYear:
    return WithholdingYear(client_id=client_id, vendor_id=claim.vendor_id, year=claim.year)


def apply_small_amount_limit(result: Planned, record_key: str, year: WithholdingYear) -> Planned:
    """``result`` without its withholding line while the supplier's year is within the limit."""
    claim = result.withholding
    if claim is None:
        return result
    if year.amounts.get(record_key) != str(claim.base):
        year.count(record_key=record_key, amount=str(claim.base))
    before = year.total(excluding=record_key)
    total = before + claim.base
    where = f"vendor {claim.vendor_id}, {claim.year}"
    if total <= claim.limit:
        note = (
            f"§ 48 EStG: no withholding — the consideration for {where} is {total} including "
            f"this invoice, within the small-amount limit of {claim.limit} (§ 48 Abs. 2)"
        )
        lines = tuple(line for line in result.lines if line.line_id != claim.line_id)
        notes = tuple(n for n in result.notes if not n.startswith("§ 48 EStG: "))
        return result.model_copy(update={"lines": lines, "notes": (*notes, note)})
    note = f"§ 48 EStG: the consideration for {where} is {total}, above the limit of {claim.limit}"
    if before and before <= claim.limit:
        note += (
            f"; earlier invoices of the year ({before}) were not withheld — check with the "
            "tax advisor"
        )
    return result.model_copy(update={"notes": (*result.notes, note)})
