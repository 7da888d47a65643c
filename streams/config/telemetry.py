"""Process-level Prometheus counters and histograms that the stages update as they work.

The ledger gauges (``streams/operator/status/metrics.py``) say where things *are*; these say
what this process *did* since it started. All metric objects live here, in their own registry,
which the status page's ``/metrics`` exposes through :class:`TelemetryCollector`. Adapters never
import this module: the Procore client reports through the hooks from :func:`procore_hooks`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)

DATEV_JOB_POLLS = Counter(
    "mlc_datev_job_polls", "GET requests asking DATEV for an EXTF job's state", registry=REGISTRY
)
DATEV_JOB_POLL_SECONDS = Histogram(
    "mlc_datev_job_poll_seconds",
    "time spent polling one EXTF job (backoff included) per submitter round",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
    registry=REGISTRY,
)
DATEV_JOBS = Counter(
    "mlc_datev_jobs", "EXTF jobs by event (submitted, completed, failed)", ["event"],
    registry=REGISTRY,
)  # fmt: skip
DOCUMENT_UPLOADS = Counter(
    "mlc_document_uploads", "invoice PDF uploads to DUO by outcome", ["outcome"], registry=REGISTRY
)
PROCORE_REQUESTS = Counter(
    "mlc_procore_requests", "Procore API responses by HTTP status (no_response: none arrived)",
    ["status"], registry=REGISTRY,
)  # fmt: skip
PROCORE_RATE_LIMIT_WAITS = Counter(
    "mlc_procore_rate_limit_waits", "times the client waited for Procore's rate limit",
    registry=REGISTRY,
)  # fmt: skip
PROCORE_RATE_LIMIT_WAIT_SECONDS = Counter(
    "mlc_procore_rate_limit_wait_seconds", "seconds spent waiting for Procore's rate limit",
    registry=REGISTRY,
)  # fmt: skip
WEBHOOK_DELIVERIES = Counter(
    "mlc_webhook_deliveries", "Procore webhook deliveries by outcome (accepted, rejected)",
    ["outcome"], registry=REGISTRY,
)  # fmt: skip
RECORDS_FOLDED = Counter(
    "mlc_records_folded", "Procore record snapshots folded into the ledger", registry=REGISTRY
)
EVENTS_WRITTEN = Counter(
    "mlc_events_written", "events the fold stage wrote to the event store", registry=REGISTRY
)

for _event in ("submitted", "completed", "failed"):
    DATEV_JOBS.labels(event=_event)
for _outcome in ("uploaded", "failed"):
    DOCUMENT_UPLOADS.labels(outcome=_outcome)
for _outcome in ("accepted", "rejected"):
    WEBHOOK_DELIVERIES.labels(outcome=_outcome)


# -- what the stages call ------------------------------------------------------------------------


def datev_job_polled(gets: int, seconds: float) -> None:
    DATEV_JOB_POLLS.inc(max(0, gets))
    DATEV_JOB_POLL_SECONDS.observe(max(0.0, seconds))


def datev_job(event: Literal["submitted", "completed", "failed"]) -> None:
    DATEV_JOBS.labels(event=event).inc()


def document_upload(outcome: Literal["uploaded", "failed"]) -> None:
    DOCUMENT_UPLOADS.labels(outcome=outcome).inc()


def webhook_delivery(accepted: bool) -> None:
    WEBHOOK_DELIVERIES.labels(outcome="accepted" if accepted else "rejected").inc()


def folded(records: int, events: int) -> None:
    RECORDS_FOLDED.inc(max(0, records))
    EVENTS_WRITTEN.inc(max(0, events))


def procore_response(status: int | None) -> None:
    PROCORE_REQUESTS.labels(status=str(status) if status is not None else "no_response").inc()


def procore_throttle_wait(seconds: float) -> None:
    PROCORE_RATE_LIMIT_WAITS.inc()
    PROCORE_RATE_LIMIT_WAIT_SECONDS.inc(max(0.0, seconds))


def procore_hooks() -> dict[str, Any]:
    """Keyword arguments for ``ProcoreClient(...)`` that feed the Procore metrics."""
    return {"on_response": procore_response, "on_throttle_wait": procore_throttle_wait}


# -- exposure ------------------------------------------------------------------------------------


class TelemetryCollector(Collector):
    """Serves this module's metrics from another registry (the status page's)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class ConsumerLagCollector(Collector):
    """``mlc_consumer_lag{topic,partition}`` from what faust's monitor already tracks.

    End offsets are sampled by faust's consumer; committed offsets are ours. Nothing is asked of
    Kafka at scrape time, so the value can be a few seconds old (and the embedded broker's end
    offsets are a lower bound).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        lag = GaugeMetricFamily(
            "mlc_consumer_lag", "messages not yet committed, per partition",
            labels=["topic", "partition"],
        )  # fmt: skip
        monitor = getattr(self.app, "monitor", None)
        ends = dict(getattr(monitor, "tp_end_offsets", None) or {})
        committed = dict(getattr(monitor, "tp_committed_offsets", None) or {})
        for tp, end in sorted(ends.items()):
            lag.add_metric([tp.topic, str(tp.partition)], max(0, end - committed.get(tp, 0)))
        yield lag
