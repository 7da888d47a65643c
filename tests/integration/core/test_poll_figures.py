"""GETs per EXTF job with the default poll policy, on a virtual clock (figures for the docs).

DATEV answers an upload with ``Retry-After`` (5 s here) and takes a while to process the job;
the submit stage ticks every second. The targets come from DATEV's interface rules (about 30
GETs per upload is bad practice): median ≤ 5 GETs per job, ≤ 10 for a long one.
"""

from __future__ import annotations

import pytest

from adapters.datev.polling import PollPolicy
from streams.operator.actions import batch_rows
from streams.stages.submit import Submitter
from tests.support.delivery import DeliveryStack

DURATIONS_S = (3, 10, 30, 60, 300, 900)
RETRY_AFTER_S = 5
TICK_S = 1.0


class VirtualTime:
    """The stage's monotonic clock and sleep, moving the emulator's clock along."""

    def __init__(self, stack: DeliveryStack) -> None:
        self.stack = stack
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self.stack.datev.clock.advance(seconds)


@pytest.mark.parametrize("duration_s", DURATIONS_S)
async def test_gets_per_job_with_the_default_policy(stack: DeliveryStack, duration_s: int) -> None:
    time = VirtualTime(stack)
    submitter = Submitter(
        stack.ledger,
        stack.submitter.rules,
        stack.submitter.gateway,
        PollPolicy(jitter=0),
        clock=time.clock,
        sleep=time.sleep,
        inline_first_poll_s=0.0,  # as the worker runs it
    )
    stack.backfill()
    stack.datev.faults.job_delay_s = duration_s
    stack.datev.faults.job_retry_after_s = RETRY_AFTER_S
    for _ in range(5000):
        await submitter.run_once()
        if all(b.state == "completed" for b in batch_rows(stack.ledger)):
            break
        time.advance(TICK_S)
    assert all(b.state == "completed" for b in batch_rows(stack.ledger))
    gets = [stack.datev.state.gets_for_job(j.id) for j in stack.datev.state.jobs.values()]
    calls = stack.datev.auth.refresh_grants
    print(f"FIGURE job {duration_s:>4} s: GETs per job {gets}, token calls {calls}")
    assert max(gets) <= (5 if duration_s <= 60 else 10), gets
