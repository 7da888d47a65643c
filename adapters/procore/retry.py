"""The one retry policy of the Procore client (tenacity): transient errors only, bounded.

- 429 and 503-with-Retry-After: the throttle already blocks until the reset time, so the retry
  itself waits nothing extra (no request is ever sent before the reset).
- other 5xx, timeouts, dropped connections, malformed bodies: the shared ``Backoff`` schedule.
- every other 4xx: not retried (401 is handled once, inside a single attempt, by re-authenticating).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from adapters.backoff import Backoff
from adapters.procore.errors import ProcoreError, ProcoreRateLimitedError

T = TypeVar("T")


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ProcoreError) and exc.retryable


@dataclass
class RetryPolicy:
    """Bounded attempts; between them the shared backoff schedule (equal jitter by default)."""

    max_attempts: int = 5
    backoff: Backoff = field(default_factory=Backoff)
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return self.backoff.delay(attempt, rand=self.rng.random)

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, ProcoreRateLimitedError) or (
            isinstance(exc, ProcoreError) and exc.retry_after is not None
        ):
            return 0.0  # the throttle holds the next send until the reset
        return self.delay(state.attempt_number)

    async def run(
        self, attempt: Callable[[], Awaitable[T]], sleep: Callable[[float], Awaitable[None]]
    ) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            retry=retry_if_exception(_is_retryable),
            wait=self._wait,
            sleep=sleep,
            reraise=True,
        )
        async for try_ in retrying:
            with try_:
                return await attempt()
        raise AssertionError("unreachable: tenacity reraises the last error")
