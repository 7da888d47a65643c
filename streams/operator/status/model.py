"""What the status page shows (no HTML here; see ``pages``): the client overview, built on the
ledger's read models (``streams.ledger.read_models``, re-exported here for the page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.cadence import Cadence
from streams.ledger.application import Ledger
from streams.ledger.read_models import (
    RecordRow,
    TrailEntry,
    batch_rows,
    find_batch_by_id,
    local_day,
    parked,
    record_row,
    records,
    trail,
    uploads_on,
)
from streams.ledger.rules import BookingRules

__all__ = [
    "ClientOverview",
    "RecordRow",
    "TrailEntry",
    "find_batch_by_id",
    "next_run",
    "overview",
    "parked_rows",
    "record_row",
    "records",
    "trail",
]


@dataclass(frozen=True)
class ClientOverview:
    client_id: str
    name: str
    cadence: str
    last_batch: str | None
    last_batch_state: str | None
    next_run: str
    lines_today: int
    documents_today: int
    parked: int
    failed_batches: int
    destination: str = "extf"  # mapping delivery.destination


def next_run(cadence: Cadence, last_seal: datetime | None, now: datetime) -> str:
    """When the client's pending lines are sealed next, in words."""
    if cadence.kind == "immediate":
        return "continuously (as lines are ready)"
    if cadence.kind == "manual":
        return "manual: `ml-connector seal <client>`"
    if cadence.kind == "every" and cadence.interval is not None:
        due = now if last_seal is None else max(now, last_seal + cadence.interval)
        return f"{due:%Y-%m-%d %H:%M}"
    assert cadence.at is not None
    slot = datetime.combine(now.date(), cadence.at, tzinfo=now.tzinfo)
    if cadence.due(last_seal, now):
        return "now (due)"
    if slot <= now:
        slot += timedelta(days=1)
    return f"{slot:%Y-%m-%d %H:%M}"


def overview(
    ledger: Ledger, rules: BookingRules | None, now: datetime | None = None
) -> list[ClientOverview]:
    """One row per DATEV client of the mapping."""
    now = now or datetime.now().astimezone()
    if rules is None:
        return []
    batches = batch_rows(ledger)
    stuck = parked(ledger)
    uploads = uploads_on(ledger, now.date())
    rows = []
    for client_id, client in sorted(rules.clients.items()):
        mine = [b for b in batches if b.client_id == client_id]
        last = max(mine, key=lambda b: b.created, default=None)
        # The cadence's own record of its last run (also when it found nothing to seal).
        last_seal = ledger.seal_clock(client_id).last_seal
        if last_seal is None and last is not None:
            last_seal = datetime.fromisoformat(last.created)
        rows.append(
            ClientOverview(
                client_id=client_id,
                name=client.mapping.client.name or client_id,
                cadence=client.cadence.describe(),
                last_batch=last.created if last else None,
                last_batch_state=last.state if last else None,
                next_run=next_run(client.cadence, last_seal, now),
                lines_today=sum(
                    b.lines
                    for b in mine
                    if local_day(datetime.fromisoformat(b.created)) == now.date()
                ),
                documents_today=uploads.get(client_id, 0),
                parked=sum(1 for d in stuck if d.client_id == client_id),
                failed_batches=sum(1 for b in mine if b.state == "failed"),
                destination=client.mapping.delivery.destination,
            )
        )
    return rows


def parked_rows(ledger: Ledger) -> list[RecordRow]:
    return [record_row(d) for d in parked(ledger)]
