"""Event-store outage: PostgreSQL terminates the worker's connections in the middle of a run."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from tests.conftest import PG_DSN, settings_factory
from tests.support.changes import direct_cost_change as change

TOPIC = "procore.records"


def _terminate(dbname: str) -> int:
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        ).fetchall()
    return len(rows)


@pytest.mark.postgres
def test_folds_continue_after_the_connections_were_terminated(
    pg_dbname: str, tmp_path: object
) -> None:
    make: Callable[..., Settings] = settings_factory(tmp_path, pg_dbname)  # type: ignore[arg-type]
    ledger = build_ledger(make())
    assert ledger.fold(TOPIC, 0, [(i, change(i, "10.00")) for i in range(3)]).folded == 3
    assert _terminate(pg_dbname) >= 1  # the ledger's pooled connections are gone
    outcomes: list[str] = []
    for attempt in range(3):  # the fold agent retries the same batch (offset not committed)
        try:
            result = ledger.fold(TOPIC, 0, [(3, change(3, "30.00")), (4, change(4, "40.00"))])
        except Exception as exc:
            outcomes.append(type(exc).__name__)
            continue
        outcomes.append("ok")
        assert result.folded == 2
        break
    assert outcomes[-1] == "ok", outcomes
    # Nothing lost, nothing twice: a fresh process sees exactly the five records once.
    fresh = build_ledger(make())
    assert fresh.position(f"{TOPIC}:0") == 5
    again = fresh.fold(TOPIC, 0, [(i, change(i, "10.00")) for i in range(3)])
    assert again.skipped == 3 and again.new_events == 0
    print("outcomes after pg_terminate_backend:", outcomes)
