"""Broker helpers: produce the benchmark's messages, the plain aiokafka floor, child workers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.worker_process import WorkerProcess

ROOT = Path(__file__).resolve().parent.parent


async def produce(
    servers: str, topic: str, messages: Sequence[tuple[bytes, bytes]]
) -> dict[int, int]:
    """Send keyed messages (batched, acks=all); returns partition → last offset + 1."""
    ends: dict[int, int] = {}
    producer = AIOKafkaProducer(
        bootstrap_servers=servers, acks="all", linger_ms=5, enable_idempotence=False
    )
    await producer.start()
    try:
        futures = [await producer.send(topic, key=k, value=v) for k, v in messages]
        for fut in futures:
            meta = await fut
            ends[meta.partition] = max(ends.get(meta.partition, 0), meta.offset + 1)
    finally:
        await producer.stop()
    return ends


async def aiokafka_floor(servers: str, topic: str, n: int, group: str) -> float:
    """Messages/s of a plain consumer group member reading the ``n`` messages (first to last)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=2000,
        heartbeat_interval_ms=500,
    )
    await consumer.start()
    seen, first = 0, 0.0
    try:
        deadline = time.monotonic() + 120
        while seen < n and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            got = sum(len(v) for v in batch.values())
            if got and not first:
                first = time.perf_counter()
            seen += got
        last = time.perf_counter()
    finally:
        await consumer.stop()
    if seen < n:
        raise RuntimeError(f"plain consumer saw {seen} of {n} messages")
    return n / max(last - first, 1e-6)


class BenchProcess(WorkerProcess):
    """``python -m bench.worker <mode>`` as a child process (same stop/kill behaviour)."""

    def __init__(
        self, env: dict[str, str], log_path: Path, mode: str, flags: Sequence[str] = ()
    ) -> None:
        super().__init__(env, log_path)
        self.args = [sys.executable, "-m", "bench.worker", mode, *flags]

    def start(self) -> BenchProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log_file:
            self.proc = subprocess.Popen(
                self.args,
                env=self.env,
                cwd=ROOT,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        return self

    def rss_mb(self) -> float:
        """Resident set size of the process now (MB); 0 when gone."""
        if self.proc is None:
            return 0.0
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0
