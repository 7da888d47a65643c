"""Parked records (warn) and failed DATEV batches (fail: a person must act)."""

from __future__ import annotations

import asyncio

from streams.ledger.application import Ledger
from streams.operator.actions import batch_rows, parked
from streams.setup.checks.base import Check, DoctorContext, fail, ok, warn
from streams.setup.checks.event_store import EMPTY

ORDER = 70


def check_backlog(ledger: Ledger) -> Check:
    name = "backlog"
    stuck = parked(ledger)
    failed = batch_rows(ledger, "failed")
    detail = f"{len(stuck)} parked record(s), {len(failed)} failed batch(es)"
    if failed:
        first = failed[0]
        return fail(
            name,
            f"{detail}; e.g. batch {str(first.batch_id)[:8]}: {first.failure}",
            "read DATEV's messages on the status page, fix the cause, then "
            f"`ml-connector replay batch {str(first.batch_id)[:8]}`",
        )
    if stuck:
        return warn(
            name,
            f"{detail}; e.g. {stuck[0].key}: {stuck[0].reason}",
            "fix the mapping or the record in Procore, then replay it from the status page",
        )
    return ok(name, detail)


async def run(ctx: DoctorContext) -> list[Check]:
    if ctx.notes.get(EMPTY):
        return [ok("backlog", "0 parked record(s), 0 failed batch(es)")]
    if ctx.ledger is None:
        return []  # the event-store line already says why
    return [await asyncio.to_thread(check_backlog, ctx.ledger)]
