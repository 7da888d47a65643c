"""The demo script: backfill, then live changes and faults, each checked against DATEV."""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from domain.reconciliation import Reconciliation, reconcile
from emulators.datev.extf_check import check_extf
from emulators.procore.data import Resource
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.dxso_step import dxso_batches, dxso_rows, dxso_step, dxso_summary
from streams.demo.environment import DemoEnvironment, demo_environment
from streams.demo.files_step import delivered_batches, delivered_rows, files_step, files_summary
from streams.demo.review import review_step
from streams.ledger.rules import load_rules
from streams.operator.actions import batch_rows, iter_batches, replay_batch
from streams.operator.close import reconciliation_report
from streams.operator.close_html import render_html
from streams.stages.file_export import ExportResult, export_extf
from streams.worker_process import WorkerProcess

BOOKED: tuple[Resource, ...] = ("requisition", "direct_cost")
OPEN_STATES = ("sealed", "submitted")


def procore_approved(env: DemoEnvironment) -> list[tuple[int, str, dict[str, Any]]]:
    """What Procore says should be in DATEV: approved, not deleted, mapped projects."""
    statuses = {
        "requisition": set(env.mapping.booking.requisition_statuses),
        "direct_cost": set(env.mapping.booking.direct_cost_statuses),
    }
    out: list[tuple[int, str, dict[str, Any]]] = []
    for resource in BOOKED:
        for row in env.procore.state.rows[resource].values():
            if row.data.get("status") in statuses[resource] and row.project_id is not None:
                out.append((row.project_id, resource, row.data))
    return out


def current_reconciliation(env: DemoEnvironment) -> Reconciliation:
    """Procore against DATEV (EXTF, and DUO's ledger for ``dxso``) plus the EXTF files of the
    destination ``files`` (hand import)."""
    rows = env.datev.state.bookings(env.mapping.client_id) + delivered_rows(env) + dxso_rows(env)
    return reconcile(env.mapping, env.chart, procore_approved(env), rows)


class Demo:
    def __init__(
        self,
        env: DemoEnvironment,
        console: Console,
        timeout_s: float,
        settings: Settings | None = None,
    ) -> None:
        self.env = env
        self.console = console
        self.timeout_s = timeout_s
        self.settings = settings or Settings(data_dir=env.workdir, log_level="warn")
        self.steps: list[tuple[str, bool, float]] = []

    async def converge(self, what: str, where: str = "DATEV") -> bool:
        """Wait until DATEV (and the files for hand import) match Procore to the cent."""
        started = time.monotonic()
        last = ""
        ledger = build_ledger(self.settings)
        while time.monotonic() - started < self.timeout_s:
            rec = current_reconciliation(self.env)
            in_flight = [
                b for b in await asyncio.to_thread(batch_rows, ledger) if b.state in OPEN_STATES
            ]
            if rec.matches and not in_flight:
                took = time.monotonic() - started
                self.console.print(f"  [green]✔[/] {what}: {where} matches Procore ({took:.1f} s)")
                self.steps.append((what, True, took))
                return True
            status = (
                f"open difference {rec.difference:,.2f} EUR, {len(in_flight)} batch(es) in flight"
            )
            if status != last:
                self.console.print(f"  … {status}", style="dim")
                last = status
            await asyncio.sleep(1.0)
        self.console.print(f"  [red]✘[/] {what}: no match after {self.timeout_s:.0f} s")
        self.steps.append((what, False, self.timeout_s))
        return False

    async def step(self, title: str, action: Callable[[], Awaitable[Any] | Any]) -> bool:
        self.console.print(f"[bold]▶ {title}[/]")
        result = action()
        if asyncio.iscoroutine(result):
            await result
        await self.env.procore.webhooks.flush()
        return await self.converge(title)

    def pick(self, resource: Resource, status: str) -> int:
        for rid, row in self.env.procore.state.rows[resource].items():
            if row.data.get("status") == status and row.project_id in self.env.mapping.projects:
                return int(rid)
        raise RuntimeError(f"the demo data has no {status} {resource}")


