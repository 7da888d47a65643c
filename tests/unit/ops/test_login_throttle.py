"""Login throttle defaults: five free tries, then 1, 2, 4, 8 s; locked out at ten for 15 min."""

from __future__ import annotations

from streams.operator.status.auth import LoginThrottle
from tests.support.fakes import SetClock


def test_default_schedule_per_address() -> None:
    clock = SetClock(0.0)
    throttle = LoginThrottle(clock=clock)
    delays = []
    for _ in range(9):
        throttle.failed("10.0.0.1")
        delays.append(throttle.delay_for("10.0.0.1"))
    assert delays == [0, 0, 0, 0, 0, 1, 2, 4, 8]  # answer to the 1st … 9th wrong token
    assert throttle.locked_for("10.0.0.1") == 0
    throttle.failed("10.0.0.1")
    assert throttle.locked_for("10.0.0.1") == 15 * 60
    assert throttle.locked_for("10.0.0.2") == 0  # other addresses are not affected
    clock.now += 15 * 60 + 1
    assert throttle.locked_for("10.0.0.1") == 0 and throttle.delay_for("10.0.0.1") == 0


def test_old_failures_are_forgotten_and_success_resets() -> None:
    clock = SetClock(0.0)
    throttle = LoginThrottle(clock=clock)
    for _ in range(7):
        throttle.failed("a")
    assert throttle.delay_for("a") == 2  # the 7th wrong token
    clock.now += 15 * 60 + 1
    assert throttle.delay_for("a") == 0
    for _ in range(7):
        throttle.failed("b")
    throttle.succeeded("b")
    assert throttle.delay_for("b") == 0


def test_memory_is_bounded() -> None:
    throttle = LoginThrottle(max_addresses=100, clock=SetClock(0.0))
    for i in range(1000):
        throttle.failed(f"10.0.{i // 256}.{i % 256}")
    assert len(throttle._seen) == 100
