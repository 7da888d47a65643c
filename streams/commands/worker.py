"""``ml-connector worker``: run the stream worker."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import faust
import typer

from streams.bootstrap import build_worker, kafka_runtime
from streams.config.logging_setup import configure_logging
from streams.config.settings import Settings, load_settings
from streams.faust_app import faust_log_level
from streams.ledger.eventstore import describe_event_store

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


def run_worker(settings: Settings) -> None:
    """Run until SIGTERM/SIGINT; starts the embedded broker if no Kafka is configured."""
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
