"""Test doubles for the ports of the inputs and the Procore client (no I/O)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from domain.changes import ProcoreChange
from emulators.procore.data import EmulatorState


class InMemoryCursorStore:
    """A :class:`streams.inputs.cursors.CursorStore` in a dict."""

    def __init__(self) -> None:
        self.values: dict[str, datetime] = {}

    def get(self, name: str) -> datetime | None:
        return self.values.get(name)

    def set(self, name: str, value: datetime) -> None:
        self.values[name] = value


class CollectingPublisher:
    """A :data:`streams.inputs.webhook.Publisher` that keeps what it was given."""

    def __init__(self) -> None:
        self.sent: list[ProcoreChange] = []

    async def __call__(self, changes: Sequence[ProcoreChange]) -> None:
        self.sent.extend(changes)


class ManualClock:
    """An :class:`adapters.procore.clock.Clock` whose time moves only when told, or on sleep.

    ``sleep`` advances time instantly (and yields to the loop), so code that waits for a
    rate-limit reset or a token expiry runs without real delays. Every sleep is recorded.
    """

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self._now = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)


class FakeEmulator:
    """Just enough of ProcoreEmulator for the mapping proposal."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.company_id = next(iter(state.companies))

    def project_ids(self, company_id: int | None = None) -> list[int]:
        return self.state.project_ids(company_id)


class SetClock:
    """A monotonic clock (``time.monotonic``'s shape) that reads ``now``; tests move it."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
