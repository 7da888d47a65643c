"""The Procore webhook endpoint: ``POST /webhooks/procore`` on the worker's faust web server.

Procore waits at most 5 s for a 2xx and retries failed deliveries for up to 12 h, so the
endpoint only checks the ``Authorization`` header, validates the payload, publishes one
normalized change per event to ``procore.changes`` (waiting for the broker's ack) and answers.
It never calls Procore: the fetch agent reads the records afterwards.

Answers: 200 ``{"accepted": n, "ignored": m, "duplicates": d}``; 401 (no body detail) for a
missing or wrong header; 429 with ``Retry-After`` when one source sends too fast
(``streams.inputs.rate_limit``); 503 when no secret is configured or the broker cannot take the
events (Procore retries); 413 over the size limit or over ``max_events`` events in one POST;
400 ``{"error": …, "field": …}`` for anything that is not a Procore delivery. Never a 500.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import faust
from faust.web import Request, Response, View
from pydantic import SecretStr

from adapters.procore.webhooks import WebhookPayloadError, parse_delivery
from domain.changes import ProcoreChange
from streams.config import telemetry
from streams.inputs.rate_limit import RateLimiter

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/procore"
DEFAULT_MAX_BODY_BYTES = 1_000_000
# Procore delivers one event per POST; a list is tolerated, but one delivery must not make the
# fetch stage read thousands of records at once.
DEFAULT_MAX_EVENTS = 100
SEEN_CAPACITY = 10_000
_READ_CHUNK = 64 * 1024

Publisher = Callable[[Sequence[ProcoreChange]], Awaitable[None]]
"""Sends changes (key = ``change.key``) and returns once the broker acknowledged every one."""


def topic_publisher(topic: Any) -> Publisher:
    """A :data:`Publisher` for a raw-bytes faust topic (the webhook's and the poller's)."""

    async def publish(changes: Sequence[ProcoreChange]) -> None:
        if not changes:
            return
        pending = [
            await topic.send(key=change.key.encode(), value=change.to_bytes()) for change in changes
        ]
        await asyncio.gather(*pending)

    return publish


@dataclass(frozen=True)
class WebhookAnswer:
    """HTTP status and JSON body of one webhook request."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)


class RecentIds:
    """A bounded LRU set of recently published event ids (exact redeliveries are skipped)."""

    def __init__(self, capacity: int = SEEN_CAPACITY) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        self._ids.move_to_end(event_id)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)

    def __len__(self) -> int:
        return len(self._ids)


