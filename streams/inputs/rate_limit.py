"""A per-source request rate limit (token bucket) for the webhook endpoint.

Procore delivers in bursts, so the defaults are generous; the limit exists so that one noisy or
hostile source cannot keep the worker busy with rejected requests. Memory is bounded: at most
``max_sources`` buckets are kept (least recently seen dropped first).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_RATE_PER_S = 50.0
DEFAULT_BURST = 200


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """``allow(source)`` → None when the request may proceed, else seconds to wait."""

    def __init__(
        self,
        rate_per_s: float = DEFAULT_RATE_PER_S,
        burst: int = DEFAULT_BURST,
        *,
        max_sources: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self.rate = rate_per_s
        self.burst = float(burst)
        self.max_sources = max_sources
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self.refused = 0

    def allow(self, source: str) -> float | None:
        now = self.clock()
        bucket = self._buckets.pop(source, None) or _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        self._buckets[source] = bucket
        while len(self._buckets) > self.max_sources:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        self.refused += 1
        return (1.0 - bucket.tokens) / self.rate
