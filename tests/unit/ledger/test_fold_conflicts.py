"""A fold that loses a write race to another member is folded again, not parked."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.changes import ProcoreChange
from streams.agents import booking
from streams.agents.booking import CONFLICT_RETRIES, fold_events
from streams.ledger.application import FoldResult, Ledger
from streams.ledger.rules import BookingRules
from tests.unit.ledger.test_application import TOPIC, change, rules


class Contended(Ledger):
    """The in-memory ledger whose first ``lost`` folds fail as a concurrent writer's would."""

    lost = 0

    def fold(
        self, topic: str, partition: int, changes: Sequence[tuple[int, ProcoreChange]]
    ) -> FoldResult:
        if self.lost:
            self.lost -= 1
            raise IntegrityError("duplicate key: (originator_id, originator_version)")
        return super().fold(topic, partition, changes)


@dataclass
class Message:
    topic: str
    partition: int
    offset: int


@dataclass
class Event:
    message: Message
    value: bytes


class Parking:
    def __init__(self) -> None:
        self.parked: list[tuple[Any, str]] = []

    async def park(self, message: Any, reason: str) -> None:
        self.parked.append((message, reason))


def contended(lost: int) -> Contended:
    app = Contended(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, rules=BookingRules([rules()]))
    app.lost = lost
    return app


def events() -> list[Event]:
    return [Event(Message(TOPIC, 0, i), change(100 + i, "10.00").to_bytes()) for i in range(3)]


def test_lost_races_are_folded_again_and_nothing_is_parked(monkeypatch: Any) -> None:
    monkeypatch.setattr(booking.random, "uniform", lambda a, b: 0.0)
    app, parking = contended(lost=CONFLICT_RETRIES), Parking()
    stored = asyncio.run(fold_events(app, events(), parking))  # type: ignore[arg-type]
    assert stored > 0 and parking.parked == []
    assert app.position(f"{TOPIC}:0") == 3


def test_a_conflict_that_never_ends_still_parks_after_the_retries(monkeypatch: Any) -> None:
    monkeypatch.setattr(booking.random, "uniform", lambda a, b: 0.0)
    monkeypatch.setattr(booking.asyncio, "sleep", _no_sleep)
    app, parking = contended(lost=10_000), Parking()
    asyncio.run(fold_events(app, events(), parking))  # type: ignore[arg-type]
    assert len(parking.parked) == 3


async def _no_sleep(_: float) -> None:
    return None
