"""The worker as an OS process: broker → fold → event store → relay → bookings.events."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from adapters.kafka.clients import produce, read_topic
from adapters.kafka.embedded import EmbeddedBroker
from streams.config.settings import Settings
from streams.topics import BOOKINGS_EVENTS, CONNECTOR_DLQ, PROCORE_RECORDS
from streams.worker_process import WorkerProcess
from tests.support.changes import sample_change
from tests.support.waiting import until_sync

FETCH_AND_FOLD_S = 1.5


def start_worker(
    settings: Settings, broker: EmbeddedBroker, tmp_path: Path, log_level: str = "warn"
) -> WorkerProcess:
    env = {
        "MLC_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "MLC_DATA_DIR": str(settings.data_dir),
        "MLC_WEB_PORT": str(settings.web_port),
        "MLC_LOG_LEVEL": log_level,
    }
    if settings.postgres.dbname:
        env["MLC_POSTGRES__DBNAME"] = settings.postgres.dbname
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    worker.wait_web("127.0.0.1", settings.web_port)
    return worker


def booking_events(broker: EmbeddedBroker, expect: int) -> list[dict[str, object]]:
    records = asyncio.run(
        read_topic(
            broker.bootstrap_servers, BOOKINGS_EVENTS.name, expect=expect, timeout=60, settle=2.5
        )
    )
    return [orjson.loads(r.value) for r in records]


def test_change_travels_to_bookings_events_once_across_redelivery_and_restart(
    make_settings: Callable[..., Settings], fresh_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings()
    change = sample_change()
    msg = (change.key.encode(), change.to_bytes())
    worker = start_worker(settings, fresh_broker, tmp_path)
    try:
        asyncio.run(produce(fresh_broker.bootstrap_servers, PROCORE_RECORDS.name, [msg, msg]))
        events = booking_events(fresh_broker, expect=2)
        assert [e["type"] for e in events] == [
            "SourceDocument.Registered",
            "SourceDocument.VersionObserved",
        ]
        assert {e["record_key"] for e in events} == {change.key}
        took = worker.stop()
        assert worker.returncode == 0, (tmp_path / "worker.log").read_text()[-3000:]
        assert took < 10
        # Restart: committed offsets + tracking mean nothing is folded or relayed again,
        # and a genuinely new version still goes through exactly once.
        worker = start_worker(settings, fresh_broker, tmp_path)
        new_version = change.model_copy(
            update={"record": {**(change.record or {}), "status": "revise_and_resubmit"}}
        )
        asyncio.run(
            produce(
                fresh_broker.bootstrap_servers,
                PROCORE_RECORDS.name,
                [msg, (new_version.key.encode(), new_version.to_bytes())],
            )
        )
        events = booking_events(fresh_broker, expect=3)
        assert [e["aggregate_version"] for e in events] == [1, 2, 3]
        assert len({e["notification_id"] for e in events}) == 3
    finally:
        worker.stop()


def test_unreadable_message_is_parked_not_lost(
    make_settings: Callable[..., Settings], fresh_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    settings = make_settings()
    worker = start_worker(settings, fresh_broker, tmp_path)
    try:
        good = sample_change()
        asyncio.run(
            produce(
                fresh_broker.bootstrap_servers,
                PROCORE_RECORDS.name,
                [(good.key.encode(), b"{not json"), (good.key.encode(), good.to_bytes())],
            )
        )
        parked = asyncio.run(
            read_topic(fresh_broker.bootstrap_servers, CONNECTOR_DLQ.name, expect=1, timeout=60)
        )
        assert len(parked) == 1
        headers = dict(parked[0].headers)
        assert headers["source-topic"] == PROCORE_RECORDS.name.encode()
        assert b"unreadable change message" in headers["error"]
        assert len(booking_events(fresh_broker, expect=2)) == 2  # the good one still folded
    finally:
        worker.stop()


def test_sigterm_exits_within_10s_even_when_the_fold_is_blocked(
    sqlite_settings: Callable[..., Settings], fresh_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """A fold stuck on a locked database must not keep the worker alive after SIGTERM."""
    settings = sqlite_settings()
    worker = start_worker(settings, fresh_broker, tmp_path, log_level="info")
    db = sqlite3.connect(settings.data_dir / "events.sqlite3", timeout=30)
    try:
        db.execute("BEGIN EXCLUSIVE")  # every fold now waits on the database lock
        change = sample_change()
        asyncio.run(
            produce(
                fresh_broker.bootstrap_servers,
                PROCORE_RECORDS.name,
                [(change.key.encode(), change.to_bytes())],
            )
        )
        # Let the worker join its group (faust logs "Worker ready" once partitions are assigned),
        # fetch the message (fetches wait at most 100 ms) and get stuck in the fold.
        log = tmp_path / "worker.log"
        until_sync(
            lambda: "Worker ready" in log.read_text(errors="replace"),
            timeout_s=60,
            what="worker joined its consumer group",
        )
        time.sleep(FETCH_AND_FOLD_S)
        took = worker.stop(timeout=20)
        assert took < 10, f"worker needed {took:.1f} s to stop"
    finally:
        db.rollback()
        db.close()
        worker.kill()
