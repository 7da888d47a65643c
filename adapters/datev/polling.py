"""How often to ask DATEV about a job: capped exponential backoff, jitter, a small GET budget.

DATEV's interface rules call about 30 GETs per upload bad practice (reference §4), so the
default budget is 6 GETs; a job still pending after that is handed back as ``pending`` for the
caller to persist and resume later, never polled in a tight loop.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from pydantic import BaseModel, Field


class PollPolicy(BaseModel):
    first_delay_s: float = Field(default=2.0, ge=0)
    multiplier: float = Field(default=2.0, ge=1)
    max_delay_s: float = Field(default=60.0, gt=0)
    jitter: float = Field(default=0.2, ge=0, le=1)  # ± fraction of each delay
    max_gets: int = Field(default=6, ge=1, le=30)

    def delay(
        self, attempt: int, retry_after_s: float | None, rand: Callable[[], float] = random.random
    ) -> float:
        """Seconds to wait before GET number ``attempt`` (0-based).

        Backoff is capped at ``max_delay_s``; jitter spreads it; ``Retry-After`` is a floor —
        DATEV asked us to wait that long, so we never ask sooner.
        """
        base = min(self.first_delay_s * self.multiplier**attempt, self.max_delay_s)
        jittered = base * (1 + self.jitter * (2 * rand() - 1))
        return max(jittered, retry_after_s or 0.0)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form only)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None
