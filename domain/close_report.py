"""Month-end close: the reconciliation report of one DATEV client and month, as plain values.

The report is computed from facts the caller reads out of the event store (``RecordFact`` per
Procore record, ``LineFact`` per booking line the connector emitted, ``BatchFact`` per batch):

* Procore side: the net each record should book in the month (by document date; a closed month
  keeps the state at close, and later changes count in the month they were booked in).
* Connector/DATEV side: the net of booking lines dated in the month, by where they are.
* Differences: per record, Procore minus DATEV-accepted, with the cause read from the ledger.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.close_inputs import BatchFact, CommitmentRow, LineFact, RecordFact
from domain.money import ZERO, spread_cents, to_cents

CAUSES: dict[str, str] = {
    "parked_unmapped": "parked: unmapped",
    "parked_tax": "parked: tax mismatch",
    "parked_bad_data": "parked: bad data",
    "pending_cadence": "pending: waits for the next batch (cadence)",
    "late_approval": "approved after the period's last batch",
    "changed_after_posting": "changed after posting (reversal pending)",
    "deleted": "deleted in Procore (reversal pending)",
    "failed_job": "DATEV job failed",
    "awaiting_datev": "batch submitted, not yet accepted by DATEV",
    "unapproved_after_posting": "no longer approved in Procore (posting kept)",
    "unexplained": "unexplained (check the audit trail)",
}
_FIELD = re.compile(r"\(field (.*?); fix:")
_UNMAPPED_FIELDS = ("cost_accounts", "projects.", "extra_accounts", "vendors.", "creditors.")


@dataclass
class AccountRow:
    kost1: str
    project: str
    account: int | None  # None: no account derivable yet (parked)
    procore_net: Decimal = ZERO
    procore_tax: Decimal = ZERO
    booked: Decimal = ZERO  # sealed into batches, net of reversals
    pending: Decimal = ZERO
    parked: Decimal = ZERO
    submitted: Decimal = ZERO
    failed: Decimal = ZERO
    accepted: Decimal = ZERO

    @property
    def procore_gross(self) -> Decimal:
        return self.procore_net + self.procore_tax

    @property
    def difference(self) -> Decimal:
        return self.procore_net - self.accepted


@dataclass(frozen=True)
class Difference:
    ref: str
    kost1: str
    project: str
    cause: str
    procore: Decimal
    datev: Decimal
    detail: str = ""
    carried_from: str | None = None

    @property
    def amount(self) -> Decimal:
        return self.procore - self.datev

    @property
    def label(self) -> str:
        return CAUSES[self.cause]

    @property
    def audit(self) -> str:
        return f"ml-connector audit {self.ref}"


@dataclass
class CloseReport:
    client_id: str
    period: str
    project: str | None
    closed: bool
    closed_periods: list[str]
    rows: list[AccountRow] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    carried: list[Difference] = field(default_factory=list)  # closed-month changes booked here
    commitments: list[CommitmentRow] = field(default_factory=list)
    batches: list[BatchFact] = field(default_factory=list)
    documents_uploaded: int = 0
    documents_failed: int = 0
    links_dropped: int = 0  # records booked without Beleglink (PDF refused or not in DUO in time)
    adjustments: list[tuple[str, str]] = field(default_factory=list)  # (record, note)

    def total(self, name: str) -> Decimal:
        return sum((getattr(r, name) for r in self.rows), ZERO)

    @property
    def open_difference(self) -> Decimal:
        return self.total("procore_net") - self.total("accepted")

    @property
    def reconciled(self) -> bool:
        return self.open_difference == ZERO and not self.differences

    @property
    def verdict(self) -> str:
        head = f"{self.client_id} {self.period}"
        if self.reconciled:
            return f"{head}: reconciled to the cent"
        n = len(self.differences)
        return f"{head}: open difference {self.open_difference:,.2f} EUR in {n} record(s)"


def parked_cause(reason: str | None) -> str:
    """unmapped / tax mismatch / bad data, from a parked record's reason text."""
    text = reason or ""
    found = _FIELD.search(text)
    where = found.group(1) if found else ""
    if where in ("tax", "grand_total") or "reverse_charge" in where or " rate " in text:
        return "parked_tax"
    if where.startswith(_UNMAPPED_FIELDS) or where.startswith("tax_codes"):
        return "parked_unmapped"
    return "parked_bad_data"


