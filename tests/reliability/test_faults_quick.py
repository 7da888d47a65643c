"""External faults against the whole worker process: a Procore storm, then a revoked DATEV login.

Procore: 30 % 429/5xx, slow answers, dropped connections, malformed bodies and a token endpoint
that is down for a while → every approved record still reaches DATEV exactly once, and no
request is sent before a 429's announced reset. DATEV: the refresh token is revoked → the worker
stops submitting, keeps folding Procore changes, and says "run `ml-connector datev login`";
after the login everything pending is submitted exactly once.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterable
from pathlib import Path

import httpx
import pytest

from adapters.vault import Vault
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import DemoEnvironment, _login, demo_environment
from streams.worker_process import WorkerProcess
from tests.reliability.checks import approved
from tests.reliability.harness import converge, faults_seen
from tests.reliability.mutations import Mutator
from tests.reliability.secret_scan import CLI_COMMANDS, cli_output, files_under, scan, secrets_of

pytestmark = pytest.mark.slow
STORM_S = 30.0
STORM_RESET_S = 2.0
IN_FLIGHT_S = 0.5  # requests already on the wire when the 429 was answered


def requests_before_reset(
    log: Iterable[tuple[float, str, str, int]], reset_s: float
) -> list[tuple[float, str]]:
    """API requests logged after a 429 (plus in-flight grace) but before its announced reset.

    The emulator's 429 announces a reset at least ``reset_s`` ahead. ``counters.sent_before_reset``
    also counts requests that were already in flight when the 429 went out (the poller, the
    fetch agent and the document stage share one client), so the log's timestamps are used.
    """
    entries = [(at, path, status) for at, _, path, status in log if path.startswith("/rest/")]
    early = []
    for at429, _, status in entries:
        if status != 429:
            continue
        early += [
            (at, path) for at, path, _ in entries if at429 + IN_FLIGHT_S < at < at429 + reset_s
        ]
    return early


async def _scenario(workdir: Path) -> None:
    async with demo_environment(workdir, "small") as env:
        ledger = build_ledger(Settings(data_dir=workdir))
        env.procore.set_faults(
            rate_429=0.15,
            rate_5xx=0.15,
            storm_reset_s=STORM_RESET_S,
            drop_rate=0.03,
            malformed_rate=0.03,
            slow_s=0.3,
            slow_rate=0.05,
            token_down_next=3,
        )
        values = {**env.worker_env(), "MLC_LOG_LEVEL": "info"}
        log = workdir / "worker.log"
        worker = await asyncio.to_thread(WorkerProcess(values, log).start)
        try:
            await asyncio.sleep(STORM_S)  # the backfill runs into the storm
            early = requests_before_reset(env.procore.counters.log, STORM_RESET_S)
            assert early == [], early[:5]  # 429 resets honoured
            assert faults_seen(env) >= 10, env.procore.counters.by_status
            assert env.procore.counters.token_requests > 3  # the token endpoint was retried
            env.procore.set_faults(
                rate_429=0.0, rate_5xx=0.0, drop_rate=0.0, malformed_rate=0.0, slow_s=0.0
            )
            verdict, _ = await converge(env, ledger, 120)
            assert verdict.problems == [], verdict.problems[:10]

            # Access withdrawn: the cached access token dies too, so the next call finds out.
            env.datev.auth.revoke_grant()
            jobs = len(env.datev.state.client_jobs(env.mapping.client_id))
            mutator = Mutator(env, random.Random(3))
            for _ in range(6):
                mutator.step()
            await env.procore.webhooks.flush()
            deadline = time.monotonic() + 60
            text = ""
            while time.monotonic() < deadline:
                text = log.read_text(errors="replace")
                if "ml-connector datev login" in text:
                    break
                await asyncio.sleep(1)
            assert "ml-connector datev login" in text
            # Every surface says so, in other processes too (the worker recorded it).
            ready = (await _get(f"http://127.0.0.1:{env.web_port}/readyz")).json()
            assert ready["status"] == "degraded", ready
            assert ready["datev"].startswith("DATEV login needed"), ready
            status = await asyncio.to_thread(cli_output, values, ["datev", "status"], workdir)
            assert "DATEV login needed — run `ml-connector datev login`" in status, status
            folded_before = ledger.recorder.max_notification_id()
            await asyncio.sleep(6)  # inputs keep flowing: the poller still folds changes
            assert len(env.datev.state.client_jobs(env.mapping.client_id)) == jobs
            assert (ledger.recorder.max_notification_id() or 0) >= (folded_before or 0)

            await _login(Vault.open(workdir, env.vault_key, None), env.datev)
            verdict, _ = await converge(env, ledger, 90)
            assert verdict.problems == [], verdict.problems[:10]
            assert len(env.datev.state.client_jobs(env.mapping.client_id)) > jobs
            ready = (await _get(f"http://127.0.0.1:{env.web_port}/readyz")).json()
            assert ready["status"] == "ready", ready  # the login cleared the problem
        finally:
            await asyncio.to_thread(worker.stop)
        await asyncio.to_thread(_no_secrets_anywhere, env, values, workdir)


async def _get(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.get(url)


def _no_secrets_anywhere(env: DemoEnvironment, values: dict[str, str], workdir: Path) -> None:
    secrets = secrets_of(env)
    assert len(secrets) >= 8, sorted(secrets)  # both client secrets, key, hook, tokens
    places = files_under(workdir)
    assert "credentials.vault" in places and "worker.log" in places
    assert any(name.startswith("events.sqlite3") for name in places)
    record = next(iter(approved(env)))
    commands = [*CLI_COMMANDS, ["audit", record]]
    for args in commands:
        places[f"ml-connector {' '.join(args)}"] = cli_output(values, args, workdir).encode()
    assert b"DUO document" in places[f"ml-connector audit {record}"]  # real output scanned
    leaks = scan(secrets, places)
    assert leaks == [], leaks


def test_procore_storm_then_revoked_datev_login(tmp_path: Path) -> None:
    asyncio.run(_scenario(tmp_path / "run"))
