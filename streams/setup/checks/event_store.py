"""The event store answers and its tables exist (the worker creates them on first use)."""

from __future__ import annotations

import asyncio

from streams.ledger.eventstore import describe_event_store
from streams.setup.checks.base import Check, DoctorContext, fail, ok

ORDER = 60


def check_event_store(ctx: DoctorContext) -> Check:
    name = "event store"
    where = describe_event_store(ctx.settings)
    try:
        ledger = ctx.build_ledger(ctx.settings)
        last = ledger.recorder.max_notification_id() or 0
    except Exception as exc:
        return fail(
            name,
            f"{where}: {type(exc).__name__}: {exc}",
            "check the postgres settings (host, dbname, user, password) and that the "
            "server runs; for SQLite that data_dir is writable",
        )
    ctx.ledger = ledger
    return ok(name, f"{where}: reachable, {last} events")


async def run(ctx: DoctorContext) -> list[Check]:
    return [await asyncio.to_thread(check_event_store, ctx)]
