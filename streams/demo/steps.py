"""What the demo's mapping-edit steps share: waiting, the reload check, the step's verdict."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from streams.demo.run import Demo


async def until(check: Callable[[], bool], timeout_s: float) -> bool:
    """Whether ``check()`` (run in a thread) holds within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(0.5)
    return False


async def mapping_reloaded(demo: Demo, title: str, shows: Callable[[str], bool], edit: str) -> bool:
    """After editing the running worker's mapping: until its status overview ``shows`` it."""
    overview = f"http://127.0.0.1:{demo.env.web_port}/status/?lang=en"
    if not await until(lambda: shows(httpx.get(overview, timeout=5).text), demo.timeout_s):
        demo.console.print("  [red]✘[/] the worker did not pick up the edited mapping")
        demo.steps.append((title, False, demo.timeout_s))
        return False
    demo.console.print(f"  mapping edited ({edit}); the worker reloaded it, no restart")
    return True


def verdict(demo: Demo, title: str, problems: list[str], started: float, done: str) -> bool:
    """Print the step's outcome (``done`` when nothing is wrong) and record it."""
    took = time.monotonic() - started
    if problems:
        demo.console.print("  [red]✘[/] " + "; ".join(problems))
    else:
        demo.console.print(f"  [green]✔[/] {done} ({took:.1f} s)")
    demo.steps.append((title, not problems, took))
    return not problems
