"""Sends webhook deliveries like Procore: POST JSON with the configured headers, at least once.

Targets are the URL given at start-up (all events) and hooks registered through the Webhooks API
(events matching their triggers). Faults can drop, duplicate, delay or reorder events.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
import orjson

from emulators.procore.mutations import ChangeEvent
from emulators.procore.server import EmulatorContext

log = logging.getLogger(__name__)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Target:
    url: str
    headers: dict[str, str]
    version: str  # v2.0 | v3.0 | v4.0
    triggers: frozenset[tuple[str, str]] | None = None  # None = every event


@dataclass
class Delivery:
    url: str
    events: list[dict[str, Any]]
    status: int | None
    attempt: int


@dataclass
class SenderStats:
    deliveries: list[Delivery] = field(default_factory=list)
    dropped: int = 0
    duplicated: int = 0


def _version(api_version: str) -> str:
    return {"v2": "v2.0", "v3": "v3.0", "v4": "v4.0"}.get(api_version, api_version)


class WebhookSender:
    """Queues change events and posts them in batches (``config.webhook_batch`` per delivery)."""

    def __init__(self, ctx: EmulatorContext) -> None:
        self.ctx = ctx
        self.stats = SenderStats()
        self._queue: asyncio.Queue[ChangeEvent] = asyncio.Queue()
        self._rng = random.Random(ctx.config.seed + 1)
        self._next_id = 731_000_000
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def on_change(self, event: ChangeEvent) -> None:
        self._queue.put_nowait(event)

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        self.ctx.state.listeners.append(self.on_change)
        self._task = asyncio.create_task(self._run(), name="procore-emulator-webhooks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    async def flush(self) -> None:
        """Wait until every queued event has been delivered (or given up on)."""
        await self._queue.join()

    def targets(self) -> list[Target]:
        config, state = self.ctx.config, self.ctx.state
        found = []
        if config.webhook_url:
            headers = {"Authorization": config.webhook_auth} if config.webhook_auth else {}
            found.append(Target(config.webhook_url, headers, _version(config.payload_version)))
        for hook_id, hook in state.hooks.items():
            wanted = frozenset(
                (t["resource_name"], t["event_type"]) for t in state.triggers.get(hook_id, [])
            )
            found.append(
                Target(
                    hook["destination_url"],
                    dict(hook["destination_headers"]),
                    _version(hook["api_version"]),
                    wanted,
                )
            )
        return found

    def _ulid(self, at: float) -> str:
        millis = int(at * 1000)
        head = "".join(CROCKFORD[(millis >> (5 * i)) & 31] for i in reversed(range(10)))
        return head + "".join(self._rng.choice(CROCKFORD) for _ in range(16))

    def payload(self, event: ChangeEvent, version: str, event_id: int, ulid: str) -> dict[str, Any]:
        stamp = datetime.fromtimestamp(event.at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        meta = {
            "source_user_id": 4410,
            "source_company_id": event.company_id,
            "source_project_id": event.project_id,
            "source_application_id": None,
            "source_operation_id": None,
        }
        if version == "v4.0":

            def s(v: int | None) -> str | None:
                return None if v is None else str(v)

            return {
                "id": ulid,
                "timestamp": stamp,
                "reason": event.event_type,
                "resource_type": event.resource_name,
                "resource_id": str(event.resource_id),
                "company_id": s(event.company_id),
                "project_id": s(event.project_id),
                "user_id": "4410",
            }  # fmt: skip  (v4.0 as documented: no api_version, metadata or parent)
        body = {
            "id": event_id, "ulid": ulid, "timestamp": stamp, "metadata": meta, "user_id": 4410,
            "company_id": event.company_id, "project_id": event.project_id,
            "api_version": version, "event_type": event.event_type,
            "resource_name": event.resource_name, "resource_id": event.resource_id,
        }  # fmt: skip
        if version == "v3.0":
            body["related_resources"] = [{"id": i, "name": n} for i, n in event.related]
        return body

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.ctx.config.webhook_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._deliver_batch(batch)
            except Exception:  # keep sending later events whatever happened to this batch
                log.exception("webhook batch failed")
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _deliver_batch(self, batch: list[ChangeEvent]) -> None:
        faults = self.ctx.faults
        ids = []
        for event in batch:
            self._next_id += 1
            ids.append((event, self._next_id, self._ulid(event.at or time.time())))
        for target in self.targets():
            chosen = [
                item
                for item in ids
                if target.triggers is None
                or (item[0].resource_name, item[0].event_type) in target.triggers
            ]
            events = []
            for event, event_id, ulid in chosen:
                if faults.webhook_drop_rate and self._rng.random() < faults.webhook_drop_rate:
                    self.stats.dropped += 1
                    continue
                body = self.payload(event, target.version, event_id, ulid)
                events.append(body)
                if self._rng.random() < faults.webhook_duplicate_rate:
                    self.stats.duplicated += 1
                    events.append(body)
            if faults.webhook_out_of_order:
                events.reverse()
            if events and faults.webhook_delay_s:
                await asyncio.sleep(faults.webhook_delay_s)
            for body in events:  # Procore delivers one event per POST
                await self._post(target, [body])

    async def _post(self, target: Target, events: list[dict[str, Any]]) -> None:
        assert self._session is not None
        data = orjson.dumps(events[0] if len(events) == 1 else events)
        headers = {"Content-Type": "application/json", **target.headers}
        for attempt in range(1, MAX_ATTEMPTS + 1):
            status: int | None = None
            try:
                async with self._session.post(target.url, data=data, headers=headers) as resp:
                    status = resp.status
            except (aiohttp.ClientError, TimeoutError):
                status = None
            self.stats.deliveries.append(Delivery(target.url, events, status, attempt))
            if status is not None and 200 <= status < 300:
                return
            await asyncio.sleep(min(1.0, 0.05 * 2 ** (attempt - 1)))
        log.warning("webhook delivery to %s failed %d times; discarded", target.url, MAX_ATTEMPTS)
