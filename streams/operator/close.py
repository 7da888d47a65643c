"""The month-end close read model: computed from the event store on demand, never stored.

``reconciliation_report(ledger, client_id, period)`` reads every record, batch and closed month
of the client from the ledger; ``domain.close_facts`` re-derives each record's Belegdatum, net
and tax, and ``domain.close_report.build_report`` judges the facts.
"""

from __future__ import annotations

from domain.close_facts import (
    CloseContext,
    batch_fact,
    batch_where,
    commitment_rows,
    line_facts,
    record_fact,
)
from domain.close_inputs import BatchFact, LineFact
from domain.close_report import CloseReport, build_report
from domain.periods import parse_period
from domain.source_document import load_lines
from streams.errors import ConnectorError
from streams.ledger.application import Ledger
from streams.ledger.close_reads import client_documents, plan_positions, record_versions
from streams.ledger.rules import ClientRules
from streams.operator.actions import iter_batches

RECORDS = ("requisition", "direct_cost")


def reconciliation_report(
    ledger: Ledger, rules: ClientRules, period: str, project: str | None = None
) -> CloseReport:
    """The close report of one client and month (optionally one project: KOST1 or Procore id)."""
    try:
        period = parse_period(period)
    except ValueError as exc:
        raise ConnectorError(str(exc)) from None
    client_id = rules.client_id
    periods = ledger.periods(client_id)
    ctx = CloseContext(rules.mapping, rules.chart, periods.closed)
    kost_filter = _project_filter(rules, project)
    docs = client_documents(ledger, client_id)
    versions = record_versions(ledger)
    plans = plan_positions(ledger)
    records = [
        record_fact(ctx, d, versions.get(d.id, []), plans.get(d.id, 0), period)
        for d in docs
        if d.resource in RECORDS
    ]
    lines: list[LineFact] = []
    batches: list[BatchFact] = []
    for batch in iter_batches(ledger):
        if batch.client_id != client_id or batch.state == "rejected":
            continue  # a rejected batch's lines went back to their records as pending
        facts = line_facts(ctx, load_lines(batch.lines), batch_where(batch), str(batch.id))
        lines += facts
        mine = [f for f in facts if f.period == period and f.kost1 in (kost_filter or {f.kost1})]
        if mine:
            batches.append(batch_fact(batch, mine))
    for doc in docs:
        if doc.pending:
            lines += line_facts(ctx, doc.pending_lines, "pending", None)
    if kost_filter is not None:
        records = [r for r in records if r.kost1 in kost_filter]
        lines = [ln for ln in lines if ln.kost1 in kost_filter]
    report = CloseReport(
        client_id=client_id,
        period=period,
        project=project,
        closed=period in ctx.closed,
        closed_periods=sorted(ctx.closed),
        commitments=commitment_rows(ctx, docs, records, period, kost_filter),
        batches=sorted(batches, key=lambda b: (b.seal_position, b.batch_id)),
    )
    in_period = {r.ref for r in records if r.period == period}
    for doc in docs:
        if doc.key in in_period and doc.document_state == "uploaded":
            report.documents_uploaded += 1
        elif doc.key in in_period and doc.document_state == "failed":
            report.documents_failed += 1
        if doc.key in in_period and doc.link_dropped:
            report.links_dropped += 1
    return build_report(report, records, lines)


def _project_filter(rules: ClientRules, project: str | None) -> set[str] | None:
    if project is None:
        return None
    for pid, pm in rules.mapping.projects.items():
        if project in (pm.kost1, str(pid)):
            return {pm.kost1}
    known = ", ".join(f"{pm.kost1} ({pid})" for pid, pm in rules.mapping.projects.items())
    raise ConnectorError(
        f"no project {project!r} in the mapping of {rules.client_id}; known: {known}"
    )
