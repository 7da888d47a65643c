"""``audit``, ``parked``, ``preview`` and ``seal``: looking at and moving bookings (``batches``:
``streams.commands.datev_export``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from domain.batch import Batch
from domain.batch_files import build_files
from domain.source_document import SourceDocument
from streams.agents.booking import local_now
from streams.commands.context import command_context
from streams.errors import ConnectorError
from streams.ledger.application import event_payload, event_type_name
from streams.operator.actions import find_document, parked

_SKIP = {"record", "context", "desired", "pending", "record_key"}


def _summarise(payload: dict[str, Any]) -> str:
    parts = []
    for key, value in payload.items():
        if key in _SKIP or value in (None, "", [], {}):
            continue
        if key == "notes" and isinstance(value, list):
            # shortenings, adjustments and collisions: the accountant reads them here
            parts.append("notes: " + " | ".join(str(n) for n in value))
            continue
        if key == "lines" or isinstance(value, list):
            parts.append(f"{key}={len(value)}")
            continue
        parts.append(f"{key}={value}")
    if "pending" in payload:
        lines = payload["pending"]
        total = sum(float(line["amount"]) for line in lines)  # display only
        parts.append(f"pending lines={len(lines)} ({total:,.2f} EUR)")
    return ", ".join(parts)


def register(app: typer.Typer) -> None:
    @app.command()
    def audit(
        ref: str = typer.Argument(..., help="company:project:resource:id or aggregate id"),
        as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    ) -> None:
        """The full history of one Procore record: versions, decisions, batches, DATEV, PDFs."""
        ctx = command_context(with_rules=False)
        doc = find_document(ctx.ledger, ref)
        events = ctx.ledger.history(doc.id)
        if as_json:
            out = [
                {
                    "version": e.originator_version,
                    "type": event_type_name(e),
                    "timestamp": e.timestamp.isoformat(),  # type: ignore[attr-defined]
                    "data": event_payload(e),
                }
                for e in events
            ]
            sys.stdout.write(orjson.dumps(out, default=str).decode() + "\n")
            return
        console = Console()
        console.print(
            f"[bold]{doc.key}[/] ({doc.resource}) — now: {doc.decision}"
            + (f", {doc.reason}" if doc.reason else "")
        )
        table = Table(show_lines=False)
        for col in ("v", "when (UTC)", "event", "details"):
            table.add_column(col)
        for e in events:
            table.add_row(
                str(e.originator_version),
                e.timestamp.strftime("%Y-%m-%d %H:%M:%S"),  # type: ignore[attr-defined]
                event_type_name(e).split(".", 1)[-1],
                _summarise(event_payload(e)),
            )
        console.print(table)
        for batch_id in dict.fromkeys(doc.batches):
            from uuid import UUID

            batch = ctx.ledger.aggregate(UUID(batch_id))
            if isinstance(batch, Batch):
                jobs = ", ".join(
                    f"{k}: {v['result']} (job {v['job_id']})" for k, v in batch.jobs.items()
                )
                files = ", ".join(f["filename"] for f in batch.files.values())
                console.print(
                    f"batch {batch_id[:8]} {batch.state}: {files}; {jobs or 'not submitted'}"
                )
                if batch.state == "failed" and batch.failure:
                    console.print(f"  reason: {batch.failure}", soft_wrap=True)
                for entry in batch.jobs.get("dxso", {}).get("protocol") or []:
                    console.print(
                        f"  DXSO protocol {entry.get('time', '')} {entry.get('type', '')}: "
                        f"{entry.get('filename', '')} {entry.get('text', '')} "
                        f"{entry.get('context', '')}".rstrip(),
                        soft_wrap=True,
                    )
        if doc.document_guid:
            console.print(f"invoice PDF: {doc.document_state} as DUO document {doc.document_guid}")

    @app.command("parked")
    def parked_cmd() -> None:
        """Records parked with a reason (booking or PDF upload), ready to replay."""
        ctx = command_context(with_rules=False)
        rows = parked(ctx.ledger)
        console = Console(highlight=False)
        console.print(f"[bold]{len(rows)} parked record(s)[/]")
        for doc in rows:
            failure = getattr(doc, "document_failure", None)
            problem = (
                doc.reason or ""
                if doc.decision == "parked"
                else f"invoice PDF upload failed: {failure or 'no reason recorded'}"
            )
            console.print(f"\n[bold]{doc.key}[/] (Procore status {doc.status})")
            console.print(f"  problem: {problem}", soft_wrap=True)
            console.print(f"  replay:  ml-connector replay record {doc.key}", soft_wrap=True)

    @app.command()
    def preview(
        client: str = typer.Argument(..., help="DATEV client id <advisor>-<client>"),
        out: Path | None = typer.Option(None, help="write the EXTF files into this directory"),
    ) -> None:
        """Dry run of the client's next batch: pending lines and EXTF bytes, nothing submitted."""
        ctx = command_context()
        if ctx.rules is None:
            raise ConnectorError("no mapping files configured (MLC_MAPPINGS)")
        rules = ctx.rules.client(client)
        docs: list[SourceDocument] = ctx.ledger.pending_documents(client)[0]
        lines = [line for d in docs for line in d.pending_lines]
        console = Console()
        if not lines:
            console.print(f"nothing pending for {client}")
            return
        files = build_files(lines, [], rules.mapping, local_now())
        console.print(f"{len(lines)} line(s) from {len(docs)} record(s) would be sealed:")
        for d in docs:
            console.print(f"  {d.key}: {len(d.pending)} line(s)")
        for f in files.values():
            console.print(f"  {f.filename} ({len(f.data)} bytes)")
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                (out / f.filename).write_bytes(f.data)
        console.print("(creditor rows are decided when the batch is sealed)")

    @app.command("seal")
    def seal_cmd(
        client: str = typer.Argument(..., help="DATEV client id <advisor>-<client>"),
    ) -> None:
        """Seal the client's pending lines now (for the manual cadence); the worker submits."""
        ctx = command_context()
        if ctx.rules is None:
            raise ConnectorError("no mapping files configured (MLC_MAPPINGS)")
        result = ctx.ledger.seal(ctx.rules.client(client), local_now())
        ids = ", ".join(str(b)[:8] for b in result.batch_ids) or "-"
        typer.echo(
            f"sealed {result.lines} line(s) of {result.records} record(s) into "
            f"{len(result.batch_ids)} batch(es): {ids}"
        )
