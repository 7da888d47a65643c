"""When the poller runs: incremental reads every N seconds, the sweep daily at HH:MM."""

from __future__ import annotations

from datetime import datetime, time, timedelta


def parse_hh_mm(text: str) -> time:
    """``"02:30"`` → ``time(2, 30)``; the message names the expected form."""
    hours, sep, minutes = text.strip().partition(":")
    if sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
        h, m = int(hours), int(minutes)
        if 0 <= h <= 23 and 0 <= m <= 59:
            return time(h, m)
    raise ValueError(f"{text!r} is not a time of day as HH:MM (e.g. 02:30)")


def latest_slot(now: datetime, at: time) -> datetime:
    """The latest moment at or before ``now`` whose wall-clock time (in now's zone) is ``at``."""
    today = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return today if today <= now else today - timedelta(days=1)


def sweep_due(now: datetime, last_run: datetime | None, at: str) -> bool:
    """Due when it never ran, or when the last run was before the latest HH:MM slot."""
    return last_run is None or last_run < latest_slot(now, parse_hh_mm(at))


def incremental_due(now: datetime, last_run: datetime | None, interval_s: float) -> bool:
    return last_run is None or (now - last_run).total_seconds() >= interval_s
