"""Prometheus metrics: ledger gauges computed at scrape time, the stages' process counters
(``streams/config/telemetry.py``) and process metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from domain.source_document import SourceDocument
from streams.config.telemetry import TelemetryCollector
from streams.ledger.application import Ledger, event_topic
from streams.operator.actions import batch_rows

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class LedgerCollector(Collector):
    """Records per resource and decision, batches per state, documents uploaded/failed."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def collect(self) -> Iterator[Metric]:
        decisions: Counter[tuple[str, str]] = Counter()
        documents: Counter[str] = Counter()
        for n in self.ledger.scan([event_topic(SourceDocument, "Registered")]):
            doc = self.ledger.document(UUID(str(n.originator_id)))
            if doc is None:
                continue
            decisions[(doc.resource, doc.decision)] += 1
            if doc.document_state:
                documents[doc.document_state] += 1
        records = GaugeMetricFamily(
            "mlc_records", "Procore records in the ledger", labels=["resource", "decision"]
        )
        for (resource, decision), count in sorted(decisions.items()):
            records.add_metric([resource, decision], count)
        yield records
        batches = GaugeMetricFamily("mlc_batches", "EXTF batches by state", labels=["state"])
        lines = GaugeMetricFamily("mlc_batch_lines", "booking lines in batches", labels=["state"])
        by_state: Counter[str] = Counter()
        lines_by_state: Counter[str] = Counter()
        for row in batch_rows(self.ledger):
            by_state[row.state] += 1
            lines_by_state[row.state] += row.lines
        for state in ("sealed", "submitted", "completed", "failed"):
            batches.add_metric([state], by_state[state])
            lines.add_metric([state], lines_by_state[state])
        yield batches
        yield lines
        docs = GaugeMetricFamily("mlc_documents", "invoice PDFs sent to DUO", labels=["state"])
        for state in ("uploaded", "failed"):
            docs.add_metric([state], documents[state])
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
