"""How the stages after folding run: a loop per stage with a doorbell, sharded by DATEV client.

Each stage runs every ``interval_s`` and, in between, as soon as its ``Wakeup`` is rung: the fold
agent rings the seal and documents stages when it stored new events, the documents stage rings
seal when it uploaded a PDF (records linking it wait at seal), the seal stage rings submit when it
sealed a batch. So at cadence ``immediate`` a record moves on within milliseconds instead
of waiting for the next tick; the interval stays as the fallback (crash recovery, retries).
Seal and submit are sharded by DATEV client over the consumer group (:class:`ClientShards`);
documents, the poller and the outbox relay run on the group leader.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import faust

log = logging.getLogger(__name__)


class Wakeup:
    """A stage's doorbell; rings coalesce, so a burst of rings runs the stage once more."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        """Ask the stage to run now (call on the event loop's thread)."""
        self._event.set()

    async def wait(self, timeout_s: float) -> bool:
        """Until rung or ``timeout_s`` passed; True if rung. Clears the bell."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout_s)
        except TimeoutError:
            return False
        finally:
            self._event.clear()
        return True


@dataclass
class StageWakeups:
    """The doorbells of the stages after folding."""

    seal: Wakeup = field(default_factory=Wakeup)
    submit: Wakeup = field(default_factory=Wakeup)
    documents: Wakeup = field(default_factory=Wakeup)


def client_shard(client_id: str, partitions: int) -> int:
    """The partition of the shard topic whose owner runs the client's seal and submit stages."""
    return zlib.crc32(client_id.encode()) % partitions


class ClientShards:
    """Which DATEV clients this group member seals and submits for.

    A client belongs to the member assigned partition ``client_shard(client)`` of the fold's
    topic: Kafka gives each partition to exactly one member, so clients spread over the members
    and move with a rebalance. If two members briefly both run a client (one has not noticed
    its partitions were revoked), optimistic concurrency turns the collision into a retry: the
    seal's tracking row and every aggregate version are written at most once, and a DATEV upload
    is preceded by its recorded intent (a version conflict stops the second uploader).
    """

    def __init__(self, app: faust.App, topic: str, partitions: int) -> None:
        self.app = app
        self.topic = topic
        self.partitions = partitions

    def _mine(self) -> set[int]:
        try:
            assigned = self.app.consumer.assignment()
        except (AttributeError, RuntimeError):  # no consumer or assignment yet
            return set()
        return {tp.partition for tp in assigned if tp.topic == self.topic}

    def owned(self, clients: Iterable[str]) -> set[str]:
        mine = self._mine()
        return {c for c in clients if client_shard(c, self.partitions) in mine}

    def owns(self, client_id: str) -> bool:
        return client_shard(client_id, self.partitions) in self._mine()


def register_stage(
    app: faust.App,
    name: str,
    interval_s: float,
    step: Callable[[], Awaitable[Any]],
    wakeup: Wakeup | None = None,
    *,
    min_gap_s: float = 0.0,
    on_leader: bool = True,
) -> Any:
    """Run ``step`` every ``interval_s`` and when ``wakeup`` rings (on the leader only, unless
    ``on_leader`` is False: then ``step`` picks its own share of the work).

    Runs never overlap; a ring during a run makes one more run after it. ``min_gap_s`` spaces
    rung runs so a stream of rings cannot keep the stage (and its locks) busy all the time.
    Errors are logged, never fatal.
    """
    bell = wakeup or Wakeup()

    async def loop() -> None:
        last = 0.0
        while True:
            rung = await bell.wait(interval_s)
            if rung and (gap := last + min_gap_s - time.monotonic()) > 0:
                await asyncio.sleep(gap)
            if on_leader and not app.is_leader():
                continue
            last = time.monotonic()
            try:
                await step()
            except Exception:
                log.exception("stage %s failed; it runs again in %.1f s", name, interval_s)

    loop.__name__ = loop.__qualname__ = f"stage_{name.replace('-', '_')}"
    return app.task(loop)
