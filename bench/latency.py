"""§4 latency: Procore change (webhook sent) → DATEV EXTF job submitted, at "immediate" cadence.

The demo environment (embedded broker, Procore and DATEV emulators, vault, login, mapping) and the
real worker as a child process. After the worker's first backfill has been sealed and submitted,
approved direct costs are edited one by one at a steady pace; each edit makes the emulator post a
webhook to the worker, which fetches, folds (reversal + rebooking), seals and submits. The end time
is the ``JobSubmitted`` event (Buchungsstapel) of the batch holding the record, read from the store.
Webhook endpoint throughput is measured in the same worker with a bounded loopback load.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench.kafka_tools import BenchProcess
from domain.batch import Batch
from domain.source_document import SourceDocument
from streams.config.settings import Settings
from streams.demo.environment import WEBHOOK_SECRET, DemoEnvironment, demo_environment
from streams.ledger.application import Ledger, event_topic
from streams.ledger.eventstore import event_store_env

SEALED = event_topic(Batch, "Sealed")
SUBMITTED = event_topic(Batch, "JobSubmitted")
PLANNED = event_topic(SourceDocument, "LinesPlanned")
STEPS = ("planned", "sealed", "submitted")  # the stored events each record passes


def _submissions(ledger: Ledger, after: float = 0.0) -> dict[str, float]:
    """Record key → first time a Buchungsstapel job holding it was submitted (Unix s)."""
    return {k: t["submitted"] for k, t in _timeline(ledger, after).items() if "submitted" in t}


def _timeline(ledger: Ledger, after: float) -> dict[str, dict[str, float]]:
    """Record key → first time (Unix s, from ``after`` on) it was planned, sealed, submitted."""
    out: dict[str, dict[str, float]] = {}
    for n in ledger.scan([PLANNED]):
        event: Any = ledger.decode(n)
        if event.timestamp.timestamp() >= after:
            out.setdefault(event.record_key, {}).setdefault("planned", event.timestamp.timestamp())
    keys_of: dict[str, list[str]] = {}
    for n in ledger.scan([SEALED]):
        event = ledger.decode(n)
        keys_of[str(n.originator_id)] = event.record_keys
        if event.timestamp.timestamp() >= after:
            for key in event.record_keys:
                out.setdefault(key, {}).setdefault("sealed", event.timestamp.timestamp())
    for n in ledger.scan([SUBMITTED]):
        event = ledger.decode(n)
        if event.kind != "bookings" or event.timestamp.timestamp() < after:
            continue
        for key in keys_of.get(str(n.originator_id), []):
            out.setdefault(key, {}).setdefault("submitted", event.timestamp.timestamp())
    return out


async def _wait_quiet(ledger: Ledger, proc: BenchProcess, quiet_s: float, limit_s: float) -> None:
    """Until the store has not grown for ``quiet_s`` (the backfill is done)."""
    last, since = -1, time.monotonic()
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise RuntimeError(f"worker exited; log: {proc.log_path}")
        top = ledger.recorder.max_notification_id() or 0
        if top != last:
            last, since = top, time.monotonic()
        elif top and time.monotonic() - since >= quiet_s:
            return
        await asyncio.sleep(0.25)
    raise TimeoutError("backfill did not settle")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def webhook_load(port: int, clients: int, seconds: float) -> tuple[float, float]:
    """(requests/s, p99 ms) of authenticated webhook posts from ``clients`` loopback clients."""
    url = f"http://127.0.0.1:{port}/webhooks/procore"
    body = {
        "id": 1, "ulid": "01BENCH", "timestamp": "2026-11-20T12:00:00Z", "metadata": {},
        "api_version": "v2", "company_id": 0, "project_id": None, "user_id": 1,
        "resource_name": "Bench", "resource_id": 1, "event_type": "update",
    }  # fmt: skip
    headers = {"Authorization": f"Bearer {WEBHOOK_SECRET}"}
    times: list[float] = []
    stop = time.monotonic() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            await http.post(url, json=body, headers=headers)
            times.append(time.perf_counter() - started)

    async with httpx.AsyncClient(timeout=10) as http:
        began = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - began
    return len(times) / elapsed, percentile(times, 99) * 1000


async def measure(workdir: Path, events: int, rate: float, timers: bool) -> dict[str, Any]:
    """Latencies (s) of ``events`` edits at ``rate``/s, plus webhook load figures.

    ``timers``: the worker's stages run on their 1 s ticks only (no wake-ups), the baseline.
    """
    async with demo_environment(workdir, "small", cadence="immediate") as env:
        return await _measure(env, workdir, events, rate, timers)


async def _measure(
    env: DemoEnvironment, workdir: Path, events: int, rate: float, timers: bool
) -> dict[str, Any]:
    worker_env = {
        **env.worker_env(),
        "MLC_APP_ID": f"bench-latency-{int(timers)}",
        "MLC_PROCORE__POLL_INTERVAL_S": "3600",  # webhooks only; cursor saves would look busy
    }
    flags = ["--timers"] if timers else []
    proc = BenchProcess(worker_env, workdir / "worker.log", "pipeline", flags).start()
    ledger = Ledger(env=event_store_env(Settings(data_dir=workdir)))
    try:
        await asyncio.to_thread(proc.wait_web, "127.0.0.1", env.web_port)
        await _wait_quiet(ledger, proc, quiet_s=6.0, limit_s=180)
        emu = env.procore
        state = emu.state
        approved = [
            rid for rid, row in state.rows["direct_cost"].items()
            if row.data.get("status") == "approved"
        ]  # fmt: skip
        latencies: list[float] = []
        steps: list[list[float]] = []  # per record: edit → planned → sealed → submitted (s)
        sent = 0
        while sent < events:  # rounds of distinct records; each round is awaited in full
            started: dict[str, float] = {}
            for rid in approved[: events - sent]:
                row = state.rows["direct_cost"][rid]
                amount = Decimal(row.data["line_items"][0]["amount"]) + Decimal("1.00")
                started[f"{row.company_id}:{row.project_id}:direct_cost:{rid}"] = time.time()
                emu.edit_direct_cost(rid, amount)
                await asyncio.sleep(1 / rate)
            got = await _until(ledger, set(started), 120, after=min(started.values()))
            latencies += [got[k] - t0 for k, t0 in started.items() if k in got]
            times = await asyncio.to_thread(_timeline, ledger, min(started.values()))
            for key, t0 in started.items():
                marks = times.get(key, {})
                if all(step in marks for step in STEPS):
                    points = [t0, *(marks[step] for step in STEPS)]
                    steps.append([b - a for a, b in itertools.pairwise(points)])
            sent += len(started)
        rps, p99 = await webhook_load(env.web_port, clients=10, seconds=5.0)
        return {
            "latencies": latencies,
            "steps": steps,
            "sent": sent,
            "webhook_rps": rps,
            "webhook_p99_ms": p99,
            "rss_mb": proc.rss_mb(),
        }
    finally:
        proc.stop()
        ledger.close()


async def _until(ledger: Ledger, keys: set[str], limit_s: float, after: float) -> dict[str, float]:
    deadline = time.monotonic() + limit_s
    while True:
        got = await asyncio.to_thread(_submissions, ledger, after)
        if keys <= got.keys() or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.25)


def step_medians(steps: list[list[float]]) -> dict[str, float]:
    """Median seconds of each step: edit → planned (fetch + fold), → sealed, → submitted."""
    if not steps:
        return {}
    return {name: statistics.median(s[i] for s in steps) for i, name in enumerate(STEPS)}


def summary(latencies: list[float]) -> dict[str, float]:
    return {
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
    }
