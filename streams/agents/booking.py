"""The agents that turn snapshots into DATEV jobs: the fold agent, then the seal, submit and
documents stages (their loops: ``streams.agents.runtime``).

The fold agent takes ``procore.records`` in batches and folds them with one transaction per
partition into ``SourceDocument`` aggregates and their booking decisions. faust acknowledges a
``take_events`` batch even when processing raises, so every error is handled here: event-store
outages pause and retry; anything else falls back to one message at a time and parks the message
that keeps failing (``connector.dlq``) so the partition never blocks and nothing is lost. When a
batch stored events, the seal stage is rung: it seals each owned client's pending lines when its
cadence is due (the last seal is a ledger fact) and rings submit.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

import faust
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from pydantic import ValidationError

from domain.changes import ProcoreChange
from domain.sealing import SealResult
from streams.agents.parking import DeadLetters
from streams.agents.runtime import ClientShards, StageWakeups, register_stage
from streams.config import telemetry
from streams.ledger.application import FoldResult, Ledger
from streams.ledger.rules import BookingRules
from streams.stages.documents import DocumentUploader
from streams.stages.submit import Submitter

log = logging.getLogger(__name__)

BATCH_MAX = 500
BATCH_WITHIN_S = 0.2
OUTAGE_BACKOFF_MAX_S = 30.0
# Two members' folds write the client's shared registries (creditor and Belegfeld numbers): the
# one that saves second fails on the aggregate version and folds again on what the first stored.
# Three attempts parked valid records in a two-worker run; a conflict is retried this often.
CONFLICT_RETRIES = 20


def register_fold_agent(
    app: faust.App,
    ledger: Ledger,
    records_topic: Any,
    dead_letters: DeadLetters,
    on_stored: Callable[[], None] | None = None,
) -> Any:
    """``on_stored`` is called after a batch stored new events (it wakes the seal stage)."""

    @app.agent(records_topic, name="fold", concurrency=1)
    async def fold(stream: Any) -> None:
        async for events in stream.take_events(BATCH_MAX, within=BATCH_WITHIN_S):
            if await fold_events(ledger, events, dead_letters) and on_stored is not None:
                on_stored()

    return fold


async def fold_events(ledger: Ledger, events: Sequence[Any], dead_letters: DeadLetters) -> int:
    """Parse, group by partition and fold; park what cannot be parsed or folded.

    Returns how many new events were stored.
    """
    groups: dict[tuple[str, int], list[tuple[int, ProcoreChange]]] = defaultdict(list)
    for event in events:
        msg = event.message
        try:
            change = ProcoreChange.from_bytes(event.value)
        except (ValidationError, ValueError) as exc:
            await dead_letters.park(msg, reason=f"unreadable change message: {exc}")
            continue
        groups[(msg.topic, msg.partition)].append((msg.offset, change))
    stored = 0
    for (topic, partition), items in groups.items():
        stored += await _fold_partition(ledger, topic, partition, items, dead_letters, events)
    return stored


async def _fold_waiting_out_outages(
    ledger: Ledger, topic: str, partition: int, items: list[tuple[int, ProcoreChange]]
) -> FoldResult:
    """Fold; while the event store is unreachable, pause and retry; retry a lost write race up to
    ``CONFLICT_RETRIES`` times (other errors propagate)."""
    delay = 0.5
    conflicts = 0
    while True:
        try:
            return await asyncio.to_thread(ledger.fold, topic, partition, items)
        except IntegrityError:
            conflicts += 1
            if conflicts > CONFLICT_RETRIES:
                raise
            ledger.invalidate_positions()  # a tracking row may be the other member's, too
            await asyncio.sleep(random.uniform(0.01, 0.05) * min(conflicts, 5))
        except (OperationalError, InterfaceError) as exc:
            ledger.invalidate_positions()
            log.warning("event store unavailable (%s); retrying in %.1f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, OUTAGE_BACKOFF_MAX_S)


async def _fold_partition(
    ledger: Ledger,
    topic: str,
    partition: int,
    items: list[tuple[int, ProcoreChange]],
    dead_letters: DeadLetters,
    events: Sequence[Any],
) -> int:
    for attempt in range(1, 4):
        try:
            result = await _fold_waiting_out_outages(ledger, topic, partition, items)
        except Exception:
            # e.g. a concurrent writer won an optimistic-concurrency race: reload and retry.
            ledger.invalidate_positions()
            log.exception("fold of %s:%s failed (attempt %d); retrying", topic, partition, attempt)
            await asyncio.sleep(0.2 * attempt)
            continue
        telemetry.folded(result.folded, result.new_events)
        log.debug(
            "folded %s (skipped %s, %s new events) on %s:%s",
            result.folded,
            result.skipped,
            result.new_events,
            topic,
            partition,
        )
        return result.new_events
    return await _fold_one_by_one(ledger, topic, partition, items, dead_letters, events)


async def _fold_one_by_one(
    ledger: Ledger,
    topic: str,
    partition: int,
    items: list[tuple[int, ProcoreChange]],
    dead_letters: DeadLetters,
    events: Sequence[Any],
) -> int:
    """Isolate the message that keeps failing: park it, fold the others."""
    stored = 0
    by_offset = {e.message.offset: e.message for e in events if e.message.partition == partition}
    for offset, change in items:
        try:
            result = await _fold_waiting_out_outages(ledger, topic, partition, [(offset, change)])
        except Exception as exc:
            ledger.invalidate_positions()
            log.exception("parking %s at %s:%s/%s", change.key, topic, partition, offset)
            await dead_letters.park(by_offset[offset], reason=f"fold failed: {exc!r}")
        else:
            telemetry.folded(result.folded, result.new_events)
            stored += result.new_events
    return stored


def local_now() -> datetime:
    return datetime.now().astimezone()


class SealScheduler:
    def __init__(
        self,
        ledger: Ledger,
        rules: BookingRules,
        now: Callable[[], datetime] = local_now,
        documents: bool = False,
    ) -> None:
        self.ledger = ledger
        self.documents = documents  # a documents stage uploads PDFs: linking records wait for it
        self.rules = rules
        self.now = now
        self.last_seal: dict[str, datetime | None] = {}  # read from the ledger on first use

    def run_once(self, clients: Collection[str] | None = None) -> dict[str, SealResult]:
        """Seal every client (of ``clients``, default all) whose cadence is due.

        Returns what was sealed per client.
        """
        results: dict[str, SealResult] = {}
        now = self.now()
        for client_id, rules in self.rules.clients.items():
            if clients is not None and client_id not in clients:
                continue
            if client_id not in self.last_seal:
                self.last_seal[client_id] = self.ledger.seal_clock(client_id).last_seal
            if not rules.cadence.due(self.last_seal[client_id], now):
                continue
            scheduled = rules.cadence.kind in ("every", "daily")  # the others never wait
            result = self.ledger.seal(rules, now, scheduled=scheduled, documents=self.documents)
            self.last_seal[client_id] = now
            if result.batch_ids:
                log.info(
                    "sealed %d line(s) of %d record(s) for %s into %d batch(es)",
                    result.lines,
                    result.records,
                    client_id,
                    len(result.batch_ids),
                )
                results[client_id] = result
        return results


SEAL_MIN_GAP_S = 0.2  # a backfill seals about five times a second, not after every fold batch


def register_booking_stages(
    app: faust.App,
    wakeups: StageWakeups,
    shards: ClientShards,
    scheduler: SealScheduler,
    submitter: Submitter | None = None,
    uploader: DocumentUploader | None = None,
    interval_s: float = 1.0,
) -> dict[str, Any]:
    """Seal and submit on every member for its clients, documents on the leader; chained by
    their wake-ups."""

    async def seal_step() -> None:
        mine = shards.owned(scheduler.rules.clients)
        if not mine:
            return
        sealed = await asyncio.to_thread(scheduler.run_once, mine)
        if sealed:
            wakeups.submit.ring()

    tasks = {
        "seal": register_stage(
            app,
            "seal",
            interval_s,
            seal_step,
            wakeups.seal,
            min_gap_s=SEAL_MIN_GAP_S,
            on_leader=False,
        )
    }
    if submitter is not None:
        submitter.owns = shards.owns
        tasks["submit"] = register_stage(
            app, "submit", interval_s, submitter.run_once, wakeups.submit, on_leader=False
        )
    if uploader is not None:

        async def documents_step() -> None:
            if await uploader.run_once():
                wakeups.seal.ring()  # records waiting for these PDFs can be sealed now

        tasks["documents"] = register_stage(
            app, "documents", interval_s, documents_step, wakeups.documents
        )
    return tasks
