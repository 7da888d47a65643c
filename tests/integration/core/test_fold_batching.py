"""Fold batching on a real event store: one version query per batch, same outcome as before."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from tests.support.changes import direct_cost_change as change

TOPIC = "procore.records"


def test_stored_versions_names_only_saved_aggregates_with_their_latest_version(
    make_settings: Callable[..., Settings],
) -> None:
    ledger = build_ledger(make_settings())
    ledger.fold(TOPIC, 0, [(0, change(1, "10.00")), (1, change(2, "20.00"))])
    ledger.fold(TOPIC, 0, [(2, change(1, "11.00"))])
    one, two = change(1, "0").ref.aggregate_id, change(2, "0").ref.aggregate_id
    unknown = uuid4()
    assert ledger.stored_versions([one, two, unknown]) == {one: 3, two: 2}
    assert ledger.stored_versions([one, two, unknown], chunk=1) == {one: 3, two: 2}
    assert ledger.stored_versions([]) == {}


def test_a_batch_mixing_new_and_known_records_folds_each_once(
    make_settings: Callable[..., Settings],
) -> None:
    ledger = build_ledger(make_settings())
    ledger.fold(TOPIC, 1, [(0, change(7, "1.00"))])
    batch = [(1, change(7, "2.00")), (2, change(8, "3.00")), (3, change(8, "4.00"))]
    result = ledger.fold(TOPIC, 1, batch)
    assert (result.folded, result.new_events) == (3, 4)  # 7: observed; 8: registered + 2 versions
    names = [type(e).__name__ for e in ledger.history(change(8, "0").ref.aggregate_id)]
    assert names == ["Registered", "VersionObserved", "VersionObserved"]
