"""The status page's sign-in on a real loopback server: throttled then locked out per client
address, sessions that expire and end when the token changes, Host checked in demo mode."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.operator.status import auth
from streams.operator.status.context import StatusContext
from tests.support.fakes import SetClock
from tests.support.status_site import status_client

TOKEN = "correct-horse-battery"


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, StatusContext, SetClock]]:
    settings = Settings(data_dir=tmp_path / "data", status_token=SecretStr(TOKEN), language="en")
    clock = SetClock()
    ctx = StatusContext(settings=settings, ledger=build_ledger(settings), rules=None)
    ctx.throttle = auth.LoginThrottle(base_delay_s=0.25, max_delay_s=0.5, clock=clock)
    async with status_client(ctx) as http:
        yield http, ctx, clock


@pytest.mark.timing  # the first answers must take < 0.25 s
async def test_wrong_tokens_are_slowed_then_locked_out(site) -> None:
    http, ctx, clock = site
    answers: list[tuple[int, float]] = []
    for _ in range(200):
        started = time.monotonic()
        resp = await http.post("/status/login", data={"token": "guess"})
        answers.append((resp.status_code, time.monotonic() - started))
    codes = [code for code, _ in answers]
    assert codes[:9] == [401] * 9 and set(codes[9:]) == {429}  # the 10th wrong one locks
    assert all(took < 0.25 for _, took in answers[:5])  # a few typos cost nothing
    assert all(took >= 0.25 for _, took in answers[5:9])  # then each answer is slower
    locked = await http.post("/status/login", data={"token": TOKEN})  # right, but locked out
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert "Too many wrong tokens" in locked.text
    bearer = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 429  # the lockout covers every way in from that address
    clock.now += ctx.throttle.lockout_s + 1
    ok = await http.post("/status/login", data={"token": TOKEN})
    assert ok.status_code == 303 and auth.COOKIE in ok.cookies


async def test_wrong_bearer_tokens_count_too(site) -> None:
    http, _, _ = site
    codes = [
        (await http.get("/metrics", headers={"Authorization": "Bearer guess"})).status_code
        for _ in range(12)
    ]
    assert codes[:9] == [401] * 9 and set(codes[10:]) == {429}


async def test_session_cookie_expires_and_ends_when_the_token_changes(site) -> None:
    http, ctx, _ = site
    resp = await http.post("/status/login", data={"token": TOKEN})
    assert resp.status_code == 303
    cookie = resp.headers["set-cookie"]
    assert f"Max-Age={auth.SESSION_TTL_S}" in cookie and "HttpOnly" in cookie
    session = resp.cookies[auth.COOKIE]
    assert TOKEN not in session
    assert (await http.get("/status/batches")).status_code == 200
    # Two sign-ins get two different sessions (not a fixed value derived from the token).
    again = await http.post("/status/login", data={"token": TOKEN})
    assert again.cookies[auth.COOKIE] != session
    # Expired: a session issued longer ago than the TTL is refused.
    assert auth.session_valid(ctx.settings, session)
    assert not auth.session_valid(ctx.settings, session, now=time.time() + auth.SESSION_TTL_S + 61)
    # The token changes (operator rotates it, worker restarts): every session ends.
    ctx.settings = ctx.settings.model_copy(update={"status_token": SecretStr("rotated-token")})
    page = await http.get("/status/batches")
    assert page.status_code == 303 and page.headers["location"] == "/status/login"
    assert not auth.session_valid(ctx.settings, session)


async def test_demo_mode_answers_only_to_loopback_host_names(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", demo_mode=True, language="en")
    ctx = StatusContext(settings=settings, ledger=build_ledger(settings), rules=None)
    async with status_client(ctx) as http:
        port = http.base_url.port
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            page = await http.get("/status/batches", headers={"Host": host})
            assert page.status_code == 200, host
        for host in (f"attacker.example:{port}", "127.0.0.1.nip.io", ""):
            page = await http.get("/status/batches", headers={"Host": host})
            assert page.status_code == 421, host
        replay = await http.post(
            "/status/replay",
            data={"record": "x"},
            headers={"Host": "rebind.example", "Origin": "http://rebind.example"},
        )
        assert replay.status_code == 421


async def test_lockout_page_is_german_by_default(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", status_token=SecretStr(TOKEN))
    ctx = StatusContext(settings=settings, ledger=build_ledger(settings), rules=None)
    ctx.throttle = auth.LoginThrottle(free=0, lock_after=1, base_delay_s=0)
    async with status_client(ctx) as http:
        page = await http.post("/status/login", data={"token": "guess"})
        assert page.status_code == 429
        assert "Zu viele falsche Passwörter von Ihrer Adresse" in page.text
        assert "15 Minute(n)" in page.text
