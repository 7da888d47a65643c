"""The fetch agent: ``procore.changes`` → full snapshots on ``procore.records`` (same key).

faust advances offsets even when an agent raises, so every error is handled here: transient
Procore errors (429, 5xx, timeouts) are retried with bounded backoff on top of the client's own
retries; anything else — a 403 (permission/configuration), a retry budget used up, a message
that cannot be read — is parked on ``connector.dlq`` with a reason naming the record and the
fix. The agent never crashes and never holds a partition for more than about a minute.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import faust
from pydantic import ValidationError

from adapters.backoff import Backoff
from adapters.procore.errors import ProcoreError, ProcorePermissionError
from domain.changes import LINE_ITEM_KINDS, ProcoreChange
from domain.procore.access import TOOLS
from streams.agents.parking import DeadLetters
from streams.inputs.line_items import PARENT_OF
from streams.inputs.snapshotter import ProcoreNotConfigured, ProcoreSnapshotter

log = logging.getLogger(__name__)

__all__ = [
    "FetchStage",
    "Park",
    "ProcoreSnapshotter",
    "Redirect",
    "Snapshot",
    "register_fetch_agent",
]


@dataclass(frozen=True)
class Snapshot:
    change: ProcoreChange


@dataclass(frozen=True)
class Park:
    reason: str


@dataclass(frozen=True)
class Redirect:
    """A line-item change resolved to its parent(s): back onto ``procore.changes``, so the
    parent's changes stay in one partition, in order."""

    changes: list[ProcoreChange]


@dataclass
class FetchStage:
    """One message in, a snapshot or a parking reason out (no Kafka here; tested directly)."""

    snapshotter: ProcoreSnapshotter
    attempts: int = 5
    backoff: Backoff = field(default_factory=lambda: Backoff(base_s=2.0, max_s=30.0))
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt``; Procore's Retry-After is a floor."""
        return self.backoff.delay(attempt, retry_after_s, rand=self.rng.random)

    async def process(self, value: bytes) -> Snapshot | Park | Redirect:
        try:
            change = ProcoreChange.from_bytes(value)
        except (ValidationError, ValueError) as exc:
            return Park(f"unreadable change message: {exc}")
        key = change.key
        replay = f"re-drive it with `ml-connector replay record {key}`"
        for attempt in range(1, self.attempts + 1):
            try:
                if change.ref.resource in LINE_ITEM_KINDS:
                    return await self._resolve(change, replay)
                return Snapshot(await self.snapshotter.snapshot(change))
            except ProcorePermissionError as exc:
                return Park(f"fetch {key}: {denied(change)}; {exc}; {replay} once fixed")
            except ProcoreNotConfigured as exc:
                return Park(f"fetch {key}: {exc}; {replay} once fixed")
            except ProcoreError as exc:
                if not exc.retryable:
                    return Park(f"fetch {key}: {exc}; {replay} once the cause is fixed")
                if attempt == self.attempts:
                    return Park(
                        f"fetch {key}: Procore still failing after {attempt} attempts: {exc}; "
                        f"{replay} when Procore is healthy again"
                    )
                wait = self.delay(attempt, exc.retry_after)
                log.warning("fetch %s: %s; retry %s in %.1f s", key, exc, attempt + 1, wait)
                await self.sleep(wait)
            except Exception as exc:
                log.exception("fetch %s failed unexpectedly", key)
                return Park(f"fetch {key}: unexpected error {exc!r}; {replay}")
        raise AssertionError("unreachable: the last attempt returns")

    async def _resolve(self, change: ProcoreChange, replay: str) -> Redirect | Park:
        parents = await self.snapshotter.parents_of(change)
        if parents:
            return Redirect(parents)
        return Park(
            f"fetch {change.key}: Procore names no record this line item belongs to (deleted "
            f"with its parent, or not visible to the service account); {replay} if a booking "
            "is missing, the poller re-reads changed records on its next run anyway"
        )


def denied(change: ProcoreChange) -> str:
    """Which tool the service account lacks, where, and what to grant (a configuration problem)."""
    ref = change.ref
    tool = TOOLS.get(PARENT_OF.get(ref.resource, ref.resource), ref.resource)
    where = f"company {ref.company_id}"
    if ref.project_id is not None:
        where = f"project {ref.project_id} of company {ref.company_id}"
    return (
        f"configuration problem: Procore denies the service account the tool {tool} in "
        f"{where}; grant it read permission on {tool} there"
    )


async def handle_event(
    stage: FetchStage,
    event: Any,
    records_topic: Any,
    dead_letters: DeadLetters,
    changes_topic: Any = None,
) -> Snapshot | Park | Redirect:
    """Process one faust event; publish the snapshot or park the message. Never raises."""
    outcome = await stage.process(event.value)
    try:
        if isinstance(outcome, Redirect):
            if changes_topic is None:
                raise RuntimeError("no changes topic to send resolved line-item changes to")
            for parent in outcome.changes:
                ack = await changes_topic.send(key=parent.key.encode(), value=parent.to_bytes())
                await ack
            log.debug("line item %s → %s", event.key, [c.key for c in outcome.changes])
        elif isinstance(outcome, Snapshot):
            change = outcome.change
            ack = await records_topic.send(key=change.key.encode(), value=change.to_bytes())
            await ack
            log.debug("fetched %s (%s)", change.key, change.action)
        else:
            await dead_letters.park(event.message, reason=outcome.reason)
    except Exception:
        # Kafka itself failed; the change stays in procore.changes for a replay by offset.
        log.exception(
            "could not publish the fetch result for %s at %s/%s",
            event.key,
            event.message.partition,
            event.message.offset,
        )
    return outcome


def register_fetch_agent(
    app: faust.App,
    changes_topic: Any,
    records_topic: Any,
    snapshotter: ProcoreSnapshotter,
    dead_letters: DeadLetters,
    *,
    stage: FetchStage | None = None,
) -> Any:
    """Add the ``fetch`` agent (concurrency 1, so each partition stays in order)."""
    fetch_stage = stage or FetchStage(snapshotter)

    @app.agent(changes_topic, name="fetch", concurrency=1)
    async def fetch(stream: Any) -> None:
        async for event in stream.events():
            await handle_event(fetch_stage, event, records_topic, dead_letters, changes_topic)

    return fetch
