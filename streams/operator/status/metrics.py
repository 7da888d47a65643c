"""Prometheus metrics: ledger gauges from the ledger's counts projection (the events since the
previous scrape, not the whole log), the stages' process counters
(``streams/config/telemetry.py``) and process metrics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from streams.config.telemetry import TelemetryCollector
from streams.ledger.application import Ledger
from streams.ledger.read_models import counts

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class LedgerCollector(Collector):
    """Records per resource and decision, batches per state, documents uploaded/failed."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def collect(self) -> Iterator[Metric]:
        found = counts(self.ledger)
        records = GaugeMetricFamily(
            "mlc_records", "Procore records in the ledger", labels=["resource", "decision"]
        )
        for (resource, decision), count in sorted(found.records.items()):
            records.add_metric([resource, decision], count)
        yield records
        batches = GaugeMetricFamily("mlc_batches", "EXTF batches by state", labels=["state"])
        lines = GaugeMetricFamily("mlc_batch_lines", "booking lines in batches", labels=["state"])
        for state in ("sealed", "submitted", "completed", "failed"):
            batches.add_metric([state], found.batches[state])
            lines.add_metric([state], found.batch_lines[state])
        yield batches
        yield lines
        docs = GaugeMetricFamily("mlc_documents", "invoice PDFs sent to DUO", labels=["state"])
        for state in ("uploaded", "failed"):
            docs.add_metric([state], found.documents[state])
        yield docs
        events = GaugeMetricFamily("mlc_events_total", "events in the event store")
        events.add_metric([], self.ledger.recorder.max_notification_id() or 0)
        yield events


def build_registry(ledger: Ledger, extra: list[Any] | None = None) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LedgerCollector(ledger))
    registry.register(TelemetryCollector())
    ProcessCollector(registry=registry)
    for collector in extra or []:
        registry.register(collector)
    return registry


def render(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
