"""The walking-skeleton demo: one Procore change travels topic → aggregate → ``bookings.events``."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import orjson
import typer

from adapters.kafka.clients import produce, read_topic
from adapters.kafka.embedded import free_port
from domain.changes import ProcoreChange, RecordRef
from streams.bootstrap import kafka_runtime
from streams.settings import Settings
from streams.topics import BOOKINGS_EVENTS, PROCORE_RECORDS
from streams.worker_process import WorkerProcess


def sample_change() -> ProcoreChange:
    record = {
        "id": 4401223,
        "number": 3,
        "invoice_number": "RE-2026-0142",
        "status": "approved",
        "vendor_id": 556677,
        "vendor_name": "Bau Müller GmbH",
        "billing_date": "2026-10-31",
        "summary": {"current_payment_due": "14250.00"},
    }
    return ProcoreChange(
        ref=RecordRef(
            company_id=4281379, project_id=20251, resource="requisition", resource_id=4401223
        ),
        action="update",
        source="demo",
        event_id="01JC8Z7Q4W9K2M5N8P1R3T6V9X",
        observed_at=datetime(2026, 11, 10, 14, 2, 11, tzinfo=UTC),
        record=record,
    )


def run_skeleton_demo(settings: Settings, workdir: Path) -> int:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    settings = settings.model_copy(update={"data_dir": workdir})
    echo = typer.echo
    with kafka_runtime(settings) as servers:
        echo(f"• embedded Kafka broker on {servers}; topics created")
        port = free_port()
        worker = WorkerProcess(
            {
                "MLC_KAFKA_BOOTSTRAP_SERVERS": servers,
                "MLC_DATA_DIR": str(workdir),
                "MLC_WEB_PORT": str(port),
                "MLC_LOG_LEVEL": "warn",
            },
            workdir / "worker.log",
        ).start()
        try:
            worker.wait_web("127.0.0.1", port)
            echo(f"• worker started (pid {worker.proc.pid if worker.proc else '?'})")
            change = sample_change()
            msg = (change.key.encode(), change.to_bytes())
            asyncio.run(produce(servers, PROCORE_RECORDS.name, [msg, msg]))
            echo(f"• produced change {change.key} to {PROCORE_RECORDS.name} twice (redelivery)")
            records = asyncio.run(
                read_topic(servers, BOOKINGS_EVENTS.name, expect=2, timeout=60.0, settle=2.0)
            )
        finally:
            took = worker.stop()
            echo(f"• worker stopped by SIGTERM in {took:.1f} s")
    events = [orjson.loads(r.value) for r in records]
    for ev in events:
        echo(
            f"  {BOOKINGS_EVENTS.name}: v{ev['aggregate_version']} {ev['type']} {ev['record_key']}"
        )
    types = [ev["type"] for ev in events]
    ok = types == ["SourceDocument.Registered", "SourceDocument.VersionObserved"]
    echo(
        ("✔ " if ok else "✘ ")
        + f"{len(events)} booking events for 2 deliveries of one change "
        + ("(folded once)" if ok else f"(expected Registered + VersionObserved, got {types})")
    )
    return 0 if ok else 1
