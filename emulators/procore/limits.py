"""Server-side rate limiting like Procore's: an hourly and a 10-second spike window.

Every request counts (including failures). The ``X-Rate-Limit-*`` headers describe whichever
window is nearest exhaustion; Reset is in Unix seconds.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field

RATE_LIMIT_TEXT = (
    "You have surpassed the max number of requests for an hour. "
    "Please wait until your limit resets."
)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(max(0, self.remaining)),
            "X-Rate-Limit-Reset": str(self.reset_at),
        }


@dataclass
class RateLimiter:
    """Fixed windows: hourly (``hourly`` requests) and spike (``spike`` per 10 s, None = off)."""

    hourly: int = 3600
    spike: int | None = None
    _counts: Counter[tuple[str, int]] = field(default_factory=Counter)

    def hit(self, now: float) -> Verdict:
        windows = [("hour", 3600, self.hourly)]
        if self.spike is not None:
            windows.append(("spike", 10, self.spike))
        verdicts = []
        for name, length, limit in windows:
            start = math.floor(now / length) * length
            self._counts[(name, start)] += 1
            used = self._counts[(name, start)]
            verdicts.append(Verdict(used <= limit, limit, limit - used, start + length))
        if len(self._counts) > 64:  # forget old windows
            for key in sorted(self._counts, key=lambda k: k[1])[:32]:
                del self._counts[key]
        refused = [v for v in verdicts if not v.allowed]
        if refused:
            return max(refused, key=lambda v: v.reset_at)
        return min(verdicts, key=lambda v: v.remaining / v.limit)


@dataclass
class Counters:
    """Requests per endpoint (route template), token requests, and protocol violations."""

    by_endpoint: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    token_requests: int = 0
    sent_before_reset: int = 0  # API requests that arrived while a 429's reset was pending
    log: deque[tuple[float, str, str, int]] = field(default_factory=lambda: deque(maxlen=20_000))

    def record(self, at: float, method: str, endpoint: str, status: int) -> None:
        self.by_endpoint[f"{method} {endpoint}"] += 1
        self.by_status[status] += 1
        self.log.append((at, method, endpoint, status))

    def api_calls(self) -> int:
        return sum(n for key, n in self.by_endpoint.items() if " /rest/" in key)

    def reset(self) -> None:
        self.by_endpoint.clear()
        self.by_status.clear()
        self.log.clear()
        self.token_requests = self.sent_before_reset = 0

    def snapshot(self) -> dict[str, object]:
        return {
            "by_endpoint": dict(self.by_endpoint),
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "token_requests": self.token_requests,
            "sent_before_reset": self.sent_before_reset,
            "api_calls": self.api_calls(),
        }
