"""§2/§5/§6 pipeline: ``procore.records`` → folded aggregates → sealed EXTF batches.

Snapshots are built straight from the Procore emulator's state (``tests/support/snapshots``),
produced once to ``procore.records`` on the embedded broker, then read from the earliest offset
by each consumer in turn under its own consumer group: a plain aiokafka consumer, a faust agent
that only counts, and the real worker (child process) with SQLite or PostgreSQL. The worker's
progress is read from its event store: tracking rows per partition (folded) and the batcher's
tracking row against the last ``LinesPlanned`` notification (sealed).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import psycopg

from adapters.kafka.embedded import free_port
from adapters.kafka.incarnation import broker_incarnation
from bench.api_economy import size_for
from bench.kafka_tools import BenchProcess
from domain.batch import Batch
from domain.source_document import SourceDocument
from emulators.procore import run_procore_emulator
from streams.config.settings import Settings
from streams.demo.environment import _write_mapping
from streams.ledger.application import Ledger, event_topic, tracking_name
from streams.ledger.eventstore import event_store_env
from streams.ledger.rules import load_rules
from streams.ledger.store import LINES_PLANNED, batcher_name
from streams.topics import CONNECTOR_META, PROCORE_RECORDS
from tests.support.snapshots import all_snapshots

REGISTERED = event_topic(SourceDocument, "Registered")
OBSERVED = event_topic(SourceDocument, "VersionObserved")
SEALED = event_topic(Batch, "Sealed")


@dataclass
class Dataset:
    messages: list[tuple[bytes, bytes]]
    mapping_path: Path
    client_id: str

    @property
    def records(self) -> int:
        return len(self.messages)


async def dataset(workdir: Path, records: int, projects: int) -> Dataset:
    workdir.mkdir(parents=True, exist_ok=True)
    async with run_procore_emulator(seed=7, size=size_for(records, projects)) as emu:
        path = _write_mapping(workdir, emu, "immediate")
        snaps = all_snapshots(emu.state)
    rules = load_rules([path])
    messages = [(c.key.encode(), c.to_bytes()) for c in snaps]
    return Dataset(messages, path, next(iter(rules.clients)))


@dataclass(frozen=True)
class Store:
    """Where a run's event store lives: SQLite under ``data_dir`` or a PostgreSQL database."""

    data_dir: Path
    pg_db: str | None = None

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.pg_db else "SQLite"

    def env(self) -> dict[str, str]:
        env = {"MLC_DATA_DIR": str(self.data_dir)}
        if self.pg_db:
            env |= {"MLC_POSTGRES__DBNAME": self.pg_db, "MLC_POSTGRES__HOST": "127.0.0.1"}
        return env

    def ledger(self) -> Ledger:
        settings = Settings(data_dir=self.data_dir)
        if self.pg_db:
            settings.postgres.dbname = self.pg_db
        return Ledger(env=event_store_env(settings))


def _pg(sql: str) -> None:
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(sql.encode())


