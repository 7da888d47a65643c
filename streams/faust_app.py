"""Construction of the faust app from settings (no agents here; see ``streams/agents``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faust

from adapters.kafka.admin import TopicDecl
from streams.config.settings import Settings
from streams.faust_transport import consumer_urls

_FAUST_LOG_LEVEL = {"debug": "debug", "info": "info", "warn": "warn", "error": "error"}


def faust_log_level(settings: Settings) -> str:
    """faust spells the warning level ``warn``."""
    return _FAUST_LOG_LEVEL[settings.log_level]


def create_faust_app(settings: Settings, bootstrap_servers: str, **overrides: Any) -> faust.App:
    """A faust app wired to ``bootstrap_servers``; durable state lives in the event store."""
    datadir = Path(settings.data_dir) / "faust"
    datadir.mkdir(parents=True, exist_ok=True)
    servers = ";".join(f"kafka://{s.strip()}" for s in bootstrap_servers.split(","))
    session = settings.kafka_session_timeout_s
    conf: dict[str, Any] = {
        "broker": servers,
        # Consumers wait at most 100 ms per fetch (faust hard-codes 1,500 ms; see the module).
        "broker_consumer": consumer_urls(bootstrap_servers),
        "datadir": str(datadir),
        "web_host": settings.web_host,
        "web_port": settings.web_port,
        "web_bind": settings.web_host,
        "key_serializer": "raw",
        "value_serializer": "raw",
        # The embedded broker misreports "latest": always start from the committed/earliest offset.
        "consumer_auto_offset_reset": "earliest",
        # Defaults 10 s / 5 s / 1 s; tests shorten the session so restarts take over quickly.
        "broker_session_timeout": session,
        "broker_rebalance_timeout": session / 2,
        "broker_heartbeat_interval": min(1.0, session / 10),
        "broker_commit_interval": 1.0,
        "producer_linger": 0.005,
        # The relay produces ~3.5 events per record; aiokafka's default 16 kB batches made that
        # one produce request (and socket write) for every few events.
        "producer_max_batch_size": 512 * 1024,
        # Idempotent/transactional producers fail on the embedded broker; folds are idempotent.
        "processing_guarantee": "at_least_once",
        "store": "memory://",
        "table_standby_replicas": 0,
        "topic_replication_factor": 1,
    }
    conf.update(overrides)
    return faust.App(settings.app_id, **conf)


def declare_topic(app: faust.App, decl: TopicDecl) -> Any:
    """A faust topic for a declared topic (raw bytes keys and values)."""
    return app.topic(
        decl.name,
        partitions=decl.partitions,
        key_serializer="raw",
        value_serializer="raw",
    )
