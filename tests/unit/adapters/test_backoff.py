"""The shared backoff schedule and Retry-After parser."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from adapters.backoff import RETRY_AFTER_CAP_S, Backoff, parse_retry_after


def test_delay_grows_exponentially_and_never_exceeds_the_cap() -> None:
    backoff = Backoff(base_s=1.0, max_s=8.0, jitter=0.5)
    rng = random.Random(3)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (10_000, 8.0)]:
        for _ in range(20):
            assert ceiling / 2 <= backoff.delay(attempt, rand=rng.random) <= ceiling


def test_no_jitter_is_deterministic_and_full_jitter_can_reach_zero() -> None:
    assert Backoff(base_s=2.0, jitter=0).delay(3) == 8.0
    assert Backoff(base_s=2.0, jitter=1).delay(3, rand=lambda: 1.0) == 0.0


def test_retry_after_is_a_floor_with_a_cap() -> None:
    backoff = Backoff(base_s=1.0, max_s=8.0, retry_after_cap_s=60.0)
    assert backoff.delay(1, 30.0) == 30.0  # the server asked for longer than our schedule
    assert backoff.delay(4, 0.5, rand=lambda: 0.0) == 8.0  # our schedule is longer
    assert backoff.delay(1, 86_400.0) == 60.0  # one bad header cannot stall us for a day
    assert backoff.delay(1, -5.0, rand=lambda: 0.0) == 1.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("7", 7.0), (" 12 ", 12.0), ("0", 0.0), ("-3", 0.0), ("1.5", 1.5)],
)
def test_retry_after_delta_seconds(value: str, seconds: float) -> None:
    assert parse_retry_after(value) == seconds


def test_retry_after_http_date_is_relative_to_now() -> None:
    now = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC).timestamp()
    later = format_datetime(datetime(2026, 12, 1, 10, 0, 45, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(45.0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 0.0  # in the past


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf", "Wed, 99 Foo 2015"])
def test_unreadable_retry_after_is_none(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_the_cap_constant_is_the_default() -> None:
    assert Backoff().retry_after_cap_s == RETRY_AFTER_CAP_S
