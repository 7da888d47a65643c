"""The demo's review step: one client switches on review before DATEV; the advisor approves."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from streams.bootstrap import build_ledger
from streams.ledger.rules import load_rules
from streams.operator.review import actions
from streams.operator.review.model import awaiting_review, review_of

if TYPE_CHECKING:
    from streams.demo.run import Demo


async def until(check: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(0.5)
    return False


async def review_step(demo: Demo) -> bool:
    """``review = true`` in the running worker's mapping (no restart), one batch approved."""
    env, console = demo.env, demo.console
    title = f"review before DATEV for {env.mapping.client.name}: the advisor approves the batch"
    console.print(f"[bold]▶ {title}[/]")
    text = env.mapping_path.read_text(encoding="utf-8")
    env.mapping_path.write_text(
        text.replace("[schedule]\n", "[schedule]\nreview = true\n"), "utf-8"
    )
    overview = f"http://127.0.0.1:{env.web_port}/status/?lang=en"

    def reloaded() -> bool:
        return 'data-review="on"' in httpx.get(overview, timeout=5).text

    if not await until(reloaded, demo.timeout_s):
        console.print("  [red]✘[/] the worker did not pick up the edited mapping")
        demo.steps.append((title, False, demo.timeout_s))
        return False
    console.print("  mapping edited (schedule.review = true); the worker reloaded it, no restart")
    ledger = build_ledger(demo.settings, load_rules([env.mapping_path]))
    req = demo.pick("requisition", "under_review")
    env.procore.approve_requisition(req)
    await env.procore.webhooks.flush()
    if not await until(lambda: bool(awaiting_review(ledger)), demo.timeout_s):
        console.print("  [red]✘[/] no batch is waiting for review")
        demo.steps.append((title, False, demo.timeout_s))
        return False
    batch = awaiting_review(ledger)[0]
    assert ledger.rules is not None
    view = review_of(ledger, ledger.rules, batch.id)
    console.print(
        f"  batch {str(batch.id)[:8]} waits: {len(view.lines)} line(s), net {view.net:,.2f} EUR; "
        + "; ".join(f"{t.key} {t.label}: {t.net:,.2f}" for t in view.by_account)
    )
    console.print(f"  ml-connector review approve {str(batch.id)[:8]}  (or on /status/review)")
    actions.approve(ledger, str(batch.id), by="demo (tax advisor)", note="checked")
    return await demo.converge(title)
