"""Bad input at the webhook endpoint: never a 5xx, never a crash, nothing half-published.

The receiver logic is fuzzed directly with hypothesis (fast), then a corpus of nasty payloads
goes over real HTTP to the faust view, with auth, size and per-source rate limits.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import orjson
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from domain.changes import ProcoreChange
from streams.config.settings import Settings
from streams.faust_app import create_faust_app
from streams.inputs.rate_limit import RateLimiter
from streams.inputs.webhook import WEBHOOK_PATH, WebhookReceiver, register_webhook_view

SECRET = "fuzz-secret-0123456789"
AUTH = {"Authorization": f"Bearer {SECRET}"}
GOOD: dict[str, Any] = {
    "id": 1, "ulid": "01A", "timestamp": "2026-11-10T14:02:11Z", "company_id": 1,
    "project_id": 2, "event_type": "update", "resource_name": "Direct Costs", "resource_id": 3,
}  # fmt: skip
NASTY_TEXT = [
    "=cmd|' /C calc'!A0", '+SUM(1,2)', "-2+3", "@SUM(A1)", ';"', '";";"', "a;b\r\nc",
    unicodedata.normalize("NFD", "Bauträger Müller Straße"), "🏗️👷‍♀️💶", "\x00\x1b[31m",
    "'" * 5000, "Ω" * 70_000,
]  # fmt: skip
NASTY_VALUES: list[Any] = [
    None,
    True,
    -1,
    0,
    10**40,
    -(10**40),
    1.5e308,
    "1e999",
    "-0.00",
    [],
    {},
    [GOOD],
    "NaN",
    *NASTY_TEXT,
]


class Published:
    """A publisher that records what would go to Kafka."""

    def __init__(self) -> None:
        self.changes: list[ProcoreChange] = []

    async def __call__(self, changes: Sequence[ProcoreChange]) -> None:
        self.changes.extend(changes)


def dump(value: Any) -> bytes:
    """JSON as a sender might write it (stdlib: big integers allowed, unlike orjson)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _receiver() -> tuple[WebhookReceiver, Published]:
    published = Published()
    return WebhookReceiver(published, SecretStr(SECRET), max_body_bytes=2_000_000), published


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(sorted(GOOD)), value=json_values | st.sampled_from(NASTY_VALUES))
async def test_any_value_in_any_field_is_answered_without_a_crash(field: str, value: Any) -> None:
    receiver, published = _receiver()
    body = dump({**GOOD, field: value})
    answer = await receiver.receive(AUTH["Authorization"], body)
    assert answer.status in (200, 400)
    if answer.status == 400:
        assert answer.body["error"] and answer.body["field"]  # names what was wrong
        assert published.changes == []  # nothing half-published
    for change in published.changes:  # what passes is a well-formed change
        assert ProcoreChange.from_bytes(change.to_bytes()) == change


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=2000) | json_values.map(dump))
async def test_arbitrary_bodies_are_answered_without_a_crash(body: bytes) -> None:
    receiver, _ = _receiver()
    answer = await receiver.receive(AUTH["Authorization"], body)
    assert answer.status in (200, 400)


@settings(max_examples=100, deadline=None)
@given(header=st.text(max_size=80) | st.sampled_from(["", "Bearer", f"Bearer {SECRET[:-1]}"]))
async def test_wrong_authorization_is_401_with_no_detail(header: str) -> None:
    receiver, published = _receiver()
    answer = await receiver.receive(header, orjson.dumps(GOOD))
    if header in (SECRET, f"Bearer {SECRET}"):
        return
    assert (answer.status, answer.body) == (401, {"error": "unauthorized"})
    assert published.changes == []


def test_the_secret_is_compared_in_constant_time() -> None:
    import inspect

    source = inspect.getsource(WebhookReceiver.check_auth)
    assert "hmac.compare_digest" in source and "==" not in source


# -- over real HTTP -----------------------------------------------------------------------------


