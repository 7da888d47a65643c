"""The facts a month-end close is computed from, as the ledger knows them (plain values).

``RecordFact`` per Procore record, ``LineFact`` per booking line the connector emitted,
``BatchFact`` per batch, ``CommitmentRow`` per commitment; ``domain.close_facts`` derives them
from the aggregates, ``domain.close_report`` turns them into the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Where = Literal["accepted", "submitted", "failed", "pending"]


@dataclass(frozen=True)
class RecordFact:
    """One Procore record of the client, as the ledger knows it."""

    ref: str
    resource: str
    kost1: str
    project: str
    period: str | None  # month of the record's document date
    net_now: Decimal  # net the current version books (0 if not approved or deleted)
    tax_now: Decimal
    net_at_close: Decimal | None = None  # net at the close of its (closed) month
    tax_at_close: Decimal | None = None
    carry_to: str | None = None  # month later changes are booked in, if its month is closed
    accounts: tuple[tuple[int, Decimal], ...] = ()  # (account, weight) from derived lines
    decision: str = "observed"
    reason: str | None = None
    deleted: bool = False
    has_posted: bool = False
    has_pending: bool = False
    plan_position: int = 0
    document_state: str | None = None
    adjustments: tuple[str, ...] = ()  # cent adjustments to Procore's total (audit notes)


@dataclass(frozen=True)
class LineFact:
    ref: str
    kost1: str
    account: int
    period: str
    net: Decimal
    where: Where
    batch_id: str | None = None


@dataclass(frozen=True)
class BatchFact:
    batch_id: str
    created: str
    state: str
    seal_position: int
    jobs: tuple[tuple[str, str, str], ...]  # (kind, job id, result)
    failure: str | None
    lines_in_period: int
    net_in_period: Decimal


@dataclass(frozen=True)
class CommitmentRow:
    ref: str
    kost1: str
    project: str
    title: str
    status: str
    committed: Decimal
    invoiced_to_date: Decimal

    @property
    def open_balance(self) -> Decimal:
        return self.committed - self.invoiced_to_date