async def scenario(demo: Demo) -> None:
    env = demo.env
    procore = env.procore
    await demo.converge("backfill: every approved requisition and direct cost")
    req = demo.pick("requisition", "under_review")
    await demo.step(
        f"approve requisition {req} (webhook)", lambda: procore.approve_requisition(req)
    )
    dc = demo.pick("direct_cost", "approved")
    old = sum(
        Decimal(li["amount"]) for li in procore.state.rows["direct_cost"][dc].data["line_items"]
    )
    await demo.step(
        f"edit approved direct cost {dc} after posting: {old} → {old + Decimal('1000.00')} "
        "(reversal + rebooking)",
        lambda: procore.edit_direct_cost(dc, old + Decimal("1000.00")),
    )
    gone = demo.pick("direct_cost", "approved")
    await demo.step(
        f"delete direct cost {gone} (reversal)", lambda: procore.delete("direct_cost", gone)
    )

    def duplicate() -> None:
        procore.set_faults(webhook_duplicate_rate=1.0, webhook_out_of_order=True)
        procore.approve_requisition(demo.pick("requisition", "under_review"))

    await demo.step("duplicate, out-of-order webhook deliveries (booked once)", duplicate)
    procore.set_faults(webhook_duplicate_rate=0.0, webhook_out_of_order=False)

    def missed() -> None:
        procore.set_faults(webhook_drop_rate=1.0, rate_429=0.3, storm_reset_s=1.0)
        procore.approve_requisition(demo.pick("requisition", "under_review"))

    await demo.step("missed webhook during a 429 storm (caught by the poller)", missed)
    procore.set_faults(webhook_drop_rate=0.0, rate_429=0.0)

    env.datev.faults.fail_jobs = True
    dc2 = demo.pick("direct_cost", "pending")
    demo.console.print("[bold]▶ DATEV rejects the next batch; the operator replays it[/]")
    procore.update("direct_cost", dc2, status="approved")
    await procore.webhooks.flush()
    failed = await _wait_failed_batch(demo)
    env.datev.faults.fail_jobs = False
    if failed:
        ledger = build_ledger(demo.settings)
        replay_batch(ledger, failed, by="demo")
        demo.console.print(f"  ml-connector replay batch {failed[:8]}  → resubmitted")
    await demo.converge("failed DATEV job replayed")


async def _wait_failed_batch(demo: Demo) -> str | None:
    deadline = time.monotonic() + demo.timeout_s
    ledger = build_ledger(demo.settings)
    while time.monotonic() < deadline:
        failed = await asyncio.to_thread(batch_rows, ledger, "failed")
        if failed:
            demo.console.print(f"  batch {str(failed[0].batch_id)[:8]} failed: {failed[0].failure}")
            return str(failed[0].batch_id)
        await asyncio.sleep(1.0)
    demo.console.print("  [red]✘[/] no batch failed although DATEV rejected jobs")
    demo.steps.append(("failed DATEV job", False, demo.timeout_s))
    return None


def _summary(demo: Demo) -> bool:
    env = demo.env
    rec = current_reconciliation(env)
    console = demo.console
    client = env.mapping.client_id
    as_files = {b.id for b in delivered_batches(demo)} | {b.id for b in dxso_batches(demo)}
    batches = [b for b in batch_rows(build_ledger(demo.settings)) if b.batch_id not in as_files]
    bookings = env.datev.state.bookings(client)
    console.print()
    console.print(
        f"[bold]In DATEV (client {env.mapping.client.name}):[/] {len(batches)} batches "
        f"({sum(1 for b in batches if b.state == 'completed')} completed), {len(bookings)} booking "
        f"lines, {len(env.datev.state.creditors(client))} creditors, "
        f"{len(env.datev.state.documents(client))} invoice PDFs"
    )
    console.print(files_summary(demo))
    console.print(dxso_summary(demo))
    table = Table(title="Reconciliation per project (net, EUR; DATEV + files for hand import)")
    for col in ("KOST1", "project", "records", "Procore approved", "booked", "difference"):
        table.add_column(col, justify="right" if col not in ("KOST1", "project") else "left")
    for p in rec.projects:
        table.add_row(
            p.kost1,
            p.label[:30],
            str(p.records),
            f"{p.procore:,.2f}",
            f"{p.datev:,.2f}",
            f"{p.difference:,.2f}",
        )
    console.print(table)
    calls = env.procore.counters.api_calls() if hasattr(env.procore.counters, "api_calls") else "?"
    console.print(f"Procore API calls: {calls}")
    closes = _month_end(demo)
    exported = _export(demo)
    ok = rec.matches and all(passed for _, passed, _ in demo.steps) and all(closes) and exported
    verdict = "reconciled to the cent" if rec.matches else f"open difference {rec.difference:,.2f}"
    console.print(("[bold green]✔ " if ok else "[bold red]✘ ") + verdict + "[/]")
    return ok


