"""faust's worker keeps our log handler when built with ``override_logging=False``."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
from pathlib import Path

import faust
import orjson

from streams.config.logging_setup import configure_logging
from streams.config.settings import Settings


async def test_faust_worker_start_keeps_json_logs(tmp_path: Path) -> None:
    out = io.StringIO()
    configure_logging(Settings.model_validate({"log_format": "json"}), ["s3cret-xyz"], stream=out)
    app = faust.App("logtest", broker="kafka://127.0.0.1:1", datadir=str(tmp_path))
    worker = faust.Worker(
        app, loglevel="info", quiet=True, redirect_stdouts=False, override_logging=False
    )
    try:
        await worker.default_on_first_start()  # where faust would replace the root handlers
    finally:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2):
            loop.remove_signal_handler(sig)
    logging.getLogger("faust.worker").warning("started with s3cret-xyz")
    (line,) = [orjson.loads(x) for x in out.getvalue().splitlines()]
    assert line == {**line, "logger": "faust.worker", "msg": "started with ***"}
