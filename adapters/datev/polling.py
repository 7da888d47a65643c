"""How often to ask DATEV about a job: one capped, jittered backoff per job, from its first poll.

DATEV's interface rules call about 30 GETs per upload bad practice (reference §4). The schedule
of a job starts at its upload and never resets: Retry-After (capped, so a huge value cannot
stall the stage) is the floor of the first wait, then each wait doubles up to ``max_delay_s``.
Nothing here sleeps: the submit stage asks :meth:`JobPollSchedule.due` each round, so a pending
job never holds up other batches.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, Field

from adapters.backoff import Backoff, parse_retry_after


class PollPolicy(BaseModel):
    """DATEV's job-polling numbers for the code base's one :class:`Backoff` schedule."""

    first_delay_s: float = Field(default=2.0, ge=0)
    multiplier: float = Field(default=2.0, ge=1)
    max_delay_s: float = Field(default=600.0, gt=0)
    jitter: float = Field(default=0.2, ge=0, le=1)  # fraction of each wait that is random
    max_gets: int = Field(default=6, ge=1, le=30)  # per call of the blocking ``poll_job``
    retry_after_cap_s: float = Field(default=120.0, gt=0)  # a larger Retry-After is capped

    @property
    def backoff(self) -> Backoff:
        return Backoff(
            base_s=self.first_delay_s,
            multiplier=self.multiplier,
            max_s=self.max_delay_s,
            jitter=self.jitter,
            retry_after_cap_s=self.retry_after_cap_s,
        )

    def floor(self, retry_after_s: float | None) -> float:
        """DATEV's Retry-After as a floor, capped so a huge value cannot stall the stage."""
        return self.backoff.floor(retry_after_s)

    def delay(
        self, attempt: int, retry_after_s: float | None, rand: Callable[[], float] = random.random
    ) -> float:
        """Seconds to wait before GET number ``attempt`` (0-based) of one job."""
        return self.backoff.delay(attempt + 1, retry_after_s, rand)


@dataclass
class JobPollSchedule:
    """One job's polling: GETs made so far and when the next one is due (monotonic seconds)."""

    policy: PollPolicy
    next_at: float
    gets: int = 0
    started_at: float = 0.0

    @classmethod
    def after_upload(
        cls, policy: PollPolicy, now: float, retry_after_s: float | None
    ) -> JobPollSchedule:
        return cls(policy, now + policy.delay(0, retry_after_s), 0, now)

    def due(self, now: float) -> bool:
        return now >= self.next_at

    def wait_s(self, now: float) -> float:
        return max(0.0, self.next_at - now)

    def polled(self, now: float, retry_after_s: float | None = None) -> None:
        """A GET was made; schedule the next one (the backoff continues, never resets)."""
        self.gets += 1
        self.next_at = now + self.policy.delay(self.gets, retry_after_s)


__all__ = ["JobPollSchedule", "PollPolicy", "parse_retry_after"]
