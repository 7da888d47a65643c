"""The broker loses its data (embedded broker restarted, or a real cluster after a disaster).

Fold tracking rows are ``(topic:partition@incarnation → offset + 1)``. A recreated cluster gets a
new incarnation marker (``connector.meta``), so its topics are read from offset 0 again instead of
being mistaken for redeliveries; versions already known add nothing (content hash), new ones fold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adapters.kafka.admin import ensure_topics
from adapters.kafka.embedded import EmbeddedBroker
from adapters.kafka.incarnation import broker_incarnation
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.topics import CONNECTOR_META
from tests.support.changes import direct_cost_change as change

TOPIC = "procore.records"


def _before_the_loss(settings: Settings) -> None:
    ledger = build_ledger(settings, incarnation="first")
    ledger.fold(TOPIC, 0, [(i, change(i, "10.00")) for i in range(5)])


def test_a_new_record_on_a_recreated_topic_is_folded_once(
    sqlite_settings: Callable[..., Settings],
) -> None:
    settings = sqlite_settings()
    _before_the_loss(settings)
    # The same cluster restarted without loss: offsets continue, redeliveries are skipped.
    same = build_ledger(settings, incarnation="first")
    assert same.fold(TOPIC, 0, [(0, change(0, "10.00"))]).skipped == 1
    # A cluster that lost its data: a new incarnation, its partition read from offset 0.
    ledger = build_ledger(settings, incarnation="second")
    result = ledger.fold(TOPIC, 0, [(0, change(100, "99.00"))])
    assert result.folded == 1 and result.new_events >= 1
    # The poller's reconciliation re-publishes what was known: nothing is booked twice.
    again = ledger.fold(TOPIC, 0, [(i + 1, change(i, "10.00")) for i in range(5)])
    assert again.folded == 5 and again.new_events == 0


async def test_incarnation_survives_restarts_and_changes_with_a_new_broker(
    tmp_path: Path,
) -> None:
    with EmbeddedBroker(tmp_path / "a") as broker:
        await ensure_topics(broker.bootstrap_servers, [CONNECTOR_META])
        first = await broker_incarnation(broker.bootstrap_servers, CONNECTOR_META.name)
        assert await broker_incarnation(broker.bootstrap_servers, CONNECTOR_META.name) == first
    with EmbeddedBroker(tmp_path / "b") as fresh:  # all data lost
        await ensure_topics(fresh.bootstrap_servers, [CONNECTOR_META])
        assert await broker_incarnation(fresh.bootstrap_servers, CONNECTOR_META.name) != first
