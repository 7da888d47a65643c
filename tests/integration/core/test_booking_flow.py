"""Fold → decide → seal on a real event store with the emulator's contractor data, checked by
the DATEV emulator's independent EXTF validator and reconciled against Procore to the cent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from domain.batch import Batch
from domain.reconciliation import reconcile
from domain.sealing import sealed_files
from emulators.datev.extf_check import check_extf
from emulators.procore.data import EmulatorState
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import _datev_client, _write_mapping
from streams.ledger.application import Ledger
from streams.ledger.rules import load_rules
from streams.operator.actions import iter_batches, parked
from tests.support.fakes import FakeEmulator
from tests.support.snapshots import all_snapshots, fold_each, snapshot
from tests.support.statuses import bookable_statuses

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


@pytest.fixture
def state() -> EmulatorState:
    from emulators.procore.data import generate
    from tests.support.fakes import ManualClock

    return generate(seed=7, size="small", clock=ManualClock())


@pytest.fixture
def ledger(state: EmulatorState, make_settings: Callable[..., Settings], tmp_path: Path) -> Ledger:
    path = _write_mapping(tmp_path, FakeEmulator(state), "manual")  # type: ignore[arg-type]
    rules = load_rules([path])
    return build_ledger(make_settings(), rules)


def datev_accepts(ledger: Ledger) -> list[dict[str, str]]:
    """Run every sealed batch through the DATEV emulator's validator; return booked rows."""
    assert ledger.rules is not None
    rules = next(iter(ledger.rules.clients.values()))
    client = _datev_client(rules.chart, rules.mapping)
    rows: list[dict[str, str]] = []
    for batch in iter_batches(ledger):
        files = sealed_files(batch, rules.mapping)
        for kind, f in files.items():
            result = check_extf(f.data, client.chart)
            assert result.findings == [], (kind, result.findings[:3])
            rows.extend(result.bookings)
    return rows


def approved(state: EmulatorState) -> list:
    return [
        (row.project_id, res, row.data)
        for res in ("requisition", "direct_cost")
        for row in state.rows[res].values()  # type: ignore[index]
        if row.data.get("status") in bookable_statuses(res)
    ]


def test_backfill_books_every_approved_record_once_and_reconciles(
    state: EmulatorState, ledger: Ledger
) -> None:
    fold_each(ledger, all_snapshots(state))
    assert parked(ledger) == []
    assert ledger.rules is not None
    rules = next(iter(ledger.rules.clients.values()))
    result = ledger.seal(rules, NOW)
    assert result.batch_ids and result.records == len(approved(state))
    # Sealing again finds nothing new: every line is sealed exactly once.
    assert ledger.seal(rules, NOW).batch_ids == ()
    rows = datev_accepts(ledger)
    rec = reconcile(rules.mapping, rules.chart, approved(state), rows)
    assert rec.matches, [(p.kost1, p.procore, p.datev) for p in rec.projects]
    assert rec.projects and all(p.procore > 0 for p in rec.projects)
    batch = next(iter(iter_batches(ledger)))
    assert isinstance(batch, Batch) and "creditors" in batch.files


def test_redelivery_and_webhook_plus_poller_book_nothing_twice(
    state: EmulatorState, ledger: Ledger
) -> None:
    changes = all_snapshots(state)
    pos = fold_each(ledger, changes)
    fold_each(ledger, changes, start=0)  # redelivered offsets: skipped by tracking
    fold_each(ledger, [c.model_copy(update={"source": "webhook"}) for c in changes], start=pos)
    rules = next(iter(ledger.rules.clients.values()))  # type: ignore[union-attr]
    ledger.seal(rules, NOW)
    rec = reconcile(rules.mapping, rules.chart, approved(state), datev_accepts(ledger))
    assert rec.matches


def test_edit_after_posting_reverses_and_rebooks_delete_reverses(
    state: EmulatorState, ledger: Ledger
) -> None:
    from emulators.procore import mutations

    pos = fold_each(ledger, all_snapshots(state))
    rules = next(iter(ledger.rules.clients.values()))  # type: ignore[union-attr]
    ledger.seal(rules, NOW)
    dc_ids = [i for i, r in state.rows["direct_cost"].items() if r.data["status"] == "approved"]
    edited, deleted = dc_ids[0], dc_ids[1]
    mutations.edit_direct_cost(state, edited, amount=Decimal("1234.56"))
    pos = fold_each(ledger, [snapshot(state, "direct_cost", edited)], start=pos)
    gone = snapshot(state, "direct_cost", deleted).model_copy(
        update={"action": "delete", "record": None}
    )
    mutations.delete_record(state, "direct_cost", deleted)
    fold_each(ledger, [gone], start=pos)
    second = ledger.seal(rules, NOW)
    assert second.records == 2
    batch = ledger.aggregate(second.batch_ids[0])
    assert isinstance(batch, Batch)
    storno = [ln for ln in batch.lines if ln["line_id"].endswith("~storno")]
    assert storno and all(ln["generalumkehr"] for ln in storno)
    rec = reconcile(rules.mapping, rules.chart, approved(state), datev_accepts(ledger))
    assert rec.matches, [(p.kost1, p.procore, p.datev) for p in rec.projects]