def postgres_available() -> bool:
    try:
        _pg("select 1")
    except psycopg.Error:
        return False
    return True


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    name = f"mlc_bench_{uuid.uuid4().hex[:10]}"
    _pg(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        _pg(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class PipelineRun:
    records: int
    seconds_sealed: float
    seconds_folded: float
    peak_rss_mb: float
    registered: int = 0
    observed: int = 0
    notifications: int = 0
    sealed_lines: int = 0
    rss_samples: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.records / max(self.seconds_sealed, 1e-6)

    @property
    def fold_rate(self) -> float:
        return self.records / max(self.seconds_folded, 1e-6)


def _lines(ledger: Ledger, notification: Any) -> list[Any]:
    lines: list[Any] = ledger.decode(notification).lines  # type: ignore[attr-defined]
    return lines


def _count(ledger: Ledger, topic: str) -> tuple[int, list[int]]:
    ids = [n.id for n in ledger.scan([topic])]
    return len(ids), ids


def _own_dir(store: Store, index: int) -> dict[str, str]:
    """Workers beside the first get their own data directory (faust's datadir is per process)."""
    if index == 0 or not store.pg_db:
        return {}
    return {"MLC_DATA_DIR": str(store.data_dir / f"worker-{index}")}


async def run_pipeline(
    servers: str,
    data: Dataset,
    ends: dict[int, int],
    store: Store,
    *,
    app_id: str,
    workers: int = 1,
    flags: Sequence[str] = (),
    timeout_s: float = 600.0,
) -> PipelineRun:
    """Start ``workers`` worker processes in one group; time first fold → everything sealed."""
    store.data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "MLC_KAFKA_BOOTSTRAP_SERVERS": servers,
        "MLC_APP_ID": app_id,
        "MLC_LOG_LEVEL": "warn",
        "MLC_MAPPINGS": orjson.dumps([str(data.mapping_path)]).decode(),
        **store.env(),
    }
    procs = [
        BenchProcess(
            {**env, "MLC_WEB_PORT": str(free_port()), **_own_dir(store, i)},
            store.data_dir / f"{app_id}-{i}.log",
            "pipeline",
            flags,
        ).start()
        for i in range(workers)
    ]
    ledger = store.ledger()
    incarnation = await broker_incarnation(servers, CONNECTOR_META.name)  # as the workers read it
    names = {p: tracking_name(PROCORE_RECORDS.name, p, incarnation) for p in ends}
    first = folded = sealed = 0.0
    planned_last, scanned = 0, 0
    samples: list[float] = []
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for proc in procs:
                if proc.returncode is not None:
                    tail = proc.log_path.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"worker exited early; log {proc.log_path}:\n{tail}")
            samples.append(sum(p.rss_mb() for p in procs))
            pos = {p: ledger.recorder.max_tracking_id(n) or 0 for p, n in names.items()}
            now = time.perf_counter()
            if not first and any(pos.values()):
                first = now
            if first and not folded and all(pos[p] >= ends[p] for p in ends):
                folded = now
            if folded:
                for n in ledger.notifications(scanned + 1, 5000, [LINES_PLANNED]):
                    planned_last = scanned = n.id
                batcher = ledger.recorder.max_tracking_id(batcher_name(data.client_id)) or 0
                if batcher >= planned_last:
                    sealed = now
                    break
            await asyncio.sleep(0.1)
        else:
            raise TimeoutError(f"pipeline did not finish in {timeout_s:.0f} s")
    finally:
        for proc in procs:
            proc.stop()
    run = PipelineRun(
        records=data.records,
        seconds_sealed=sealed - first,
        seconds_folded=folded - first,
        peak_rss_mb=max(samples, default=0.0),
        rss_samples=samples,
    )
    run.registered, _ = _count(ledger, REGISTERED)
    run.observed, _ = _count(ledger, OBSERVED)
    run.notifications = ledger.recorder.max_notification_id() or 0
    run.sealed_lines = sum(len(_lines(ledger, n)) for n in ledger.scan([SEALED]))
    ledger.close()
    return run


async def count_agent(servers: str, n: int, workdir: Path, *, app_id: str) -> float:
    """Messages/s of the trivial counting faust agent (first to last arrival)."""
    out = workdir / f"{app_id}.json"
    env = {
        "MLC_KAFKA_BOOTSTRAP_SERVERS": servers,
        "MLC_APP_ID": app_id,
        "MLC_DATA_DIR": str(workdir / app_id),
        "MLC_WEB_PORT": str(free_port()),
        "MLC_LOG_LEVEL": "warn",
        "BENCH_N": str(n),
        "BENCH_OUT": str(out),
    }
    proc = BenchProcess(env, workdir / f"{app_id}.log", "count").start()
    try:
        deadline = time.monotonic() + 300
        while not out.exists():
            if proc.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"counting agent failed; log: {proc.log_path}")
            await asyncio.sleep(0.1)
    finally:
        proc.stop()
    result = orjson.loads(out.read_bytes())
    return float(result["n"]) / max(float(result["last"]) - float(result["first"]), 1e-6)
