"""Client-side throttle driven by Procore's ``X-Rate-Limit-*`` headers (hourly + 10 s spike).

Procore reports the window nearest exhaustion, so the numbers can jump between responses; we
simply trust the latest ones. One throttle is shared by every concurrent call of a client (one
token), so parallel workers cannot overrun the spike window together.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from adapters.backoff import RETRY_AFTER_CAP_S, parse_retry_after
from adapters.procore.clock import Clock


@dataclass(frozen=True)
class RateLimitInfo:
    """The latest rate-limit headers seen."""

    limit: int
    remaining: int
    reset_at: float  # Unix seconds


def read_rate_limit(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """Parse ``X-Rate-Limit-Limit/Remaining/Reset``; None when absent or unreadable."""
    try:
        return RateLimitInfo(
            limit=int(headers["x-rate-limit-limit"]),
            remaining=int(headers["x-rate-limit-remaining"]),
            reset_at=float(headers["x-rate-limit-reset"]),
        )
    except (KeyError, ValueError):
        return None


def read_retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """``Retry-After`` in seconds (either form), capped; None when absent or unreadable."""
    seconds = parse_retry_after(headers.get("retry-after"), now=now)
    return None if seconds is None else min(seconds, RETRY_AFTER_CAP_S)


class Throttle:
    """Decides how long to wait before the next request.

    - After a 429 (or 503 with Retry-After) nobody sends until the reset time plus jitter.
    - When ``remaining`` falls to ``low_water`` or below, the remaining budget is spread evenly
      over the time left in the window instead of being spent in a burst.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        low_water_ratio: float = 0.1,
        max_jitter_s: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        self._clock = clock
        self._low_water_ratio = low_water_ratio
        self._max_jitter_s = max_jitter_s
        self._rng = rng or random.Random()
        self._blocked_until = 0.0
        self._info: RateLimitInfo | None = None

    @property
    def info(self) -> RateLimitInfo | None:
        return self._info

    @property
    def blocked_until(self) -> float:
        return self._blocked_until

    def jitter(self) -> float:
        return self._rng.uniform(0.0, self._max_jitter_s)

    def delay(self) -> float:
        """Seconds to wait before sending the next request (0 when free to go)."""
        now = self._clock.now()
        if self._blocked_until > now:
            return self._blocked_until - now
        info = self._info
        if info is None or info.reset_at <= now:
            return 0.0
        low_water = max(1, math.ceil(info.limit * self._low_water_ratio))
        if info.remaining <= 0:
            return info.reset_at - now + self.jitter()
        if info.remaining <= low_water:
            return (info.reset_at - now) / (info.remaining + 1)
        return 0.0

    async def wait_turn(self) -> float:
        """Sleep until a request may be sent; returns the seconds waited (0.0 when free)."""
        waited = 0.0
        # Loop: another task may have moved the block while we slept.
        for _ in range(100):
            pause = self.delay()
            if pause <= 0:
                return waited
            await self._clock.sleep(pause)
            waited += pause
            if self._info is not None and self._info.remaining <= 0:
                # We waited past the reset; the old numbers no longer apply.
                self._info = None
        return waited

    def observe(self, headers: Mapping[str, str]) -> None:
        info = read_rate_limit(headers)
        if info is not None:
            self._info = info

    def block_until(self, when: float) -> None:
        """Nobody sends before ``when`` (plus jitter, so workers do not return together)."""
        self._blocked_until = max(self._blocked_until, when + self.jitter())

    def on_throttled(self, headers: Mapping[str, str]) -> float:
        """Handle a 429/503: block until Retry-After or the reset time; return the wait in s."""
        now = self._clock.now()
        retry_after = read_retry_after(headers, now)
        info = read_rate_limit(headers)
        if info is not None:
            self._info = info
        if retry_after is not None:
            until = now + retry_after
        elif info is not None and info.reset_at > now:
            until = info.reset_at
        else:
            until = now + 1.0
        if info is not None and info.remaining <= 0:
            until = max(until, info.reset_at)
        self.block_until(until)
        return self._blocked_until - now
