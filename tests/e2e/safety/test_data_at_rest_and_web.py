"""A demo-sized run (seeded contractor backfilled into DATEV by a worker process), then: every
file it left is private to this user, and the worker's web server refuses a DNS-rebound Host
and a very long URL without an ERROR traceback in its log."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest
from rich.console import Console

from streams.config.datadir import exposed_paths
from streams.demo.environment import DemoEnvironment, demo_environment
from streams.demo.run import Demo
from streams.worker_process import WorkerProcess

pytestmark = pytest.mark.slow


@pytest.fixture
async def backfilled(tmp_path: Path) -> AsyncIterator[tuple[DemoEnvironment, WorkerProcess]]:
    async with demo_environment(tmp_path / "demo", "small", cadence="immediate") as env:
        values = {**env.worker_env(), "MLC_LOG_LEVEL": "info", "MLC_LOG_FORMAT": "json"}
        worker = WorkerProcess(values, env.workdir / "worker.log").start()
        try:
            await asyncio.to_thread(worker.wait_web, "127.0.0.1", env.web_port)
            demo = Demo(env, Console(quiet=True), timeout_s=90)
            assert await demo.converge("backfill"), (env.workdir / "worker.log").read_text()[-3000:]
            yield env, worker
        finally:
            await asyncio.to_thread(worker.stop)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(env: DemoEnvironment, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env={**os.environ, **env.worker_env()},
        check=True,
        capture_output=True,
        timeout=60,
    )


def _log_lines(path: Path) -> list[dict[str, str]]:
    return [orjson.loads(x) for x in path.read_bytes().splitlines() if x[:1] == b"{"]


def _raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), 5) as conn:
        conn.sendall(request)
        return conn.recv(200)


async def test_files_are_private_and_the_web_server_refuses_tricks(
    backfilled: tuple[DemoEnvironment, WorkerProcess], tmp_path: Path
) -> None:
    env, worker = backfilled
    data = env.workdir
    # What the run left while the worker runs: event store with its WAL, vault, log, broker.
    store = data / "events.sqlite3"
    for path in (store, Path(f"{store}-wal"), Path(f"{store}-shm"), data / "worker.log"):
        assert path.exists() and _mode(path) == 0o600, (path, oct(_mode(path)))
    assert _mode(data) == 0o700
    # Exported files: the month-end report (under the data directory) and a CSV elsewhere.
    months = sorted({r["belegdatum"][:7] for r in env.datev.state.bookings(env.mapping.client_id)})
    client = ["--client", env.mapping.client_id, "--period", months[0]]
    await asyncio.to_thread(_cli, env, "reconcile", *client, "--format", "html")
    outside = tmp_path / "exports" / "reconciliation.csv"
    outside.parent.mkdir()
    await asyncio.to_thread(
        _cli, env, "reconcile", *client, "--format", "csv", "--output", str(outside)
    )
    assert _mode(outside) == 0o600
    reports = list((data / "reports").glob("reconciliation-*.html"))
    assert reports and all(_mode(p) == 0o600 for p in reports)
    assert exposed_paths(data) == []  # nothing under the data directory for other users

    base = f"http://127.0.0.1:{env.web_port}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        assert (await http.get("/status/")).status_code == 200  # demo mode, loopback name
        assert (await http.get("/status/", headers={"Host": "localhost"})).status_code == 200
        rebound = {"Host": f"attacker.example:{env.web_port}"}
        assert (await http.get("/status/", headers=rebound)).status_code == 421
        replay = await http.post(
            "/status/replay",
            data={"record": "x"},
            headers={**rebound, "Origin": f"http://attacker.example:{env.web_port}"},
        )
        assert replay.status_code == 421

    for path in ("/status/", "/webhooks/procore"):
        long_url = path.encode() + b"?q=" + b"a" * 20_000
        answer = await asyncio.to_thread(
            _raw_request, env.web_port, b"GET " + long_url + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0]
    for _ in range(100):  # the worker logs each refusal as it answers; allow for a busy machine
        lines = _log_lines(data / "worker.log")
        if sum("malformed HTTP request" in x["msg"] for x in lines) >= 2:
            break
        await asyncio.sleep(0.1)
    refused = [x for x in lines if "malformed HTTP request" in x["msg"]]
    assert len(refused) == 2 and all(x["level"] == "warning" for x in refused), refused
    errors = [x for x in lines if x["level"] in ("error", "critical")]
    assert errors == [], errors
    assert b"Traceback" not in (data / "worker.log").read_bytes()
    assert worker.returncode is None  # still serving
