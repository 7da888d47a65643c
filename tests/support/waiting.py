"""Waiting on a condition instead of sleeping a fixed time."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable


async def until(
    check: Callable[[], Awaitable[bool] | bool],
    *,
    timeout_s: float,
    what: str,
    interval_s: float = 0.1,
) -> None:
    """Return as soon as ``check()`` holds; fail naming ``what`` once ``timeout_s`` passed."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not reached within {timeout_s:.0f} s")
        await asyncio.sleep(interval_s)


def until_sync(
    check: Callable[[], bool], *, timeout_s: float, what: str, interval_s: float = 0.1
) -> None:
    """:func:`until` for synchronous tests."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not reached within {timeout_s:.0f} s")
        time.sleep(interval_s)


async def holds_within(check: Callable[[], bool], timeout_s: float = 90.0) -> bool:
    """Whether ``check()`` (run in a thread: it may read the event store) holds within
    ``timeout_s``; for harnesses that decide what to do next instead of failing."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(0.1)
    return False
