"""``ml-connector reconcile``: the month-end close report of one DATEV client and month."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from streams.bootstrap import build_ledger, build_rules
from streams.config.settings import Settings, load_settings
from streams.errors import ConnectorError
from streams.ledger.application import Ledger
from streams.ledger.rules import ClientRules
from streams.operator.close import reconciliation_report
from streams.operator.close_formats import print_table, to_csv, to_json
from streams.operator.close_html import render_html


class Format(StrEnum):
    table = "table"
    csv = "csv"
    html = "html"
    json = "json"


def open_client(settings: Settings, client: str) -> tuple[Ledger, ClientRules]:
    """The ledger and one client's booking rules (refuses without mapping files)."""
    rules = build_rules(settings)
    if rules is None:
        raise ConnectorError("no mapping files configured (setting `mappings` / MLC_MAPPINGS)")
    return build_ledger(settings, rules), rules.client(client)


def default_html_path(settings: Settings, client: str, period: str) -> Path:
    return settings.data_dir / "reports" / f"reconciliation-{client}-{period}.html"


def register(app: typer.Typer) -> None:
    @app.command("reconcile")
    def reconcile(
        client: str = typer.Option(..., help="DATEV client id <advisor>-<client>"),
        period: str = typer.Option(..., help="month YYYY-MM"),
        project: str | None = typer.Option(None, help="only this project (KOST1 or Procore id)"),
        fmt: Format = typer.Option(Format.table, "--format", help="table, csv, html or json"),
        output: Path | None = typer.Option(None, help="write to this file instead of stdout"),
    ) -> None:
        """Reconcile Procore against DATEV for one month: per project and account, the
        differences with their cause, and a one-line verdict."""
        settings = load_settings()
        ledger, rules = open_client(settings, client)
        report = reconciliation_report(ledger, rules, period, project)
        if fmt is Format.table and output is None:
            print_table(report, Console())
            return
        if fmt is Format.html:
            path = output or default_html_path(settings, client, report.period)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_html(report, settings.language), encoding="utf-8")
            typer.echo(report.verdict)
            typer.echo(f"HTML report: {path}")
            return
        if fmt is Format.table and output is not None:
            with output.open("w", encoding="utf-8") as fh:
                print_table(report, Console(file=fh, width=200))
            return
        data = to_json(report) if fmt is Format.json else to_csv(report).encode("utf-8")
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            output.write_bytes(data)
            typer.echo(f"{report.verdict}\nwritten: {output}")
