"""Leader-only timers that drive the stages after folding: seal, submit, upload documents."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import faust

log = logging.getLogger(__name__)
_QUIET_TIMERS: set[str] = set()


class _StageOverlapFilter(logging.Filter):
    """A stage that outlasts its interval just skips ticks (see the lock); no warning needed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "is overlapping" in str(record.msg) and record.args:
            return str(record.args[0]) not in _QUIET_TIMERS  # type: ignore[index]
        return True


logging.getLogger("mode.timers").addFilter(_StageOverlapFilter())


def register_stage(
    app: faust.App, name: str, interval_s: float, step: Callable[[], Awaitable[Any]]
) -> Any:
    """Run ``step`` every ``interval_s`` on the leader; errors are logged, never fatal."""
    running = asyncio.Lock()
    _QUIET_TIMERS.add(name)

    @app.timer(interval_s, on_leader=True, name=name)
    async def tick() -> None:
        if running.locked():
            return  # the previous round is still busy (e.g. polling a slow DATEV job)
        async with running:
            try:
                await step()
            except Exception:
                log.exception("stage %s failed; it runs again in %.1f s", name, interval_s)

    return tick
