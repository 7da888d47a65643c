"""A controllable clock: real UTC time plus an offset that tests can advance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class EmulatorClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0) if start is None else start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        """Drop-in for ``asyncio.sleep`` in tests: time passes instantly for the emulator."""
        self.advance(seconds)
