"""The one backoff schedule and the one ``Retry-After`` parser of the code base.

- ``Backoff.delay(n)``: the wait after the n-th failure — capped exponential, with jitter that only
  ever shortens the wait (so the cap is a hard cap and clients do not retry in lock-step).
- A server's ``Retry-After`` is a floor: we never ask sooner than we were told, but the floor itself
  is capped so one bad header cannot park a client for a day.
- ``parse_retry_after`` reads both RFC 9110 forms: delta-seconds and HTTP-date.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

from pydantic import BaseModel, ConfigDict, Field

# No server-sent wait is honoured beyond this: a bad header must not stall a client for a day.
RETRY_AFTER_CAP_S = 3600.0


class Backoff(BaseModel):
    """Capped exponential backoff with jitter; ``Retry-After`` as a (capped) floor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_s: float = Field(default=0.5, ge=0)
    multiplier: float = Field(default=2.0, ge=1)
    max_s: float = Field(default=30.0, gt=0)
    # Fraction of each delay that is random: 0 = none, 0.5 = "equal jitter", 1 = "full jitter".
    jitter: float = Field(default=0.5, ge=0, le=1)
    retry_after_cap_s: float = Field(default=RETRY_AFTER_CAP_S, gt=0)

    def ceiling(self, attempt: int) -> float:
        """The un-jittered wait after failure number ``attempt`` (1-based)."""
        exponent = max(0, attempt - 1)
        # Cap the exponent first: 2.0 ** 10_000 overflows a float.
        if self.multiplier > 1 and self.base_s > 0:
            grown = self.base_s
            for _ in range(exponent):
                grown *= self.multiplier
                if grown >= self.max_s:
                    return self.max_s
            return min(self.max_s, grown)
        return min(self.max_s, self.base_s)

    def delay(
        self,
        attempt: int,
        retry_after_s: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait after failure number ``attempt`` (1-based)."""
        ceiling = self.ceiling(attempt)
        waited = ceiling * (1.0 - self.jitter * rand())
        return max(waited, self.floor(retry_after_s))

    def floor(self, retry_after_s: float | None) -> float:
        """A server-sent wait, capped; 0 when none was sent."""
        if retry_after_s is None:
            return 0.0
        return min(max(0.0, retry_after_s), self.retry_after_cap_s)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` value (delta-seconds or HTTP-date); None if unreadable.

    ``now`` (Unix seconds) is only used for the date form; it defaults to the wall clock.
    A date in the past means "retry now" (0.0).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until_http_date(text, time.time() if now is None else now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN / inf
        return None
    return max(0.0, seconds)


def _seconds_until_http_date(text: str, now: float) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110: HTTP-dates are always GMT
        return None
    return max(0.0, when.timestamp() - now)
