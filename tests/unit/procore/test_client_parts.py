"""Pure parts of the client: Link parsing, pages, throttle, retry backoff, error mapping."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from adapters.backoff import RETRY_AFTER_CAP_S, Backoff
from adapters.procore.errors import (
    ProcoreAuthError,
    ProcoreNotFoundError,
    ProcorePermissionError,
    ProcoreRateLimitedError,
    ProcoreRequestError,
    ProcoreServerError,
    error_for_status,
    procore_message,
)
from adapters.procore.pagination import page_from_response, parse_link_header
from adapters.procore.ratelimit import Throttle
from adapters.procore.reference import format_updated_range
from adapters.procore.retry import RetryPolicy
from tests.support.fakes import ManualClock


def test_link_header_rels() -> None:
    value = (
        '<https://api.procore.com/rest/v1.0/vendors?page=1>; rel="first", '
        '<https://api.procore.com/rest/v1.0/vendors?page=3>; rel="next", '
        "<https://api.procore.com/rest/v1.0/vendors?page=9>; rel=last"
    )
    links = parse_link_header(value)
    assert links["next"].endswith("page=3") and links["last"].endswith("page=9")
    assert parse_link_header(None) == {} and "next" not in parse_link_header(value[:60])


def test_page_ends_without_next_and_total_is_only_a_hint() -> None:
    headers = {"total": "500", "per-page": "100", "link": '<u?page=1>; rel="first"'}
    page = page_from_response(5, [{"id": 1}], headers, endpoint="/x")
    assert page.next_url is None and page.total_hint == 500 and page.items == [{"id": 1}]
    assert page_from_response(1, {"data": [{"id": 2}]}, {}, endpoint="/x").items == [{"id": 2}]
    with pytest.raises(ValueError, match="/x"):
        page_from_response(1, {"id": 1}, {}, endpoint="/x")


def test_updated_range_filter_format() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = datetime(2026, 11, 30, 23, 59, 59)  # naive = UTC
    assert format_updated_range((start, end)) == "2026-11-01T00:00:00Z...2026-11-30T23:59:59Z"


def test_throttle_spreads_the_last_requests_and_blocks_after_429() -> None:
    clock = ManualClock(start=1000.0)
    throttle = Throttle(clock, rng=random.Random(1), max_jitter_s=0.5)
    throttle.observe({"x-rate-limit-limit": "100", "x-rate-limit-remaining": "50",
                      "x-rate-limit-reset": "1010"})  # fmt: skip
    assert throttle.delay() == 0
    throttle.observe({"x-rate-limit-limit": "100", "x-rate-limit-remaining": "4",
                      "x-rate-limit-reset": "1010"})  # fmt: skip
    assert throttle.delay() == pytest.approx(2.0)  # 10 s left spread over 5 slots
    wait = throttle.on_throttled({"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                                  "x-rate-limit-reset": "1030"})  # fmt: skip
    assert 30 <= wait <= 30.5 and throttle.delay() == pytest.approx(wait)
    assert Throttle(clock).on_throttled({"retry-after": "7"}) >= 7


def test_backoff_grows_exponentially_within_jitter_bands() -> None:
    policy = RetryPolicy(backoff=Backoff(base_s=1.0, max_s=8.0), rng=random.Random(2))
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (6, 8.0)]:
        delay = policy.delay(attempt)
        assert ceiling / 2 <= delay <= ceiling


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (400, ProcoreRequestError, False),
        (401, ProcoreAuthError, False),
        (403, ProcorePermissionError, False),
        (404, ProcoreNotFoundError, False),
        (422, ProcoreRequestError, False),
        (429, ProcoreRateLimitedError, True),
        (500, ProcoreServerError, True),
        (503, ProcoreServerError, True),
    ],
)
def test_status_mapping(status, cls, retryable) -> None:
    error = error_for_status(status, b'{"message": "nope"}', method="GET", endpoint="/rest/x",
                             request_id="abc")  # fmt: skip
    assert type(error) is cls and error.retryable is retryable
    assert "GET /rest/x" in str(error) and "nope" in str(error) and "abc" in str(error)


def test_procore_messages_in_their_various_shapes() -> None:
    assert procore_message(b'{"errors": "Missing Procore-Company-Id header!"}').startswith(
        "Missing"
    )
    assert procore_message(b'{"errors": {"name": ["is taken"]}}') == '{"name":["is taken"]}'
    assert procore_message(b"You have surpassed the max").startswith("You have")
    assert procore_message(b"") == "(empty body)"


def test_throttle_honours_a_retry_after_date_and_caps_it() -> None:
    clock = ManualClock(start=1_795_000_000.0)
    in_20_s = format_datetime(datetime.fromtimestamp(clock.now() + 20, tz=UTC), usegmt=True)
    assert 20 <= Throttle(clock).on_throttled({"retry-after": in_20_s}) <= 20.5
    assert Throttle(clock).on_throttled({"retry-after": "999999"}) <= RETRY_AFTER_CAP_S + 0.5
