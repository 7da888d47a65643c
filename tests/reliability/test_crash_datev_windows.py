"""SIGKILL inside the DATEV windows (POST, job poll, DUO upload) under documented DATEV."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.reliability.datev_windows import run_windows

pytestmark = pytest.mark.slow


def test_kills_in_post_poll_and_duo_windows_book_everything_once(tmp_path: Path) -> None:
    report = asyncio.run(run_windows(tmp_path / "run"))
    print(report.describe())
    assert sum(report.kills.values()) == 3, report.describe()
    v = report.verdict
    assert v.problems == [], report.describe()
    assert not v.lost and not v.duplicated
    assert v.booking_rows > 0 and v.documents > 0
    # DATEV imported each file once, although every POST would have created a new job.
    assert set(report.succeeded_per_file.values()) == {1}, report.succeeded_per_file


def test_kills_in_the_dxso_windows_book_every_invoice_once(tmp_path: Path) -> None:
    from tests.reliability.dxso_windows import run_dxso_windows

    report = asyncio.run(run_dxso_windows(tmp_path / "run"))
    print(report.describe())
    assert sum(report.kills.values()) == 3, report.describe()
    assert report.problems == [], report.describe()
    assert report.states[2] >= 1, report.describe()
