"""Telemetry helpers: counters move by what they are given; lag comes from faust's monitor."""

from __future__ import annotations

from types import SimpleNamespace
from typing import NamedTuple

from prometheus_client import CollectorRegistry, generate_latest

from streams.config import telemetry


class TP(NamedTuple):
    topic: str
    partition: int


def value(name: str, **labels: str) -> float:
    return telemetry.REGISTRY.get_sample_value(name, labels) or 0.0


def test_fold_and_webhook_counters() -> None:
    folded, events = value("mlc_records_folded_total"), value("mlc_events_written_total")
    rejected = value("mlc_webhook_deliveries_total", outcome="rejected")
    telemetry.folded(records=3, events=7)
    telemetry.webhook_delivery(accepted=False)
    assert value("mlc_records_folded_total") - folded == 3
    assert value("mlc_events_written_total") - events == 7
    assert value("mlc_webhook_deliveries_total", outcome="rejected") - rejected == 1


def test_consumer_lag_is_end_minus_committed_per_partition() -> None:
    monitor = SimpleNamespace(
        tp_end_offsets={TP("procore.records", 0): 120, TP("procore.records", 1): 5},
        tp_committed_offsets={TP("procore.records", 0): 100},
    )
    registry = CollectorRegistry()
    registry.register(telemetry.ConsumerLagCollector(SimpleNamespace(monitor=monitor)))
    lag = {"0": 20.0, "1": 5.0}
    for partition, expected in lag.items():
        labels = {"topic": "procore.records", "partition": partition}
        assert registry.get_sample_value("mlc_consumer_lag", labels) == expected
    assert b"mlc_consumer_lag" in generate_latest(registry)


def test_consumer_lag_without_a_running_consumer_is_empty() -> None:
    registry = CollectorRegistry()
    registry.register(telemetry.ConsumerLagCollector(SimpleNamespace()))
    assert registry.get_sample_value("mlc_consumer_lag", {"topic": "x", "partition": "0"}) is None
