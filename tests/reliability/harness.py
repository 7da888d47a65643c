"""Crash harness: the worker as an OS process, killed with SIGKILL at random moments.

Used by the quick crash tests (CI) and the soak script. One run stands up the demo environment
(embedded broker, Procore and DATEV emulators, vault, DATEV login, mapping), starts the worker,
drives live Procore changes while killing and restarting the worker, then lets it converge and
returns the verdict of :mod:`tests.reliability.checks` plus figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import random
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.vault import Vault
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import DemoEnvironment, _login, demo_environment
from streams.ledger.application import Ledger, event_type_name
from streams.operator.actions import batch_rows
from streams.stages.relay import OutboxRelay
from streams.worker_process import WorkerProcess
from tests.reliability.checks import Verdict, verdict
from tests.reliability.mutations import Mutator
from tests.support.timing import SESSION_ENV

PROGRESS = bool(os.environ.get("MLC_CRASH_PROGRESS"))
RESTART_S = 4.0  # a restarted worker consumes again after ~3 s (with timing.SESSION_ENV)


@dataclass(frozen=True)
class CrashPlan:
    """How hard to push: kills, data size, live mutations and the faults that widen windows."""

    seed: int = 1
    kills: int = 10
    size: str = "small"
    mutations: int = 60
    alive_s: tuple[float, float] = (0.0, 3.0)  # from the worker's first activity to SIGKILL
    startup_kill_rate: float = 0.1  # share of kills before the worker became active
    mutation_every_s: float | None = None  # default: spread over the expected kill loop
    pg_dbname: str | None = None
    datev_job_delay_s: float = 1.0  # widens the polling window
    procore_slow_s: float = 0.3  # widens the fetch window
    procore_slow_rate: float = 0.1
    procore_5xx_rate: float = 0.03
    converge_timeout_s: float = 150.0
    log_level: str = "info"


@dataclass
class CrashReport:
    plan: CrashPlan
    kills: int = 0
    phases: Counter[str] = field(default_factory=Counter)
    mutations: Counter[str] = field(default_factory=Counter)
    faults_injected: int = 0
    relogins: int = 0  # kills that landed between DATEV's refresh answer and the vault write
    procore_api_calls: int = 0
    converge_s: float = 0.0
    duration_s: float = 0.0
    verdict: Verdict = field(default_factory=Verdict)
    machine: str = field(default_factory=lambda: f"{platform.node()} {platform.machine()}")

    def describe(self) -> str:
        v = self.verdict
        return (
            f"kills={self.kills} phases={dict(self.phases)} mutations={dict(self.mutations)} "
            f"approved={v.approved_records} rows={v.booking_rows} pdfs={v.documents} "
            f"batches={v.batches} lost={len(v.lost)} duplicates={len(v.duplicated)} "
            f"faults={self.faults_injected} relogins={self.relogins} "
            f"converge={self.converge_s:.1f}s "
            f"total={self.duration_s:.1f}s problems={v.problems[:10]}"
        )


def _mutation_pace(plan: CrashPlan) -> float:
    if plan.mutation_every_s is not None:
        return plan.mutation_every_s
    per_kill = RESTART_S + sum(plan.alive_s) / 2  # restart and group join + alive time
    return max(0.05, 0.8 * plan.kills * per_kill / max(1, plan.mutations))


def _settings(env: DemoEnvironment, plan: CrashPlan) -> Settings:
    pg: dict[str, object] = {"dbname": plan.pg_dbname} if plan.pg_dbname else {}
    return Settings(data_dir=env.workdir, log_level="warn", postgres=pg)  # type: ignore[arg-type]


def _worker_env(
    env: DemoEnvironment, plan: CrashPlan, reconcile_now: bool = False
) -> dict[str, str]:
    values = env.worker_env()
    values["MLC_LOG_LEVEL"] = plan.log_level
    values.update(SESSION_ENV)  # also for the soak script, which runs outside pytest
    if plan.pg_dbname:
        values["MLC_POSTGRES__DBNAME"] = plan.pg_dbname
    if reconcile_now:
        # The nightly reconciliation, due right now: catches deletions whose webhooks were lost
        # while the worker was dead (the emulator retries for ~2 s; Procore for 12 h).
        values["MLC_PROCORE__RECONCILE_AT"] = datetime.now().astimezone().strftime("%H:%M")
    return values


def _web_up(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def kill_phase(ledger: Ledger, web_port: int, window_s: float = 1.5) -> set[str]:
    """What the worker was doing at kill time, as far as the event store can tell."""
    phases: set[str] = set()
    if not _web_up(web_port):
        phases.add("startup")
    for b in batch_rows(ledger):
        if b.state == "sealed":
            phases.add("sealed, before DATEV upload / job id recorded")
        elif b.state == "submitted":
            phases.add("DATEV job polling")
    last = ledger.recorder.max_notification_id() or 0
    if last and OutboxRelay(ledger).position() < last:
        phases.add("outbox relay behind")
    now = time.time()
    for n in ledger.notifications(max(1, last - 20), 21):
        event: Any = ledger.decode(n)
        if now - event.timestamp.timestamp() > window_s:
            continue
        name = event_type_name(event)
        if name.startswith("Batch.") or name.endswith("LinesBatched"):
            phases.add("sealing/submission write")
        elif name.endswith("DocumentUploaded") or name.endswith("DocumentFailed"):
            phases.add("PDF upload")
        elif name.startswith("SourceDocument."):
            phases.add("fold")
    return phases or {"idle"}


def faults_seen(env: DemoEnvironment) -> int:
    by_status = env.procore.counters.by_status
    return sum(n for status, n in by_status.items() if status == 429 or status >= 500)


async def _start(env: DemoEnvironment, plan: CrashPlan, log: Path, **kw: Any) -> WorkerProcess:
    return await asyncio.to_thread(WorkerProcess(_worker_env(env, plan, **kw), log).start)


def activity(env: DemoEnvironment, ledger: Ledger) -> tuple[int, int, int]:
    """Counters that move once the worker works (it joins the consumer group first, ~8 s)."""
    events = ledger.recorder.max_notification_id() or 0
    return events, env.procore.counters.api_calls(), len(env.datev.state.api_calls)


async def wait_active(env: DemoEnvironment, ledger: Ledger, timeout_s: float = 40.0) -> bool:
    before = await asyncio.to_thread(activity, env, ledger)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        if await asyncio.to_thread(activity, env, ledger) != before:
            return True
    return False


async def converge(
    env: DemoEnvironment, ledger: Ledger, timeout_s: float, settle_s: float = 2.0
) -> tuple[Verdict, float]:
    """Wait until the verdict holds (twice, ``settle_s`` apart) or the timeout passes."""
    started = time.monotonic()
    current = Verdict()
    while time.monotonic() - started < timeout_s:
        await env.procore.webhooks.flush()
        current = await asyncio.to_thread(verdict, env, ledger)
        if PROGRESS:
            print(
                f"{time.monotonic() - started:5.1f}s {len(current.problems)} problem(s)", flush=True
            )
        if current.ok:
            await asyncio.sleep(settle_s)
            current = await asyncio.to_thread(verdict, env, ledger)
            if current.ok:
                break
        await asyncio.sleep(1.0)
    return current, time.monotonic() - started


async def _login_lost(env: DemoEnvironment) -> bool:
    vault = Vault.open(env.workdir, env.vault_key, None)
    stored = (await asyncio.to_thread(vault.read)).datev_refresh
    if stored is None:
        return True
    entry = env.datev.auth.refresh.get(stored.token.get_secret_value())
    return entry is None or entry.used or entry.revoked


async def _relogin(env: DemoEnvironment) -> None:
    await _login(Vault.open(env.workdir, env.vault_key, None), env.datev)


async def run_crash(workdir: Path, plan: CrashPlan) -> CrashReport:
    """Kill the worker ``plan.kills`` times while records flow, then check exactly-once."""
    report = CrashReport(plan=plan)
    started = time.monotonic()
    rng = random.Random(plan.seed)
    log = workdir / "worker.log"
    async with demo_environment(workdir, plan.size) as env:
        ledger = build_ledger(_settings(env, plan))
        env.datev.faults.job_delay_s = plan.datev_job_delay_s
        env.procore.set_faults(
            slow_s=plan.procore_slow_s,
            slow_rate=plan.procore_slow_rate,
            rate_5xx=plan.procore_5xx_rate,
        )
        mutator = Mutator(env, random.Random(plan.seed + 1))
        mutating = asyncio.create_task(
            mutator.run(plan.mutations, _mutation_pace(plan)), name="mutations"
        )
        worker = await _start(env, plan, log)
        try:
            for n in range(plan.kills):
                if rng.random() < plan.startup_kill_rate:
                    await asyncio.sleep(rng.uniform(0.5, 4.0))
                else:
                    await wait_active(env, ledger)
                    await asyncio.sleep(rng.uniform(*plan.alive_s))
                last = n == plan.kills - 1
                if last:  # the final stretch runs without faults and without new changes
                    await mutating
                    env.procore.set_faults(slow_s=0.0, rate_5xx=0.0)
                    env.datev.faults.job_delay_s = 0.0
                phases = await asyncio.to_thread(kill_phase, ledger, env.web_port)
                await asyncio.to_thread(worker.kill)
                report.kills += 1
                report.phases.update(phases)
                if await _login_lost(env):
                    # DATEV had rotated the refresh token but the kill came before the vault
                    # write: no client can keep that login. The worker says "run `ml-connector
                    # datev login`"; the harness does what the operator would.
                    await _relogin(env)
                    report.relogins += 1
                # The last restart also runs the nightly reconciliation.
                worker = await _start(env, plan, log, reconcile_now=last)
            report.verdict, report.converge_s = await converge(env, ledger, plan.converge_timeout_s)
        finally:
            mutating.cancel()
            await asyncio.to_thread(worker.stop)
        report.mutations = mutator.done
        report.faults_injected = faults_seen(env)
        report.procore_api_calls = env.procore.counters.api_calls()
    report.duration_s = time.monotonic() - started
    return report
