"""Kills aimed at the DATEV windows, with the emulator behaving as DATEV documents.

Three SIGKILLs, each while the worker is inside one window the emulator holds open:

- **DUO upload**: DUO stored the PDF, its answer is held back, the worker dies;
- **POST window**: DATEV created the EXTF job, its answer (the job id) is held back, the
  worker dies — the classic "job created, response lost";
- **job poll**: the job id is recorded, DATEV keeps the job pending, the worker dies.

Every POST is a new job (no 409 for a repeated name), so only the connector's submit intent
and job-list lookup stand between a restart and a double import. The verdict must show
0 lost and 0 duplicated bookings, every PDF once, and one job per file that succeeded.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from streams.bootstrap import build_ledger
from streams.demo.environment import DemoEnvironment, demo_environment
from streams.ledger.application import Ledger
from streams.operator.actions import batch_rows
from tests.reliability.checks import Verdict
from tests.reliability.harness import CrashPlan, _settings, _start, converge
from tests.support.waiting import holds_within

HOLD_S = 60.0


@dataclass
class WindowReport:
    kills: Counter[str] = field(default_factory=Counter)
    jobs: int = 0
    files: int = 0
    succeeded_per_file: dict[str, int] = field(default_factory=dict)
    gets_per_job: list[int] = field(default_factory=list)
    verdict: Verdict = field(default_factory=Verdict)

    def describe(self) -> str:
        v = self.verdict
        return (
            f"kills={dict(self.kills)} jobs={self.jobs} files={self.files} "
            f"lost={len(v.lost)} duplicates={len(v.duplicated)} problems={v.problems[:5]}"
        )


def _submitted(ledger: Ledger) -> bool:
    return any(b.state == "submitted" for b in batch_rows(ledger))


async def run_windows(workdir: Path) -> WindowReport:
    report = WindowReport()
    plan = CrashPlan(kills=3, size="small", converge_timeout_s=150.0)
    log = workdir / "worker.log"
    async with demo_environment(workdir, plan.size) as env:
        ledger = build_ledger(_settings(env, plan))
        state, faults = env.datev.state, env.datev.faults
        client = next(iter(state.clients))

        faults.hold_document_s = HOLD_S
        worker = await _start(env, plan, log)
        if await holds_within(lambda: bool(state.documents(client))):
            await asyncio.to_thread(worker.kill)
            report.kills["DUO upload (stored, answer lost)"] += 1
        faults.hold_document_s = 0.0

        faults.hold_import_s = HOLD_S
        jobs_before = len(state.jobs)
        worker = await _start(env, plan, log)
        if await holds_within(lambda: len(state.jobs) > jobs_before):
            await asyncio.to_thread(worker.kill)
            report.kills["EXTF POST (job created, answer lost)"] += 1
        faults.hold_import_s = 0.0

        faults.job_delay_s = 30.0
        worker = await _start(env, plan, log)
        if await holds_within(lambda: _submitted(ledger)):
            await asyncio.sleep(0.5)
            await asyncio.to_thread(worker.kill)
            report.kills["job poll (job id stored, pending)"] += 1
        faults.job_delay_s = 0.0
        for job in state.jobs.values():
            job.ready_at = min(job.ready_at, env.datev.clock.now())

        worker = await _start(env, plan, log)
        try:
            report.verdict, _ = await converge(env, ledger, plan.converge_timeout_s)
        finally:
            await asyncio.to_thread(worker.stop)
        _count_jobs(env, client, report)
    return report


def _count_jobs(env: DemoEnvironment, client: str, report: WindowReport) -> None:
    jobs = env.datev.state.client_jobs(client)
    report.jobs = len(jobs)
    report.files = len({j.filename for j in jobs})
    succeeded: Counter[str] = Counter(j.filename for j in jobs if j.result == "succeeded")
    report.succeeded_per_file = dict(succeeded)
    report.gets_per_job = [env.datev.state.gets_for_job(j.id) for j in jobs]