class WebhookReceiver:
    """The endpoint's logic, independent of the web framework (tested directly)."""

    def __init__(
        self,
        publish: Publisher,
        secret: SecretStr | None,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        seen_capacity: int = SEEN_CAPACITY,
        max_events: int = DEFAULT_MAX_EVENTS,
    ) -> None:
        self.publish = publish
        self.max_body_bytes = max_body_bytes
        self.max_events = max_events
        self.recent = RecentIds(seen_capacity)
        self.totals = {"accepted": 0, "ignored": 0, "duplicates": 0, "rejected": 0}
        self._accepted: tuple[bytes, ...] = ()
        if secret is not None and secret.get_secret_value():
            value = secret.get_secret_value().encode()
            # Procore sends the configured header value verbatim; accept the bare secret or
            # the conventional "Bearer <secret>".
            self._accepted = (value, b"Bearer " + value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(configured={bool(self._accepted)})"

    @property
    def configured(self) -> bool:
        return bool(self._accepted)

    def check_auth(self, authorization: str | None) -> WebhookAnswer | None:
        """None when the request may proceed, else the answer to send."""
        if not self._accepted:
            return WebhookAnswer(503, {"error": "webhook secret not configured"})
        given = (authorization or "").encode("utf-8", "replace")
        # Compare against every accepted form (no early exit) in constant time.
        matches = [hmac.compare_digest(given, candidate) for candidate in self._accepted]
        return None if any(matches) else WebhookAnswer(401, {"error": "unauthorized"})

    def too_large(self, content_length: int | None) -> WebhookAnswer | None:
        if content_length is not None and content_length > self.max_body_bytes:
            return self.payload_too_large()
        return None

    def payload_too_large(self) -> WebhookAnswer:
        return WebhookAnswer(
            413, {"error": f"body larger than {self.max_body_bytes} bytes", "field": "body"}
        )

    async def receive(self, authorization: str | None, body: bytes) -> WebhookAnswer:
        """Handle one delivery whose body was already read (size-checked by the caller)."""
        denied = self.check_auth(authorization)
        if denied is not None:
            return denied
        if len(body) > self.max_body_bytes:
            return self.payload_too_large()
        try:
            parsed = parse_delivery(body)
        except WebhookPayloadError as exc:
            self.totals["rejected"] += 1
            log.warning("webhook delivery rejected: %s", exc)
            return WebhookAnswer(400, {"error": exc.problem, "field": exc.field})
        except ValueError as exc:  # e.g. a reference pydantic rejects
            self.totals["rejected"] += 1
            return WebhookAnswer(400, {"error": f"not a Procore delivery: {exc}", "field": "body"})
        events = len(parsed.changes) + len(parsed.ignored)
        if events > self.max_events:
            self.totals["rejected"] += 1
            log.warning("webhook delivery rejected: %s events in one POST", events)
            return WebhookAnswer(
                413,
                {
                    "error": f"{events} events in one delivery; at most {self.max_events} "
                    "(Procore sends one event per POST)",
                    "field": "body",
                },
            )
        fresh: list[ProcoreChange] = []
        batch_ids: set[str] = set()
        last_action: dict[str, str] = {}
        for change in parsed.changes:
            eid = change.event_id
            if eid is not None and (eid in self.recent or eid in batch_ids):
                continue
            if eid is not None:
                batch_ids.add(eid)
            # A record edit plus its line-item edits arrive as several events: one re-read is
            # enough (an update followed by a delete is kept, order preserved).
            if last_action.get(change.key) == change.action:
                continue
            last_action[change.key] = change.action
            fresh.append(change)
        try:
            await self.publish(fresh)
        except Exception:
            log.exception("webhook: could not publish %s change(s) to Kafka", len(fresh))
            return WebhookAnswer(503, {"error": "events could not be stored; retry later"})
        for eid in batch_ids:
            self.recent.add(eid)
        duplicates = len(parsed.changes) - len(fresh)
        self.totals["accepted"] += len(fresh)
        self.totals["ignored"] += len(parsed.ignored)
        self.totals["duplicates"] += duplicates
        for ignored in parsed.ignored:
            log.debug("webhook event %s ignored: %s", ignored.event_id, ignored.reason)
        if fresh:
            log.info(
                "webhook: published %s change(s): %s",
                len(fresh),
                ", ".join(f"{c.action} {c.key}" for c in fresh[:5]),
            )
        return WebhookAnswer(
            200,
            {"accepted": len(fresh), "ignored": len(parsed.ignored), "duplicates": duplicates},
        )


async def read_limited(request: Any, limit: int) -> bytes | None:
    """The request body, or None as soon as it exceeds ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk: bytes = await request.content.read(_READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)


def register_webhook_view(
    app: faust.App,
    changes_topic: Any,
    secret: SecretStr | None,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    limiter: RateLimiter | None = None,
) -> WebhookReceiver:
    """Serve ``POST /webhooks/procore`` on ``app``'s web server, publishing to ``changes_topic``."""
    receiver = WebhookReceiver(
        topic_publisher(changes_topic), secret, max_body_bytes=max_body_bytes
    )
    per_source = limiter or RateLimiter()
    if not receiver.configured:
        log.warning(
            "webhook endpoint %s answers 503: set MLC_PROCORE__WEBHOOK_SECRET "
            "(the Authorization header value configured on the Procore webhook)",
            WEBHOOK_PATH,
        )

    class ProcoreWebhookView(View):  # type: ignore[misc]
        async def post(self, request: Request, **kwargs: Any) -> Response:
            wait = per_source.allow(str(getattr(request, "remote", None) or "unknown"))
            if wait is not None:
                return self.json(
                    {"error": "too many requests"},
                    status=429,
                    headers={"Retry-After": str(max(1, round(wait)))},
                )
            answer = receiver.check_auth(request.headers.get("Authorization"))
            if answer is None:
                answer = receiver.too_large(_content_length(request))
            if answer is None:
                body = await read_limited(request, receiver.max_body_bytes)
                if body is None:
                    answer = receiver.payload_too_large()
                else:
                    answer = await receiver.receive(request.headers.get("Authorization"), body)
            telemetry.webhook_delivery(accepted=answer.status < 400)
            return self.json(answer.body, status=answer.status)

    app.page(WEBHOOK_PATH, name="procore-webhook")(ProcoreWebhookView)
    return receiver


def _content_length(request: Any) -> int | None:
    raw = request.headers.get("Content-Length")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw)
