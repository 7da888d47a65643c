"""Crash suite (quick form): SIGKILL the worker at random moments; nothing lost, nothing twice.

The worker runs as its own OS process against the demo environment (embedded broker, Procore and
DATEV emulators). While Procore changes flow (backfill + approvals, edits after posting,
deletions) the worker is killed with SIGKILL at seeded random moments and restarted. Slow
Procore responses, a few 5xx and slow DATEV jobs widen the windows the kills should land in.
At the end DATEV must hold exactly what Procore approved: per record and per project to the
cent, every invoice PDF once, no batch left open, no parked record without a reason, and the
outbox relay caught up. The soak form is ``python -m tests.reliability.soak``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.reliability.harness import CrashPlan, CrashReport, run_crash

pytestmark = pytest.mark.slow


def _check(report: CrashReport, kills: int) -> None:
    v = report.verdict
    print(report.describe())  # figures in the -rA / -s output
    assert report.kills == kills
    assert v.problems == [], report.describe()
    assert v.approved_records > 0 and v.booking_rows > 0 and v.documents > 0
    assert not v.lost and not v.duplicated
    assert sum(report.mutations.values()) > 0


def test_sigkill_ten_times_while_records_flow_books_everything_once(tmp_path: Path) -> None:
    plan = CrashPlan(seed=20240611, kills=10, size="medium", mutations=120)
    report = asyncio.run(run_crash(tmp_path / "run", plan))
    _check(report, plan.kills)
    assert len(report.phases) >= 3, f"kills landed in too few phases: {dict(report.phases)}"


@pytest.mark.postgres
def test_sigkill_with_the_postgresql_event_store(tmp_path: Path, pg_dbname: str) -> None:
    plan = CrashPlan(seed=7, kills=3, size="small", mutations=30, pg_dbname=pg_dbname)
    report = asyncio.run(run_crash(tmp_path / "run", plan))
    _check(report, plan.kills)