def _export(demo: Demo) -> bool:
    """`batches export`: every sealed batch as files (for an advisor who imports by hand)."""
    env = demo.env
    ledger = build_ledger(demo.settings, load_rules([env.mapping_path]))
    assert ledger.rules is not None
    rules = ledger.rules.client(env.mapping.client_id)
    out = env.workdir / "export"
    result = ExportResult()
    for batch in iter_batches(ledger):
        export_extf(batch, rules, out, result)
    chart = env.datev.state.clients[rules.client_id].chart
    bad = [p.name for p in result.written if not check_extf(p.read_bytes(), chart).ok]
    mark = "[green]✔[/]" if not bad and result.written else "[red]✘[/]"
    verdict = f"rejected by the EXTF check: {', '.join(bad)}" if bad else "all pass the EXTF check"
    where = out / rules.client_id
    count = len(result.written)
    demo.console.print(f"{mark} batches export: {count} EXTF files in {where}, {verdict}")
    return bool(result.written) and not bad


def _fresh_dir(workdir: Path) -> Path:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    return workdir.resolve()


def _month_end(demo: Demo) -> list[bool]:
    """The month-end report per month with bookings: verdict and the static HTML file."""
    env = demo.env
    ledger = build_ledger(demo.settings, load_rules([env.mapping_path]))
    assert ledger.rules is not None
    rules = ledger.rules.client(env.mapping.client_id)
    months = sorted({row["belegdatum"][:7] for row in env.datev.state.bookings(rules.client_id)})
    out_dir = env.workdir / "reports"
    out_dir.mkdir(exist_ok=True)
    verdicts = []
    for month in months:
        report = reconciliation_report(ledger, rules, month)
        path = out_dir / f"reconciliation-{rules.client_id}-{month}.html"
        path.write_text(render_html(report), encoding="utf-8")
        mark = "[green]✔[/]" if report.reconciled else "[red]✘[/]"
        demo.console.print(f"{mark} month-end {report.verdict} — {path}")
        verdicts.append(report.reconciled)
    return verdicts


async def run_demo(workdir: Path, size: str, timeout_s: float = 120.0) -> int:
    console = Console(width=None if sys.stdout.isatty() else 110)
    workdir = await asyncio.to_thread(_fresh_dir, workdir)
    async with demo_environment(workdir, size) as env:
        projects = len(env.procore.project_ids(env.procore.company_id))
        console.print(
            f"• Procore emulator {env.procore.base_url} (company {env.procore.company_id}, "
            f"{projects} projects); DATEV emulator {env.datev.base_url}; "
            f"Kafka {env.broker.bootstrap_servers} (embedded)"
        )
        console.print(f"• mapping {env.mapping_path} checked against SKR03; DATEV login stored")
        worker = WorkerProcess(env.worker_env(), workdir / "worker.log").start()
        try:
            await asyncio.to_thread(worker.wait_web, "127.0.0.1", env.web_port)
            console.print(
                f"• worker pid {worker.proc.pid if worker.proc else '?'} (log {worker.log_path})"
            )
            demo = Demo(env, console, timeout_s)
            await scenario(demo)
            await review_step(demo)
            await files_step(demo)
            await dxso_step(demo)
        finally:
            took = await asyncio.to_thread(worker.stop)
            console.print(f"• worker stopped by SIGTERM in {took:.1f} s")
        return 0 if _summary(demo) else 1
