"""The close report as JSON, CSV and a terminal table. JSON and CSV are a stable interface for
the tax advisor's tools: see docs/reconciliation.md before changing a name or an order."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from domain.close_report import AccountRow, CloseReport, Difference

SCHEMA = "ml-connector.reconciliation/1"
AMOUNTS = ("procore_net", "procore_tax", "procore_gross", "booked", "pending", "parked")
AMOUNTS_DATEV = ("submitted", "failed", "accepted", "difference")
CSV_COLUMNS = (
    "section",
    "client_id",
    "period",
    "kost1",
    "project",
    "account",
    "ref",
    "cause",
    *AMOUNTS,
    *AMOUNTS_DATEV,
    "carried_from",
    "detail",
)


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def _account(row: AccountRow) -> dict[str, Any]:
    out: dict[str, Any] = {"kost1": row.kost1, "project": row.project, "account": row.account}
    for name in (*AMOUNTS, *AMOUNTS_DATEV):
        out[name] = money(getattr(row, name))
    return out


def _difference(d: Difference) -> dict[str, Any]:
    return {
        "ref": d.ref,
        "kost1": d.kost1,
        "project": d.project,
        "cause": d.cause,
        "cause_label": d.label,
        "procore_net": money(d.procore),
        "datev_accepted": money(d.datev),
        "difference": money(d.amount),
        "carried_from": d.carried_from,
        "detail": d.detail,
        "audit": d.audit,
    }


def report_dict(report: CloseReport) -> dict[str, Any]:
    totals = {name: money(report.total(name)) for name in (*AMOUNTS, *AMOUNTS_DATEV)}
    return {
        "schema": SCHEMA,
        "client_id": report.client_id,
        "period": report.period,
        "project": report.project,
        "period_closed": report.closed,
        "closed_periods": report.closed_periods,
        "verdict": report.verdict,
        "reconciled": report.reconciled,
        "open_difference": money(report.open_difference),
        "totals": totals,
        "accounts": [_account(r) for r in report.rows],
        "differences": [_difference(d) for d in report.differences],
        "carried_from_closed_periods": [_difference(d) for d in report.carried],
        "commitments": [
            {
                "ref": c.ref,
                "kost1": c.kost1,
                "project": c.project,
                "title": c.title,
                "status": c.status,
                "committed": money(c.committed),
                "invoiced_to_date": money(c.invoiced_to_date),
                "open_balance": money(c.open_balance),
            }
            for c in report.commitments
        ],
        "batches": [
            {
                "batch_id": b.batch_id,
                "created": b.created,
                "state": b.state,
                "lines_in_period": b.lines_in_period,
                "net_in_period": money(b.net_in_period),
                "jobs": [{"kind": k, "job_id": j, "result": r} for k, j, r in b.jobs],
                "failure": b.failure,
            }
            for b in report.batches
        ],
        "documents": {
            "uploaded": report.documents_uploaded,
            "failed": report.documents_failed,
            "booked_without_beleglink": report.links_dropped,
        },
        "adjustments": [{"ref": ref, "note": note} for ref, note in report.adjustments],
    }


def to_json(report: CloseReport) -> bytes:
    return orjson.dumps(report_dict(report), option=orjson.OPT_INDENT_2) + b"\n"


def to_csv(report: CloseReport) -> str:
    """One table; ``section`` is account, difference, carried or verdict."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    base = {"client_id": report.client_id, "period": report.period}
    for row in report.rows:
        writer.writerow({"section": "account", **base, **_account(row)})
    for section, diffs in (("difference", report.differences), ("carried", report.carried)):
        for d in diffs:
            writer.writerow(
                {
                    "section": section,
                    **base,
                    "kost1": d.kost1,
                    "project": d.project,
                    "ref": d.ref,
                    "cause": d.cause,
                    "procore_net": money(d.procore),
                    "accepted": money(d.datev),
                    "difference": money(d.amount),
                    "carried_from": d.carried_from or "",
                    "detail": d.detail,
                }
            )
    writer.writerow(
        {
            "section": "verdict",
            **base,
            "procore_net": money(report.total("procore_net")),
            "accepted": money(report.total("accepted")),
            "difference": money(report.open_difference),
            "detail": report.verdict,
        }
    )
    return buf.getvalue()


def print_table(report: CloseReport, console: Console) -> None:
    state = "closed" if report.closed else "open"
    table = Table(title=f"Reconciliation {report.client_id} {report.period} ({state})")
    for name in ("KOST1", "Account", "Procore net", "Tax", "Booked", "Pending", "Parked"):
        table.add_column(name, justify="right" if name not in ("KOST1",) else "left")
    for name in ("Submitted", "Failed", "DATEV accepted", "Difference"):
        table.add_column(name, justify="right")
    for r in report.rows:
        table.add_row(
            f"{r.kost1} {r.project}"[:34],
            str(r.account or "—"),
            *(f"{v:,.2f}" for v in (r.procore_net, r.procore_tax, r.booked, r.pending, r.parked)),
            *(f"{v:,.2f}" for v in (r.submitted, r.failed, r.accepted, r.difference)),
        )
    console.print(table)
    if report.differences:
        diffs = Table(title="Differences (drill down with ml-connector audit <ref>)")
        for name in ("Record", "Cause", "Procore", "DATEV", "Difference", "Detail"):
            diffs.add_column(name, justify="right" if name in ("Procore", "DATEV") else "left")
        for d in report.differences:
            cause = d.label + (f" — from closed {d.carried_from}" if d.carried_from else "")
            diffs.add_row(
                d.ref, cause, f"{d.procore:,.2f}", f"{d.datev:,.2f}", f"{d.amount:,.2f}",
                d.detail[:60],
            )  # fmt: skip
        console.print(diffs)
    for d in report.carried:
        console.print(
            f"carried from closed {d.carried_from}: {d.ref} {d.procore:,.2f} (booked in "
            f"{report.period})"
        )
    for ref, note in report.adjustments:
        console.print(f"adjusted to Procore's total: {ref} — {note}")
    console.print(f"[bold]{report.verdict}[/bold]")
