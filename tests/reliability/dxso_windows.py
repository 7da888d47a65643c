"""SIGKILLs aimed at the DXSO windows of a worker whose client is on destination ``dxso``.

Three kills, each while the worker is inside one window the DATEV emulator holds open:

- **create**: DATEV created the DXSO job, its answer (the job id) is held back, the worker dies;
- **finalise**: the files are attached and the job finalised, the answer is held back, the
  worker dies;
- **job poll**: the job is running at DATEV, the worker dies.

The dxso-jobs API has no job list, and every POST creates a new job. The verdict: every sealed
line booked exactly once in DUO's accounts-payable ledger, DUO's ledger reconciles with Procore,
every batch completed, and only open, empty jobs (never finalised) left besides the done ones.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.reconciliation import reconcile
from streams.bootstrap import build_ledger
from streams.demo.environment import DemoEnvironment, demo_environment
from streams.ledger.application import Ledger
from streams.operator.actions import batch_rows, iter_batches
from tests.reliability.checks import approved
from tests.reliability.harness import CrashPlan, _settings, _start
from tests.support.waiting import holds_within

HOLD_S = 60.0


@dataclass
class DxsoReport:
    kills: Counter[str] = field(default_factory=Counter)
    states: Counter[int] = field(default_factory=Counter)  # DXSO job states at the end
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"kills={dict(self.kills)} job states={dict(self.states)} {self.problems[:5]}"


def _jobs(env: DemoEnvironment) -> list[Any]:
    assert env.datev.dxso is not None
    return list(env.datev.dxso.jobs.values())


def _to_dxso(path: Path) -> None:
    path.write_text(path.read_text() + '\n[delivery]\ndestination = "dxso"\n')


def _all_done(ledger: Ledger) -> bool:
    rows = batch_rows(ledger)
    return bool(rows) and all(b.state == "completed" for b in rows)


def _verdict(env: DemoEnvironment, ledger: Ledger, report: DxsoReport) -> None:
    jobs = _jobs(env)
    report.states = Counter(j.status for j in jobs)
    sealed: Counter[str] = Counter()
    for batch in iter_batches(ledger):
        sealed.update(line["belegfeld1"] for line in batch.lines)
        if batch.state != "completed":
            report.problems.append(f"batch {batch.id} left {batch.state}")
    booked = Counter(i for j in jobs for i in j.imported)
    if booked != sealed:
        report.problems.append(f"DUO booked {booked - sealed} too much, {sealed - booked} missing")
    stray = [j.id for j in jobs if j.status not in (0, 2, 5) or (j.status == 0 and j.files)]
    if stray:
        report.problems.append(f"jobs neither done, cancelled nor empty: {stray}")
    rows = env.datev.dxso.bookings(env.mapping.client_id) if env.datev.dxso else []
    rec = reconcile(env.mapping, env.chart, approved(env).values(), rows)
    if not rec.matches:
        report.problems.append(f"DUO's ledger differs from Procore by {rec.difference}")


async def run_dxso_windows(workdir: Path) -> DxsoReport:
    report = DxsoReport()
    plan = CrashPlan(kills=3, size="small", converge_timeout_s=150.0)
    log = workdir / "worker.log"
    async with demo_environment(workdir, plan.size) as env:
        await asyncio.to_thread(_to_dxso, env.mapping_path)
        ledger = build_ledger(_settings(env, plan))
        faults = env.datev.faults

        faults.hold_dxso_create_s = HOLD_S
        worker = await _start(env, plan, log)
        if await holds_within(lambda: bool(_jobs(env))):
            await asyncio.to_thread(worker.kill)
            report.kills["create (job made, id lost)"] += 1
        faults.hold_dxso_create_s = 0.0

        faults.hold_dxso_ready_s = HOLD_S
        faults.job_delay_s = 3600.0  # the finalised job keeps running
        worker = await _start(env, plan, log)
        if await holds_within(lambda: any(j.status == 1 for j in _jobs(env))):
            await asyncio.to_thread(worker.kill)
            report.kills["finalise (answer lost)"] += 1
        faults.hold_dxso_ready_s = 0.0

        worker = await _start(env, plan, log)
        if await holds_within(lambda: any(b.state == "submitted" for b in batch_rows(ledger))):
            await asyncio.sleep(1.0)  # the restarted worker asks the job's state, then polls
            await asyncio.to_thread(worker.kill)
            report.kills["job poll (running)"] += 1
        faults.job_delay_s = 0.0
        for job in _jobs(env):
            if job.ready_at is not None:
                job.ready_at = min(job.ready_at, env.datev.clock.now())

        worker = await _start(env, plan, log)
        try:
            await holds_within(lambda: _all_done(ledger), plan.converge_timeout_s)
        finally:
            await asyncio.to_thread(worker.stop)
        await asyncio.to_thread(_verdict, env, ledger, report)
    return report
