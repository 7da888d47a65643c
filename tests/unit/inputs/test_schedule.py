"""The poller's schedule: daily reconciliation at HH:MM, incremental every N seconds."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from pydantic import ValidationError

from streams.config.settings import ProcoreSettings
from streams.inputs.poller_schedule import incremental_due, latest_slot, parse_hh_mm, sweep_due

BERLIN_WINTER = timezone(timedelta(hours=1))


def at(day: int, hour: int, minute: int = 0, tz: timezone = UTC) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=tz)


def test_parse_hh_mm() -> None:
    assert parse_hh_mm("02:30") == time(2, 30)
    assert parse_hh_mm(" 7:05 ") == time(7, 5)
    for bad in ("24:00", "2:5", "02-30", "", "ab:cd", "12:60"):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_hh_mm(bad)


def test_latest_slot_is_today_after_the_time_and_yesterday_before_it() -> None:
    assert latest_slot(at(10, 3), time(2, 30)) == at(10, 2, 30)
    assert latest_slot(at(10, 2, 30), time(2, 30)) == at(10, 2, 30)
    assert latest_slot(at(10, 1), time(2, 30)) == at(9, 2, 30)


def test_sweep_due_once_per_day_after_the_slot() -> None:
    assert sweep_due(at(10, 12), None, "02:30")  # never ran: due now
    assert not sweep_due(at(10, 12), at(10, 2, 31), "02:30")  # ran after today's slot
    assert sweep_due(at(10, 12), at(9, 23), "02:30")  # last run before today's slot
    assert not sweep_due(at(10, 2, 29), at(9, 23), "02:30")  # today's slot not reached
    assert sweep_due(at(10, 2, 30), at(9, 23), "02:30")


def test_reconcile_slot_is_read_in_the_local_zone() -> None:
    # 02:30 in UTC+1 is 01:30 UTC: a run at 01:00 UTC on the 10th is before it.
    last = at(10, 1, 0)
    assert not sweep_due(at(10, 2, 29, BERLIN_WINTER), last, "02:30")
    assert sweep_due(at(10, 2, 31, BERLIN_WINTER), last, "02:30")


def test_incremental_due_after_the_interval() -> None:
    assert incremental_due(at(10, 12), None, 300)
    assert not incremental_due(at(10, 12, 4), at(10, 12), 300)
    assert incremental_due(at(10, 12, 5), at(10, 12), 300)


def test_settings_validate_and_normalise_sweep_at() -> None:
    assert ProcoreSettings(sweep_at="3:15").sweep_at == "03:15"
    assert ProcoreSettings().poll_interval_s == 300 and ProcoreSettings().project_ids == []
    with pytest.raises(ValidationError, match="HH:MM"):
        ProcoreSettings(sweep_at="25:00")
    with pytest.raises(ValidationError):
        ProcoreSettings(poll_interval_s=0)
