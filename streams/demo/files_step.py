"""The demo's files step: the client switches to ``delivery.destination = "files"``.

For firms whose advisor imports by hand or has no data service booked: sealed batches (and
their PDFs) land in a directory instead of DATEV. The demo then checks the directory, not DATEV.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from adapters.atomic_file import write_atomic
from domain.batch import Batch
from domain.planning import invoice_attachment
from domain.source_document import SourceDocument
from emulators.datev.extf_check import ClientChart, check_extf
from streams.bootstrap import build_ledger
from streams.demo.steps import mapping_reloaded, until, verdict
from streams.ledger.rules import load_rules
from streams.operator.actions import iter_batches
from streams.stages.file_export import PDF_FOLDER, ExportResult, export_extf

if TYPE_CHECKING:
    from streams.demo.environment import DemoEnvironment
    from streams.demo.run import Demo


def files_directory(env: DemoEnvironment) -> Path:
    return env.workdir / "files"


def delivered_rows(env: DemoEnvironment) -> list[dict[str, str]]:
    """Booking rows of the EXTF files written for the advisor (what a manual import books)."""
    folder = files_directory(env) / env.mapping.client_id
    if not folder.is_dir():
        return []
    chart = env.datev.state.clients[env.mapping.client_id].chart
    rows: list[dict[str, str]] = []
    for path in sorted(folder.glob("EXTF_*.csv")):
        rows += check_extf(path.read_bytes(), chart).bookings
    return rows


def files_summary(demo: Demo) -> str:
    env = demo.env
    folder = files_directory(env) / env.mapping.client_id
    extf = list(folder.glob("EXTF_*.csv")) if folder.is_dir() else []
    belege = folder / PDF_FOLDER
    pdfs = sum(1 for _ in belege.iterdir()) if belege.is_dir() else 0
    return (
        f"[bold]As files for hand import ({folder}):[/] {len(delivered_batches(demo))} batch(es), "
        f"{len(extf)} EXTF files, {len(delivered_rows(env))} booking lines, {pdfs} invoice PDFs"
    )


def _edit_mapping(path: Path, directory: Path) -> None:
    """Review off again, destination files; replaced atomically so the watcher never sees half."""
    text = path.read_text(encoding="utf-8").replace("review = true\n", "review = false\n")
    where = orjson.dumps(str(directory)).decode()  # a TOML basic string
    text += f'\n[delivery]\ndestination = "files"\ndirectory = {where}\n'
    write_atomic(path, text)


def delivered_batches(demo: Demo) -> list[Batch]:
    """Batches the worker wrote to the directory (their jobs are ``files:<path>``)."""
    return [
        b
        for b in iter_batches(build_ledger(demo.settings))
        if any(str(j.get("job_id", "")).startswith("files:") for j in b.jobs.values())
    ]


def expected_pdfs(demo: Demo, batches: list[Batch]) -> int:
    ledger = build_ledger(demo.settings)
    keys = {k for b in batches for k in b.record_keys}
    docs = [ledger.document(SourceDocument.create_id(k)) for k in keys]
    return sum(1 for d in docs if invoice_attachment((d.record if d else None) or {}) is not None)


def _check_directory(demo: Demo, jobs_before: int, docs_before: int) -> list[str]:
    """What is wrong with the directory (empty: names, bytes, EXTF check and DATEV all fine)."""
    env = demo.env
    client = env.mapping.client_id
    folder = files_directory(env) / client
    batches = delivered_batches(demo)
    problems: list[str] = []
    if not batches:
        return ["no batch went to the directory"]
    expected = {f["filename"] for b in batches for f in b.files.values()}
    found = {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
    if found != expected:
        problems.append(f"files {sorted(found)} ≠ the batches' names {sorted(expected)}")
    chart = env.datev.state.clients[client].chart
    problems += [
        f"{n} fails the EXTF check" for n in sorted(found) if not _valid(folder / n, chart)
    ]
    rules = load_rules([env.mapping_path]).client(client)
    again = ExportResult()
    for batch in batches:
        export_extf(batch, rules, files_directory(env), again)  # same bytes: nothing written
    if again.written:
        problems.append(f"a second export rewrote {[p.name for p in again.written]}")
    if len(env.datev.state.client_jobs(client)) != jobs_before:
        problems.append("DATEV received a new EXTF job for this client")
    if len(env.datev.state.documents(client)) != docs_before:
        problems.append("DATEV received a new document for this client")
    return problems


def _valid(path: Path, chart: ClientChart) -> bool:
    return check_extf(path.read_bytes(), chart).ok


async def files_step(demo: Demo) -> bool:
    """Edit the running worker's mapping (no restart), approve a record, check the directory."""
    env, console = demo.env, demo.console
    client = env.mapping.client_id
    directory = files_directory(env)
    title = f"destination files for {env.mapping.client.name}: batches into a directory, not DATEV"
    console.print(f"[bold]▶ {title}[/]")
    started = time.monotonic()
    jobs_before = len(env.datev.state.client_jobs(client))
    docs_before = len(env.datev.state.documents(client))
    await asyncio.to_thread(_edit_mapping, env.mapping_path, directory)
    edit = '\\[delivery] destination = "files", review off'
    if not await mapping_reloaded(demo, title, lambda page: 'data-review="on"' not in page, edit):
        return False
    req = demo.pick("requisition", "under_review")
    env.procore.approve_requisition(req)
    await env.procore.webhooks.flush()
    if not await demo.converge(f"requisition {req} as files", "DATEV + the directory"):
        return False
    batches = await asyncio.to_thread(delivered_batches, demo)
    pdfs = await asyncio.to_thread(expected_pdfs, demo, batches)
    belege = directory / client / PDF_FOLDER

    def pdfs_written() -> bool:
        return belege.is_dir() and sum(1 for _ in belege.iterdir()) >= pdfs

    pdf_ok = await until(pdfs_written, demo.timeout_s)
    problems = await asyncio.to_thread(_check_directory, demo, jobs_before, docs_before)
    if not pdf_ok:
        problems.append(f"{pdfs} invoice PDF(s) expected in {belege}")
    for path in sorted((directory / client).rglob("*")):
        if path.is_file():
            console.print(f"    {path.relative_to(directory)}", style="dim")
    done = (
        f"{directory}: deterministic names, every file passes the EXTF check, "
        f"{pdfs} PDF(s) in {PDF_FOLDER}/; DATEV received no new job"
    )
    return verdict(demo, title, problems, started, done)
