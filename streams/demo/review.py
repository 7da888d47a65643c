"""The demo's review step: one client switches on review before DATEV; the advisor approves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.atomic_file import write_atomic
from streams.bootstrap import build_ledger
from streams.demo.steps import mapping_reloaded, until
from streams.ledger.rules import load_rules
from streams.operator.review import actions
from streams.operator.review.model import awaiting_review, review_of

if TYPE_CHECKING:
    from streams.demo.run import Demo


async def review_step(demo: Demo) -> bool:
    """``review = true`` in the running worker's mapping (no restart), one batch approved."""
    env, console = demo.env, demo.console
    title = f"review before DATEV for {env.mapping.client.name}: the advisor approves the batch"
    console.print(f"[bold]▶ {title}[/]")
    text = env.mapping_path.read_text(encoding="utf-8")
    # atomically, like the other steps: the worker's watcher must never read half a file
    write_atomic(env.mapping_path, text.replace("[schedule]\n", "[schedule]\nreview = true\n"))
    if not await mapping_reloaded(
        demo, title, lambda page: 'data-review="on"' in page, "schedule.review = true"
    ):
        return False
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
