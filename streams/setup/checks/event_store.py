"""The event store answers and its tables exist (the worker creates them on first use)."""

from __future__ import annotations

import asyncio

from eventsourcing.persistence import ProgrammingError

from streams.errors import ConnectorError
from streams.ledger.application import Ledger
from streams.ledger.eventstore import describe_event_store, sqlite_path
from streams.setup.checks.base import Check, DoctorContext, fail, ok

ORDER = 60
EMPTY = "event store not created"


def check_event_store(ctx: DoctorContext) -> Check:
    name = "event store"
    where = describe_event_store(ctx.settings)
    sqlite = sqlite_path(ctx.settings)
    if sqlite is not None and not sqlite.exists():  # a check creates nothing
        ctx.notes[EMPTY] = True
        return ok(name, f"{where}: not created yet (the worker creates it on first start)")
    try:
        ledger = ctx.build_ledger(ctx.settings)
        last = ledger.recorder.max_notification_id() or 0
    except ConnectorError as exc:  # already names the server, its message and the settings
        return fail(name, str(exc), "correct the postgres settings or start the server")
    except Exception as exc:
        text = str(exc)
        if isinstance(exc, ProgrammingError) and (
            "does not exist" in text or "no such table" in text
        ):
            ctx.notes[EMPTY] = True  # reachable; the worker creates its tables on first start
            return ok(name, f"{where}: reachable; tables not created yet (the worker creates them)")
        return fail(
            name,
            f"{where}: {type(exc).__name__}: {exc}",
            "check the postgres settings (host, dbname, user, password) and that the "
            "server runs; for SQLite that data_dir is writable",
        )
    unreadable = _first_event_problem(ledger)
    if unreadable is not None:
        return fail(
            name, f"{where}: {unreadable}", "configure the vault key(s) it was written with"
        )
    ctx.ledger = ledger
    return ok(name, f"{where}: reachable, {last} events")


def _first_event_problem(ledger: Ledger) -> str | None:
    """Why the newest stored event cannot be read back (wrong vault key, …); None if it can."""
    newest = ledger.recorder.max_notification_id()
    if not newest:
        return None
    try:
        for stored in ledger.recorder.select_notifications(newest, 1):
            ledger.mapper.to_domain_event(stored)
    except Exception as exc:
        cause: BaseException = exc
        while cause.__cause__ is not None:
            cause = cause.__cause__
        return str(cause)
    return None


async def run(ctx: DoctorContext) -> list[Check]:
    return [await asyncio.to_thread(check_event_store, ctx)]
