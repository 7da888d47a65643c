"""``ml-connector worker``: run the stream worker."""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import os
import socket
import threading
from typing import Any

import faust
import typer

from adapters.kafka.admin import KafkaUnavailable, existing_partitions
from adapters.vault import VaultError, load_keys
from streams.bootstrap import build_worker, kafka_runtime
from streams.config.datadir import describe_exposed, ensure_data_dir
from streams.config.logging_setup import configure_logging
from streams.config.settings import Settings, load_settings
from streams.errors import ConnectorError
from streams.faust_app import faust_log_level
from streams.ledger.eventstore import check_postgres, describe_event_store

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 8.0


class _GuardedWorker(faust.Worker):  # type: ignore[misc]
    """A faust worker whose shutdown cannot hang: after SIGTERM/SIGINT it exits within a bound.

    faust can hang on shutdown after an agent crash loop or while a worker thread is blocked
    (e.g. on a locked database); offsets already committed stay committed and folds are
    idempotent, so a hard exit after the grace period loses nothing.
    """

    def _arm_watchdog(self) -> None:
        def _hard_exit() -> None:
            log.error("shutdown took longer than %.0f s; exiting hard", SHUTDOWN_GRACE_S)
            os._exit(3)

        timer = threading.Timer(SHUTDOWN_GRACE_S, _hard_exit)
        timer.daemon = True
        timer.start()

    def _on_sigterm(self) -> None:
        self._arm_watchdog()
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        self._arm_watchdog()
        super()._on_sigint()


def check_web_port(host: str, port: int) -> None:
    """Bind the web address once before anything starts: a busy port is one clear line."""
    where = f"web port {port} on {host}"
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConnectorError(
                    f"{where} is already in use (another worker or program listens there): "
                    "stop it, or set MLC_WEB_PORT to a free port"
                ) from None
            if exc.errno == errno.EACCES:
                raise ConnectorError(
                    f"{where} needs privileges this user lacks: set MLC_WEB_PORT above 1023"
                ) from None
            raise ConnectorError(
                f"cannot listen on {where} ({exc.strerror}): set MLC_WEB_HOST to an address of "
                "this machine (127.0.0.1, or 0.0.0.0 for every interface)"
            ) from None


def check_kafka(servers: str | None) -> None:
    """Reach a configured broker once, quietly: unreachable is our one line, not aiokafka's."""
    if servers is None:
        return
    noisy = logging.getLogger("aiokafka")
    level = noisy.level
    noisy.setLevel(logging.CRITICAL)
    try:
        asyncio.run(existing_partitions(servers))
    finally:
        noisy.setLevel(level)


def preflight(settings: Settings) -> None:
    """What must hold before the worker starts; warns when the data is readable by others."""
    ensure_data_dir(settings.data_dir)
    check_web_port(settings.web_host, settings.web_port)
    vault = settings.vault
    if vault.key is not None or vault.key_file is not None:
        try:
            load_keys(vault.key, vault.key_file)  # before the broker starts, not after
        except VaultError as exc:
            raise ConnectorError(f"{exc} (MLC_VAULT__KEY / MLC_VAULT__KEY_FILE)") from None
    if settings.uses_postgres and not os.environ.get("PERSISTENCE_MODULE"):
        check_postgres(settings)  # before the embedded broker starts: fail in a second
    exposed = describe_exposed(settings.data_dir)
    if exposed:
        log.warning("data directory %s: %s; %s", settings.data_dir, *exposed)


def run_worker(settings: Settings) -> None:
    """Run until SIGTERM/SIGINT; starts the embedded broker if no Kafka is configured."""
    preflight(settings)
    try:
        check_kafka(settings.kafka_bootstrap_servers)
        _run(settings)
    except KafkaUnavailable as exc:
        raise ConnectorError(
            f"{exc}; start the broker or correct MLC_KAFKA_BOOTSTRAP_SERVERS "
            "(unset it to run the embedded broker)"
        ) from None


# CPython collects its youngest generation every 700 net allocations and then looks at every
# object there; a fold allocates millions (decoded records, events, pydantic models) while the
# aggregate cache holds many long-lived ones. Every 50,000 took the worker's CPU per record from
# ~2.0 to ~1.55 ms (§2, SQLite, 10,404 records, two runs each) with the same peak RSS.
GC_THRESHOLDS = (50_000, 20, 20)


def _run(settings: Settings) -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    with kafka_runtime(settings) as servers:
        worker = build_worker(settings, servers)
        typer.echo(
            f"worker {settings.app_id}: Kafka {servers}"
            f"{' (embedded)' if settings.embedded_kafka else ''}, "
            f"event store {describe_event_store(settings)}, "
            f"web http://{settings.web_host}:{settings.web_port}",
            err=True,
        )
        guarded: Any = _GuardedWorker(
            worker.app,
            loglevel=faust_log_level(settings),
            quiet=True,
            redirect_stdouts=False,
            override_logging=False,  # keep our handlers (JSON lines / text, secret masking)
        )
        try:
            guarded.execute_from_commandline()
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise


def register(app: typer.Typer) -> None:
    @app.command()
    def worker() -> None:
        """Run the stream worker (webhooks, poller, folds, batches, DATEV submission)."""
        settings = load_settings()
        configure_logging(settings)
        run_worker(settings)
