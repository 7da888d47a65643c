"""Leader-only stages that drive the work after folding: seal, submit, upload documents.

Each stage runs every ``interval_s`` and, in between, as soon as its ``Wakeup`` is rung: the fold
agent rings the seal stage when it stored new events, the seal stage rings submit and documents
when it sealed a batch. So at cadence ``immediate`` a record moves on within milliseconds instead
of waiting for the next tick; the interval stays as the fallback (crash recovery, retries).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import faust

from streams.stages.cadence import SealScheduler
from streams.stages.documents import DocumentUploader
from streams.stages.submit import Submitter

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


def register_stage(
    app: faust.App,
    name: str,
    interval_s: float,
    step: Callable[[], Awaitable[Any]],
    wakeup: Wakeup | None = None,
    *,
    min_gap_s: float = 0.0,
) -> Any:
    """Run ``step`` on the leader every ``interval_s`` and when ``wakeup`` rings.

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
            if not app.is_leader():
                continue
            last = time.monotonic()
            try:
                await step()
            except Exception:
                log.exception("stage %s failed; it runs again in %.1f s", name, interval_s)

    loop.__name__ = loop.__qualname__ = f"stage_{name.replace('-', '_')}"
    return app.task(loop)


SEAL_MIN_GAP_S = 0.2  # a backfill seals about five times a second, not after every fold batch


def register_booking_stages(
    app: faust.App,
    wakeups: StageWakeups,
    scheduler: SealScheduler,
    submitter: Submitter | None = None,
    uploader: DocumentUploader | None = None,
    interval_s: float = 1.0,
) -> dict[str, Any]:
    """Seal, submit and documents as stages chained by their wake-ups."""

    async def seal_step() -> None:
        if await asyncio.to_thread(scheduler.run_once):
            wakeups.submit.ring()

    tasks = {
        "seal": register_stage(
            app, "seal", interval_s, seal_step, wakeups.seal, min_gap_s=SEAL_MIN_GAP_S
        )
    }
    if submitter is not None:
        tasks["submit"] = register_stage(
            app, "submit", interval_s, submitter.run_once, wakeups.submit
        )
    if uploader is not None:
        tasks["documents"] = register_stage(
            app, "documents", interval_s, uploader.run_once, wakeups.documents
        )
    return tasks
