"""The fold agent: ``procore.records`` snapshots → ``SourceDocument`` aggregates in the event store.

Messages are taken in batches and folded with one transaction per partition. faust acknowledges a
``take_events`` batch even when processing raises, so every error is handled here: event-store
outages pause and retry; anything else falls back to one message at a time and parks the message
that keeps failing (``connector.dlq``) so the partition never blocks and nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import faust
from eventsourcing.persistence import InterfaceError, OperationalError
from pydantic import ValidationError

from domain.changes import ProcoreChange
from streams.agents.parking import DeadLetters
from streams.ledger import Ledger

log = logging.getLogger(__name__)

BATCH_MAX = 500
BATCH_WITHIN_S = 0.2
OUTAGE_BACKOFF_MAX_S = 30.0


def register_fold_agent(
    app: faust.App, ledger: Ledger, records_topic: Any, dead_letters: DeadLetters
) -> Any:
    @app.agent(records_topic, name="fold", concurrency=1)
    async def fold(stream: Any) -> None:
        async for events in stream.take_events(BATCH_MAX, within=BATCH_WITHIN_S):
            await fold_events(ledger, events, dead_letters)

    return fold


async def fold_events(ledger: Ledger, events: Sequence[Any], dead_letters: DeadLetters) -> None:
    """Parse, group by partition and fold; park what cannot be parsed or folded."""
    groups: dict[tuple[str, int], list[tuple[int, ProcoreChange]]] = defaultdict(list)
    for event in events:
        msg = event.message
        try:
            change = ProcoreChange.from_bytes(event.value)
        except (ValidationError, ValueError) as exc:
            await dead_letters.park(msg, reason=f"unreadable change message: {exc}")
            continue
        groups[(msg.topic, msg.partition)].append((msg.offset, change))
    for (topic, partition), items in groups.items():
        await _fold_partition(ledger, topic, partition, items, dead_letters, events)


async def _fold_partition(
    ledger: Ledger,
    topic: str,
    partition: int,
    items: list[tuple[int, ProcoreChange]],
    dead_letters: DeadLetters,
    events: Sequence[Any],
) -> None:
    delay = 0.5
    attempts = 0
    while True:
        try:
            result = await asyncio.to_thread(ledger.fold, topic, partition, items)
        except (OperationalError, InterfaceError) as exc:
            ledger.invalidate_positions()
            log.warning("event store unavailable (%s); retrying in %.1f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, OUTAGE_BACKOFF_MAX_S)
            continue
        except Exception:
            ledger.invalidate_positions()
            attempts += 1
            if attempts < 3:
                log.exception("fold of %s:%s failed; retrying", topic, partition)
                await asyncio.sleep(0.2 * attempts)
                continue
            await _fold_one_by_one(ledger, topic, partition, items, dead_letters, events)
            return
        if result.folded or result.skipped:
            log.debug(
                "folded %s (skipped %s, %s new events) on %s:%s",
                result.folded,
                result.skipped,
                result.new_events,
                topic,
                partition,
            )
        return


async def _fold_one_by_one(
    ledger: Ledger,
    topic: str,
    partition: int,
    items: list[tuple[int, ProcoreChange]],
    dead_letters: DeadLetters,
    events: Sequence[Any],
) -> None:
    by_offset = {e.message.offset: e.message for e in events if e.message.partition == partition}
    for offset, change in items:
        try:
            await asyncio.to_thread(ledger.fold, topic, partition, [(offset, change)])
        except Exception as exc:
            ledger.invalidate_positions()
            log.exception("parking %s at %s:%s/%s", change.key, topic, partition, offset)
            await dead_letters.park(by_offset[offset], reason=f"fold failed: {exc!r}")