def split_by_account(
    net: Decimal, accounts: tuple[tuple[int, Decimal], ...]
) -> list[tuple[int | None, Decimal]]:
    """Spread a record's net over its derived accounts, to the cent (no accounts: None)."""
    if not accounts or sum((w for _, w in accounts), ZERO) == ZERO:
        return [(None, net)]
    parts = spread_cents(to_cents(net), [w for _, w in accounts])
    return [(acc, part) for (acc, _), part in zip(accounts, parts, strict=True)]


def _procore_in(rec: RecordFact, period: str) -> tuple[Decimal, Decimal, str | None]:
    """Net, tax and (for a carried change) the closed month it came from."""
    if rec.net_at_close is not None and rec.carry_to is not None:
        if rec.period == period:
            return rec.net_at_close, rec.tax_at_close or ZERO, None
        if rec.carry_to == period:
            return (
                rec.net_now - rec.net_at_close,
                rec.tax_now - (rec.tax_at_close or ZERO),
                (rec.period),
            )
        return ZERO, ZERO, None
    if rec.period == period:
        return rec.net_now, rec.tax_now, None
    return ZERO, ZERO, None


def _cause(rec: RecordFact, lines: list[LineFact], last_seal: int) -> tuple[str, str]:
    if rec.decision == "parked":
        return parked_cause(rec.reason), rec.reason or ""
    failed = sorted({ln.batch_id or "" for ln in lines if ln.where == "failed"})
    if failed:
        return "failed_job", "batch " + ", ".join(failed)
    waiting = sorted({ln.batch_id or "" for ln in lines if ln.where == "submitted"})
    if waiting:
        return "awaiting_datev", "batch " + ", ".join(waiting)
    if rec.deleted:
        return "deleted", "reversal of the posted lines waits for the next batch"
    if rec.has_pending:
        if rec.has_posted:
            return "changed_after_posting", "reversal and rebooking wait for the next batch"
        if last_seal and rec.plan_position > last_seal:
            return "late_approval", "booked with the next batch"
        return "pending_cadence", "booked with the next batch"
    if rec.has_posted and rec.net_now == ZERO:
        return "unapproved_after_posting", rec.reason or ""
    return "unexplained", ""


def build_report(
    report: CloseReport, records: list[RecordFact], lines: list[LineFact]
) -> CloseReport:
    """Fill ``report`` (header, batches, commitments already set) from records and lines."""
    rows: dict[tuple[str, int | None], AccountRow] = {}
    labels = {rec.kost1: rec.project for rec in records}

    def row(kost1: str, account: int | None) -> AccountRow:
        key = (kost1, account)
        if key not in rows:
            rows[key] = AccountRow(kost1=kost1, project=labels.get(kost1, ""), account=account)
        return rows[key]

    by_ref: dict[str, list[LineFact]] = defaultdict(list)
    for ln in lines:
        if ln.period != report.period:
            continue
        by_ref[ln.ref].append(ln)
        r = row(ln.kost1, ln.account)
        setattr(r, ln.where, getattr(r, ln.where) + ln.net)
        if ln.where != "pending":
            r.booked += ln.net
    last_seal = max((b.seal_position for b in report.batches), default=0)
    for rec in records:
        net, tax, carried_from = _procore_in(rec, report.period)
        mine = by_ref.get(rec.ref, [])
        parts = split_by_account(net, rec.accounts)
        tax_parts = split_by_account(tax, rec.accounts)
        for (account, part), (_, tax_part) in zip(parts, tax_parts, strict=True):
            target = row(rec.kost1, account)
            target.procore_net += part
            target.procore_tax += tax_part
            if rec.decision == "parked":
                target.parked += part
        if rec.period == report.period:
            report.adjustments += [(rec.ref, note) for note in rec.adjustments]
        accepted = sum((ln.net for ln in mine if ln.where == "accepted"), ZERO)
        if net == ZERO and not mine:
            continue
        cause, detail = _cause(rec, mine, last_seal)
        diff = Difference(
            ref=rec.ref,
            kost1=rec.kost1,
            project=rec.project,
            cause=cause,
            procore=net,
            datev=accepted,
            detail=detail,
            carried_from=carried_from,
        )
        if carried_from is not None:
            report.carried.append(diff)
        if diff.amount != ZERO:
            report.differences.append(diff)
    report.rows = sorted(
        (r for r in rows.values() if _nonzero(r)), key=lambda r: (r.kost1, r.account or 0)
    )
    report.differences.sort(key=lambda d: (d.kost1, d.cause, d.ref))
    return report


def _nonzero(r: AccountRow) -> bool:
    values = (r.procore_net, r.booked, r.pending, r.parked, r.submitted, r.failed, r.accepted)
    return any(v != ZERO for v in values)


def period_end(period: str) -> date:
    year, month = (int(x) for x in period.split("-"))
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)
