"""``ml-connector batches``: sealed batches with their DATEV jobs; ``batches export DIR``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from domain.batch import Batch
from streams.bootstrap import build_procore, open_vault
from streams.commands.context import command_context
from streams.errors import ConnectorError
from streams.ledger.application import Ledger
from streams.ledger.rules import BookingRules
from streams.operator.actions import batch_rows
from streams.stages.file_export import (
    AttachmentSource,
    ExportConflict,
    ExportResult,
    export_extf,
    export_pdfs,
)

batches_app = typer.Typer(help="Sealed batches: list them, export their files.")


@batches_app.callback(invoke_without_command=True)
def batches(
    ctx: typer.Context,
    state: str | None = typer.Option(None, help="sealed | submitted | completed | failed"),
) -> None:
    """Sealed batches with their files and DATEV job states (and why one failed)."""
    if ctx.invoked_subcommand is not None:
        return
    command = command_context(with_rules=False)
    rows = batch_rows(command.ledger, state)
    table = Table(title=f"{len(rows)} batch(es)")
    for col in ("batch", "client", "sealed", "lines", "state", "files / jobs"):
        table.add_column(col)
    for b in rows:
        detail = dxso_summary(b.jobs.get("dxso")) or "; ".join(
            f"{f['filename']} → {b.jobs.get(kind, {}).get('result', 'not submitted')}"
            for kind, f in b.files.items()
        )
        if b.failure:
            detail += f"\n[red]{b.failure}[/]"
        table.add_row(str(b.batch_id)[:8], b.client_id, b.created, str(b.lines), b.state, detail)
    Console().print(table)


def dxso_summary(job: dict[str, Any] | None) -> str:
    """A DXSO job in one line: its id, result, DATEV state and stored protocol entries."""
    if job is None:
        return ""
    state = f", state {job['status']}" if "status" in job else ""
    entries = len(job.get("protocol") or [])
    protocol = f", {entries} protocol entries (`ml-connector audit`)" if entries else ""
    return f"DXSO job {job['job_id']} → {job['result']}{state}{protocol}"


@batches_app.command("export")
def export(
    directory: Path = typer.Argument(..., help="where to write (DIR/<client>/...)"),
    client: str | None = typer.Option(None, help="only this DATEV client <advisor>-<client>"),
    batch: str | None = typer.Option(None, help="only this batch (id or its first characters)"),
    pdfs: bool = typer.Option(True, help="also download each record's invoice PDF from Procore"),
) -> None:
    """Write sealed batches' EXTF files (deterministic names) and PDFs; safe to run again."""
    command = command_context()
    if command.rules is None:
        raise ConnectorError("no mapping files configured (MLC_MAPPINGS)")
    chosen = _batches(command.ledger, client, batch)
    if not chosen:
        raise ConnectorError("no sealed batch matches; see `ml-connector batches`")
    procore = build_procore(command.settings, open_vault(command.settings)) if pdfs else None
    try:
        result = asyncio.run(_export(command.ledger, command.rules, chosen, directory, procore))
    except ExportConflict as exc:
        raise ConnectorError(str(exc)) from None
    console = Console(highlight=False)
    for path in result.written:
        console.print(f"wrote     {path}")
    console.print(
        f"{len(chosen)} batch(es): {len(result.written)} file(s) written, "
        f"{len(result.unchanged)} already there"
    )
    if pdfs and procore is None:
        console.print("no Procore credentials in the vault: PDFs not exported")
    for key in result.missing_pdfs:
        console.print(f"[yellow]PDF of {key} could not be downloaded from Procore[/]")


def _batches(ledger: Ledger, client: str | None, batch: str | None) -> list[Batch]:
    found = []
    for row in batch_rows(ledger):
        if client and row.client_id != client:
            continue
        if batch and not str(row.batch_id).startswith(batch):
            continue
        agg = ledger.aggregate(UUID(str(row.batch_id)))
        if isinstance(agg, Batch):
            found.append(agg)
    return found


async def _export(
    ledger: Ledger,
    rules: BookingRules,
    chosen: list[Batch],
    directory: Path,
    procore: AttachmentSource | None,
) -> ExportResult:
    result = ExportResult()
    for b in chosen:
        export_extf(b, rules.client(b.client_id), directory, result)
        if procore is not None:
            await export_pdfs(ledger, b, directory, procore, result)
    return result


def register(app: typer.Typer) -> None:
    app.add_typer(batches_app, name="batches")
