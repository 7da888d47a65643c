"""The month-end close's rules: how a record's Belegdatum, net and tax are re-derived.

Pure: ``streams.operator.close`` reads the client's records, versions and batches from the
ledger and hands them here; the facts go to ``domain.close_report.build_report``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.batch import Batch
from domain.booking import BookingLine
from domain.chart import Chart
from domain.close_inputs import BatchFact, CommitmentRow, LineFact, RecordFact, Where
from domain.derivation.pricing import ADJUSTED
from domain.mapping import ClientMapping
from domain.money import ZERO, to_cents
from domain.periods import next_open, period_of
from domain.reconciliation import line_nets, procore_net
from domain.source_document import SourceDocument, load_lines

COMMITTED = ("approved", "complete")


def document_date(resource: str, record: dict[str, Any] | None) -> date | None:
    """The record's document date, as the derivation dates its booking (Belegdatum)."""
    if not record:
        return None
    names = ("billing_date", "requisition_end")
    if resource == "direct_cost":
        names = ("direct_cost_date", "received_date")
    for name in names:
        value = record.get(name)
        if value:
            return date.fromisoformat(str(value)[:10])
    return None


def _d(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def record_tax(resource: str, record: dict[str, Any]) -> Decimal:
    """Procore's own tax on a record (used only when no lines could be derived)."""
    if resource == "requisition":
        return _d((record.get("summary") or {}).get("tax_applicable_to_this_payment"))
    items = record.get("line_items") or []
    return sum((_d(li.get("total_amount")) - _d(li.get("amount")) for li in items), ZERO)


@dataclass
class CloseContext:
    """The client's rules as the close re-derives them: mapping, chart, closed months."""

    mapping: ClientMapping
    chart: Chart
    closed: Mapping[str, int]  # period -> ledger position at close

    def bookable(self, resource: str, record: dict[str, Any] | None) -> bool:
        if not record:
            return False
        booking = self.mapping.booking
        statuses = (
            booking.requisition_statuses
            if resource == "requisition"
            else booking.direct_cost_statuses
        )
        return record.get("status") in statuses

    def nets(self, lines: list[BookingLine]) -> list[tuple[Decimal, Decimal]]:
        return line_nets(lines, self.mapping, self.chart)

    def project(self, key: str) -> tuple[str, str, int | None]:
        parts = key.split(":")
        pid = None if parts[1] == "-" else int(parts[1])
        found = self.mapping.projects.get(pid) if pid is not None else None
        if found is None:
            return f"(unmapped project {pid})", str(pid), pid
        return found.kost1, found.name or str(pid), pid


def record_fact(
    ctx: CloseContext,
    doc: SourceDocument,
    versions: list[tuple[int, dict[str, Any] | None]],
    plan_position: int,
    period: str,
) -> RecordFact:
    kost1, label, _pid = ctx.project(doc.key)
    day = document_date(doc.resource, doc.record)
    own = period_of(day) if day else (period if doc.decision == "parked" else None)
    current = None if doc.deleted else doc.record
    net_now = (
        procore_net(doc.resource, current or {}) if ctx.bookable(doc.resource, current) else ZERO
    )
    lines = load_lines(doc.desired) or doc.posted_lines
    nets = ctx.nets(lines)
    weights: dict[int, Decimal] = defaultdict(lambda: ZERO)
    tax_lines = ZERO
    for line, (net, tax) in zip(lines, nets, strict=True):
        if net != ZERO:
            weights[line.contra_account] += net
            tax_lines += tax
    if net_now == ZERO:
        tax_now = ZERO
    elif weights:
        tax_now = tax_lines
    else:
        tax_now = record_tax(doc.resource, current or {})
    net_close = tax_close = None
    carry_to = None
    if own is not None and own in ctx.closed:
        position = ctx.closed[own]
        at_close = [rec for pos, rec in versions if pos <= position]
        record = at_close[-1] if at_close else None
        net_close = (
            procore_net(doc.resource, record or {}) if ctx.bookable(doc.resource, record) else ZERO
        )
        tax_close = to_cents(tax_now * net_close / net_now) if net_now else ZERO
        carry_to = next_open(own, ctx.closed)
    return RecordFact(
        ref=doc.key,
        resource=doc.resource,
        kost1=kost1,
        project=label,
        period=own,
        net_now=net_now,
        tax_now=tax_now,
        net_at_close=net_close,
        tax_at_close=tax_close,
        carry_to=carry_to,
        accounts=tuple(sorted(weights.items())),
        decision=doc.decision,
        reason=doc.reason,
        deleted=doc.deleted,
        has_posted=bool(doc.posted),
        adjustments=tuple(n for n in getattr(doc, "notes", []) if n.startswith(ADJUSTED)),
        has_pending=bool(doc.pending),
        plan_position=plan_position,
        document_state=doc.document_state,
    )


def line_facts(
    ctx: CloseContext, lines: list[BookingLine], where: Where, batch: str | None
) -> list[LineFact]:
    return [
        LineFact(
            ref=line.source_ref,
            kost1=line.kost1 or "",
            account=line.contra_account,
            period=period_of(line.document_date),
            net=net,
            where=where,
            batch_id=batch,
        )
        for line, (net, _tax) in zip(lines, ctx.nets(lines), strict=True)
        if net != ZERO
    ]


def batch_where(batch: Batch) -> Where:
    if batch.state == "in_review":
        return "pending"  # not sent to DATEV until the advisor approves
    if batch.state == "completed":
        return "accepted"
    return "failed" if batch.state == "failed" else "submitted"


def batch_fact(batch: Batch, mine: list[LineFact]) -> BatchFact:
    jobs = tuple(
        (kind, str(job.get("job_id") or ""), str(job.get("result") or ""))
        for kind, job in sorted(batch.jobs.items())
    )
    return BatchFact(
        batch_id=str(batch.id),
        created=batch.created.isoformat(timespec="seconds"),
        state=batch.state,
        seal_position=batch.seal_position,
        jobs=jobs,
        failure=batch.failure,
        lines_in_period=len(mine),
        net_in_period=sum((f.net for f in mine), ZERO),
    )


def commitment_rows(
    ctx: CloseContext,
    docs: list[SourceDocument],
    records: list[RecordFact],
    period: str,
    kost_filter: set[str] | None,
) -> list[CommitmentRow]:
    """Commitments are information: committed, invoiced to date (approved requisitions up to the
    period's end, net), open balance."""
    invoiced: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_ref = {r.ref: r for r in records}
    for doc in docs:
        fact = by_ref.get(doc.key)
        rec = doc.record or {}
        if doc.resource != "requisition" or fact is None or fact.period is None:
            continue
        if fact.period <= period and rec.get("commitment_id") and not doc.deleted:
            invoiced[int(rec["commitment_id"])] += fact.net_now
    rows = []
    for doc in docs:
        rec = doc.record or {}
        status = str(rec.get("status") or "")
        if doc.resource != "commitment" or doc.deleted or status.lower() not in COMMITTED:
            continue
        kost1, label, _pid = ctx.project(doc.key)
        if kost_filter is not None and kost1 not in kost_filter:
            continue
        total = rec.get("grand_total")
        committed = (
            _d(total)
            if total not in (None, "")
            else sum((_d(li.get("amount")) for li in rec.get("line_items") or []), ZERO)
        )
        rows.append(
            CommitmentRow(
                ref=doc.key,
                kost1=kost1,
                project=label,
                title=str(rec.get("title") or rec.get("number") or ""),
                status=status,
                committed=committed,
                invoiced_to_date=invoiced.get(int(rec.get("id") or 0), ZERO),
            )
        )
    return sorted(rows, key=lambda c: (c.kost1, c.ref))
