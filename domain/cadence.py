"""When a DATEV client's pending lines are sealed into a batch: the user's cadence.

Forms: ``immediate`` (as soon as lines are ready), ``every 15m`` / ``every 2h``, ``daily 18:00``
(local wall-clock time of the worker), ``manual`` (only ``ml-connector batches seal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

_EVERY = re.compile(r"^every\s+(\d+)\s*([mh])$")
_DAILY = re.compile(r"^daily\s+([01]\d|2[0-3]):([0-5]\d)$")

CadenceKind = Literal["immediate", "every", "daily", "manual"]


@dataclass(frozen=True)
class Cadence:
    kind: CadenceKind
    interval: timedelta | None = None
    at: time | None = None

    def due(self, last_seal: datetime | None, now: datetime) -> bool:
        """Should a batch be sealed now, given when the last one was sealed?"""
        if self.kind == "immediate":
            return True
        if self.kind == "manual":
            return False
        if self.kind == "every":
            assert self.interval is not None
            return last_seal is None or now - last_seal >= self.interval
        assert self.at is not None
        slot = datetime.combine(now.date(), self.at, tzinfo=now.tzinfo)
        if now < slot:
            slot -= timedelta(days=1)
        return last_seal is None or last_seal < slot

    def describe(self) -> str:
        if self.kind == "every" and self.interval is not None:
            return f"every {int(self.interval.total_seconds() // 60)} minutes"
        if self.kind == "daily" and self.at is not None:
            return f"daily at {self.at:%H:%M}"
        return self.kind


def parse_cadence(text: str) -> Cadence:
    """Parse a cadence; ``ValueError`` names the accepted forms."""
    value = text.strip().lower()
    if value in ("immediate", "manual"):
        return Cadence(kind=value)  # type: ignore[arg-type]
    if m := _EVERY.match(value):
        amount, unit = int(m.group(1)), m.group(2)
        if amount <= 0:
            raise ValueError(f"cadence {text!r}: the interval must be positive")
        delta = timedelta(minutes=amount) if unit == "m" else timedelta(hours=amount)
        return Cadence(kind="every", interval=delta)
    if m := _DAILY.match(value):
        return Cadence(kind="daily", at=time(int(m.group(1)), int(m.group(2))))
    raise ValueError(
        f"cadence {text!r} is not one of: 'immediate', 'every <N>m', 'every <N>h', "
        "'daily HH:MM', 'manual'"
    )
