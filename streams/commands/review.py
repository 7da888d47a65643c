"""``ml-connector review list|show|approve|reject``: the review step before DATEV."""

from __future__ import annotations

import getpass

import typer
from rich.console import Console
from rich.table import Table

from streams.commands.context import command_context
from streams.errors import ConnectorError
from streams.operator.actions import find_batch
from streams.operator.review import actions
from streams.operator.review.model import awaiting_review, review_of, reviewed

review_app = typer.Typer(
    help="Batches of clients with review = true wait for approval before DATEV."
)


def _who() -> str:
    try:
        return getpass.getuser()
    except OSError:
        return "operator"


@review_app.command("list")
def list_() -> None:
    """Batches awaiting review, then the latest decisions."""
    ctx = command_context(with_rules=False)
    console = Console()
    table = Table("batch", "client", "sealed", "lines", "records", title="awaiting review")
    for b in awaiting_review(ctx.ledger):
        created = b.created.isoformat(timespec="seconds")
        table.add_row(
            str(b.id)[:8], b.client_id, created, str(len(b.lines)), str(len(b.record_keys))
        )
    console.print(table)
    done = Table("batch", "client", "decision", "by", "when", "note", title="decided")
    for b in reviewed(ctx.ledger):
        r = b.review or {}
        done.add_row(
            str(b.id)[:8],
            b.client_id,
            r.get("decision", ""),
            r.get("by", ""),
            str(r.get("at", ""))[:19],
            r.get("note", ""),
        )
    console.print(done)


@review_app.command("show")
def show(batch_id: str = typer.Argument(..., help="batch id or unique prefix")) -> None:
    """Totals per account, BU key, cost centre and creditor; differences and warnings."""
    ctx = command_context()
    if ctx.rules is None:
        raise ConnectorError("no mapping files configured (MLC_MAPPINGS)")
    r = review_of(ctx.ledger, ctx.rules, find_batch(ctx.ledger, batch_id).id)
    console = Console()
    b = r.batch
    console.print(
        f"batch {b.id} · client {b.client_id} · {b.state} · {len(b.lines)} lines · "
        f"net {r.net:,.2f} EUR · tax {r.tax:,.2f} EUR"
    )
    for title, rows in (
        ("Gegenkonto", r.by_account),
        ("BU-Schlüssel", r.by_bu_key),
        ("Kostenstelle", r.by_kost),
        ("Kreditor", r.by_creditor),
    ):
        table = Table(title, "lines", "net", "tax", title=f"per {title}")
        for t in rows:
            table.add_row(
                f"{t.key} {t.label}".strip(), str(t.lines), f"{t.net:,.2f}", f"{t.tax:,.2f}"
            )
        console.print(table)
    for d in r.differences:
        console.print(
            f"difference {d.record_key}: Procore {d.procore:,.2f}, booked {d.booked:,.2f}"
        )
    for w in r.warnings:
        console.print("warning: " + w.text.format(**w.values))
    if b.review:
        console.print(
            f"{b.review['decision']} by {b.review['by']} at {b.review['at']}: "
            f"{b.review.get('note', '')}"
        )


@review_app.command("approve")
def approve(
    batch_id: str = typer.Argument(..., help="batch id or unique prefix"),
    note: str = typer.Option("", "--note", help="goes into the audit trail"),
) -> None:
    """Approve: the worker submits the batch to DATEV with its next round."""
    ctx = command_context(with_rules=False)
    batch = actions.approve(ctx.ledger, batch_id, by=_who(), note=note)
    typer.echo(f"batch {batch.id} approved by {_who()}; the worker submits it to DATEV next")


@review_app.command("reject")
def reject(
    batch_id: str = typer.Argument(..., help="batch id or unique prefix"),
    note: str = typer.Option(..., "--note", help="what is wrong (required; in the audit trail)"),
) -> None:
    """Reject: never submitted; its lines go back to pending and into the next batch."""
    ctx = command_context()
    batch = actions.reject(ctx.ledger, batch_id, by=_who(), note=note)
    typer.echo(
        f"batch {batch.id} rejected: {len(batch.record_keys)} record(s) pending again for the "
        "next batch (fix the mapping or the records in Procore first)"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