class Topic:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, **kwargs: Any) -> Any:
        import asyncio

        self.sent.append(kwargs)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


async def _serve(tmp_path: Any, limiter: RateLimiter) -> AsyncIterator[tuple[str, Topic]]:
    app = create_faust_app(Settings(data_dir=tmp_path / "var"), "127.0.0.1:9")
    topic = Topic()
    register_webhook_view(app, topic, SecretStr(SECRET), limiter=limiter)
    runner = web.AppRunner(app.web.web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}{WEBHOOK_PATH}", topic
    finally:
        await runner.cleanup()


def corpus() -> list[tuple[str, bytes]]:
    cases: list[tuple[str, bytes]] = [
        ("empty", b""),
        ("invalid utf-8", b'{"id": "\xff\xfe", "company_id": 1}'),
        ("utf-16 bom", "\ufeff{}".encode("utf-16")),
        ("nul bytes", b"\x00" * 100),
        ("deep nesting", b"[" * 5000 + b"]" * 5000),
        ("json number overflow", b'{"id": 1e99999}'),
        ("huge array", orjson.dumps([GOOD] * 20_000)),
        ("truncated", orjson.dumps(GOOD)[:-7]),
        ("10 MB", b'{"x": "' + b"A" * 10_000_000 + b'"}'),
    ]
    for field in sorted(GOOD):
        cases.append(
            (f"missing {field}", orjson.dumps({k: v for k, v in GOOD.items() if k != field}))
        )
        for i, value in enumerate(NASTY_VALUES):
            cases.append((f"{field}={i}", dump({**GOOD, field: value})))
    cases.append(("unknown status", orjson.dumps({**GOOD, "event_type": "approve!"})))
    cases.append(("unknown resource", orjson.dumps({**GOOD, "resource_name": "Weird Things"})))
    return cases


async def test_nasty_corpus_over_http_never_gets_a_5xx(tmp_path: Any) -> None:
    cases = corpus()
    async for url, topic in _serve(tmp_path, RateLimiter(10_000, 10_000)):
        async with httpx.AsyncClient(timeout=30) as http:
            for name, body in cases:
                answer = await http.post(url, content=body, headers=AUTH)
                assert answer.status_code < 500, (name, answer.status_code, answer.text[:200])
                assert answer.status_code in (200, 400, 413), name
                if name == "10 MB":
                    assert answer.status_code == 413
            # Still healthy after the corpus: a good delivery is accepted.
            ok = await http.post(url, content=orjson.dumps({**GOOD, "id": 99}), headers=AUTH)
            assert ok.status_code == 200
    assert len(cases) > 200
    for sent in topic.sent:  # everything published decodes as a change
        ProcoreChange.from_bytes(sent["value"])


async def test_per_source_rate_limit_answers_429_with_retry_after(tmp_path: Any) -> None:
    async for url, topic in _serve(tmp_path, RateLimiter(rate_per_s=1.0, burst=5)):
        async with httpx.AsyncClient() as http:
            codes = [
                (await http.post(url, content=b"{}", headers=AUTH)).status_code for _ in range(7)
            ]
            limited = await http.post(url, content=b"{}", headers=AUTH)
        assert codes[:5] == [400] * 5 and codes[5:] == [429, 429]
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        other = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(transport=other) as http2:  # another source is not limited
            assert (await http2.post(url, content=b"{}", headers=AUTH)).status_code == 400


def test_rate_limiter_refills_and_bounds_its_memory() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_s=2.0, burst=2, max_sources=3, clock=lambda: now[0])
    assert limiter.allow("a") is None and limiter.allow("a") is None
    wait = limiter.allow("a")
    assert wait is not None and wait == pytest.approx(0.5)
    now[0] += 0.5
    assert limiter.allow("a") is None
    for source in "bcdef":
        limiter.allow(source)
    assert len(limiter._buckets) == 3 and limiter.refused == 1
