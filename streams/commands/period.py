"""``ml-connector period close|open|list``: a DATEV client's closed months."""

from __future__ import annotations

import getpass

import typer

from streams.commands.reconcile import open_client
from streams.config.settings import load_settings
from streams.operator.period_close import close_period, list_periods, open_period

period_app = typer.Typer(help="Close and reopen months (month-end close).", no_args_is_help=True)


def _who() -> str:
    try:
        return getpass.getuser()
    except OSError:
        return "operator"


@period_app.command("close")
def close(
    client: str = typer.Option(..., help="DATEV client id <advisor>-<client>"),
    period: str = typer.Option(..., help="month YYYY-MM"),
    note: str = typer.Option("", help="why (kept in the audit trail)"),
    force: bool = typer.Option(False, help="close even if the month is not reconciled"),
) -> None:
    """Close a month: later Procore changes to its records are booked in the next open month."""
    ledger, rules = open_client(load_settings(), client)
    periods = close_period(ledger, rules, period, by=_who(), note=note, force=force)
    typer.echo(f"{client} {period} closed; closed months: {', '.join(sorted(periods.closed))}")


@period_app.command("open")
def reopen(
    client: str = typer.Option(..., help="DATEV client id <advisor>-<client>"),
    period: str = typer.Option(..., help="month YYYY-MM"),
    note: str = typer.Option("", help="why (kept in the audit trail)"),
) -> None:
    """Reopen a closed month."""
    ledger, rules = open_client(load_settings(), client)
    periods = open_period(ledger, rules, period, by=_who(), note=note)
    shown = ", ".join(sorted(periods.closed)) or "none"
    typer.echo(f"{client} {period} reopened; closed months: {shown}")


@period_app.command("list")
def list_(client: str = typer.Option(..., help="DATEV client id <advisor>-<client>")) -> None:
    """List the closed months and the history of closing and reopening."""
    ledger, rules = open_client(load_settings(), client)
    periods = list_periods(ledger, rules)
    typer.echo(f"closed months of {client}: {', '.join(sorted(periods.closed)) or 'none'}")
    for entry in periods.log:
        note = f" — {entry['note']}" if entry.get("note") else ""
        typer.echo(f"  {entry['action']:<9} {entry['period']}  by {entry['by']}{note}")


def register(app: typer.Typer) -> None:
    app.add_typer(period_app, name="period")
