"""The demo's DXSO step: the client switches to ``delivery.destination = "dxso"``.

Invoices then go to DUO's accounts-payable ledger as one DXSO job per batch (``document.xml``,
a ledger XML per record, the PDFs) instead of an EXTF upload. The demo checks the emulator's
jobs: state 2, the batches' invoice numbers booked once, one PDF per invoice that has one, and
no new EXTF job or separate DUO document.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.atomic_file import write_atomic
from domain.batch import Batch
from streams.bootstrap import build_ledger
from streams.demo.files_step import expected_pdfs
from streams.demo.steps import mapping_reloaded, verdict
from streams.operator.actions import iter_batches

if TYPE_CHECKING:
    from streams.demo.environment import DemoEnvironment
    from streams.demo.run import Demo


def dxso_rows(env: DemoEnvironment) -> list[dict[str, str]]:
    """Booking rows DUO's accounts-payable ledger holds from finished DXSO jobs."""
    routes = env.datev.dxso
    return routes.bookings(env.mapping.client_id) if routes is not None else []


def dxso_batches(demo: Demo) -> list[Batch]:
    return [b for b in iter_batches(build_ledger(demo.settings)) if "dxso" in b.jobs]


def dxso_summary(demo: Demo) -> str:
    jobs = _jobs(demo.env)
    done = sum(1 for j in jobs if j.status == 2)
    pdfs = sum(1 for j in jobs for name in j.files if name.endswith(".pdf"))
    calls = demo.env.datev.state.api_calls
    gets = [
        sum(1 for m, p in calls if m == "GET" and p.endswith(f"/dxso-jobs/{j.id}")) for j in jobs
    ]
    return (
        f"[bold]Into DUO's accounts-payable ledger (DXSO):[/] {len(jobs)} job(s), {done} in "
        f"state 2, {len(dxso_rows(demo.env))} ledger rows, {pdfs} invoice PDFs, "
        f"status GETs per job {gets}"
    )


def _jobs(env: DemoEnvironment) -> list[Any]:
    routes = env.datev.dxso
    client = env.mapping.client_id
    return [j for j in routes.jobs.values() if j.client_id == client] if routes else []


def _unapproved(demo: Demo) -> int:
    """A requisition of a mapped project still to approve (earlier steps took some)."""
    for status in ("under_review", "pending_owner_approval", "revise_and_resubmit", "draft"):
        try:
            return demo.pick("requisition", status)
        except RuntimeError:
            continue
    raise RuntimeError("the demo data has no requisition left to approve")


def _edit_mapping(path: Path) -> None:
    """Destination dxso (review stays off); replaced atomically so the watcher never sees half."""
    text = path.read_text(encoding="utf-8").replace("review = true\n", "review = false\n")
    if "[delivery]" in text:
        text = re.sub(r'(?m)^destination = "\w+"$', 'destination = "dxso"', text)
    else:
        text += '\n[delivery]\ndestination = "dxso"\n'
    write_atomic(path, text)


def _check_jobs(demo: Demo, batches: list[Batch], extf_before: int, docs_before: int) -> list[str]:
    env = demo.env
    client = env.mapping.client_id
    problems: list[str] = []
    jobs = {j.id: j for j in _jobs(env)}
    for batch in batches:
        job = jobs.get(str(batch.jobs["dxso"]["job_id"]))
        if job is None or job.status != 2:
            problems.append(f"batch {str(batch.id)[:8]}: its DXSO job is not in state 2")
            continue
        wanted = sorted(line["belegfeld1"] for line in batch.lines)
        if sorted(job.imported) != wanted:
            problems.append(f"job {job.id[:8]} booked {sorted(job.imported)}, sealed {wanted}")
        pdfs = sum(1 for name in job.files if name.endswith(".pdf"))
        expected = expected_pdfs(demo, [batch])
        if pdfs != expected:
            problems.append(f"job {job.id[:8]} holds {pdfs} PDF(s), {expected} expected")
    if len(env.datev.state.client_jobs(client)) != extf_before:
        problems.append("DATEV received a new EXTF job for this client")
    if len(env.datev.state.documents(client)) != docs_before:
        problems.append("the PDFs went to DUO separately as well")
    return problems


async def dxso_step(demo: Demo, approvals: int = 2) -> bool:
    """Edit the running worker's mapping (no restart), approve records, check the DXSO jobs."""
    env, console = demo.env, demo.console
    client = env.mapping.client_id
    title = f"destination dxso for {env.mapping.client.name}: invoices into DUO's payables ledger"
    console.print(f"[bold]▶ {title}[/]")
    started = time.monotonic()
    extf_before = len(env.datev.state.client_jobs(client))
    docs_before = len(env.datev.state.documents(client))
    await asyncio.to_thread(_edit_mapping, env.mapping_path)
    edit = '\\[delivery] destination = "dxso"'
    if not await mapping_reloaded(
        demo, title, lambda page: 'data-destination="dxso"' in page, edit
    ):
        return False
    for _ in range(approvals):
        env.procore.approve_requisition(_unapproved(demo))
    await env.procore.webhooks.flush()
    if not await demo.converge(f"{approvals} requisitions as DXSO", "DATEV + DUO's ledger"):
        return False
    batches = await asyncio.to_thread(dxso_batches, demo)
    problems = await asyncio.to_thread(_check_jobs, demo, batches, extf_before, docs_before)
    if not batches:
        problems.append("no batch went out as a DXSO job")
    for job in _jobs(env):
        console.print(f"    job {job.id[:8]} state {job.status}: {sorted(job.files)}", style="dim")
    done = (
        f"{len(batches)} DXSO job(s) in state 2 with the sealed invoices and their PDFs; "
        "no EXTF job, no separate DUO upload"
    )
    return verdict(demo, title, problems, started, done)
