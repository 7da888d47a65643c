"""Worker entry points for the benchmarks, run as child processes.

``python -m bench.worker pipeline [--low-wait]`` runs the real ``ml-connector worker`` (settings
from ``MLC_*``), optionally with the low fetch-wait consumer of ``streams.faust_transport``.
``python -m bench.worker count`` runs a faust app with the worker's own settings whose only agent
counts ``procore.records`` messages (same batching as the fold agent) and writes the first/last
arrival times to ``BENCH_OUT`` once it has seen ``BENCH_N`` messages.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import faust
import orjson

from streams.agents.fold import BATCH_MAX, BATCH_WITHIN_S
from streams.config.settings import Settings, load_settings
from streams.faust_app import create_faust_app, declare_topic
from streams.faust_transport import consumer_urls
from streams.topics import PROCORE_RECORDS


def _low_wait() -> None:
    import streams.bootstrap as bootstrap
    import streams.faust_app as faust_app

    original = faust_app.create_faust_app

    def patched(settings: Settings, bootstrap_servers: str, **overrides: Any) -> faust.App:
        urls = consumer_urls(bootstrap_servers)
        return original(settings, bootstrap_servers, broker_consumer=urls, **overrides)

    bootstrap.create_faust_app = patched  # type: ignore[attr-defined]


def pipeline(low_wait: bool) -> None:
    from streams.commands.worker import run_worker

    if low_wait:
        _low_wait()
    run_worker(load_settings())


def count(low_wait: bool) -> None:
    settings = load_settings()
    servers = str(settings.kafka_bootstrap_servers)
    extra = {"broker_consumer": consumer_urls(servers)} if low_wait else {}
    app = create_faust_app(settings, servers, **extra)
    topic = declare_topic(app, PROCORE_RECORDS)
    target = int(os.environ["BENCH_N"])
    out = Path(os.environ["BENCH_OUT"])
    seen = {"n": 0, "first": 0.0}

    @app.agent(topic, name="count", concurrency=1)  # type: ignore[untyped-decorator]
    async def counter(stream: Any) -> None:
        async for events in stream.take_events(BATCH_MAX, within=BATCH_WITHIN_S):
            if not seen["n"]:
                seen["first"] = time.time()
            seen["n"] += len(events)
            if seen["n"] >= target:
                out.write_bytes(
                    orjson.dumps({"n": seen["n"], "first": seen["first"], "last": time.time()})
                )

    worker = faust.Worker(app, loglevel="warn", quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()


if __name__ == "__main__":
    mode = sys.argv[1]
    low = "--low-wait" in sys.argv
    sys.argv = sys.argv[:1]
    pipeline(low) if mode == "pipeline" else count(low)
