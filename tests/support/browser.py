"""Browser tests' common parts: Debian's chromium, and a real worker process serving the pages."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import orjson
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium: apt-get update && apt-get install -y chromium",
)


async def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until the worker answers ``/readyz`` with 200; its log tail if it exits or never does."""
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited: {log.read_text()[-3000:]}")
            try:
                if (await http.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"worker not ready: {log.read_text()[-3000:]}")


@asynccontextmanager
async def worker_serving(env: Mapping[str, str], web_port: int, log: Path) -> AsyncIterator[str]:
    """``ml-connector worker`` as a child process with ``env``; yields its base URL once ready."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "worker"],
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{web_port}"
    try:
        await wait_ready(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 15)
        except subprocess.TimeoutExpired:
            proc.kill()


def signed_in_worker_env(
    worker_env: Mapping[str, str],
    token: str,
    monkeypatch: pytest.MonkeyPatch,
    mapping: Path | None = None,
) -> dict[str, str]:
    """The demo worker's environment with a status token (not demo mode), also set in this
    process so the test's own ledger reads the same settings; ``mapping`` replaces the mapping."""
    env = {**worker_env, "MLC_STATUS_TOKEN": token, "MLC_DEMO_MODE": "false"}
    if mapping is not None:
        env["MLC_MAPPINGS"] = orjson.dumps([str(mapping)]).decode()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
