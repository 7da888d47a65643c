"""Worker entry points for the benchmarks, run as child processes.

``python -m bench.worker pipeline [--timers]`` runs the real ``ml-connector worker`` (settings
from ``MLC_*``); ``--timers`` turns the stage wake-ups off (stages run on their 1 s ticks only
and a submission round waits for a new job's first poll): the behaviour before the wake-ups,
as a same-run baseline.
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

from streams.agents.booking import BATCH_MAX, BATCH_WITHIN_S
from streams.config.settings import load_settings
from streams.faust_app import create_faust_app, declare_topic
from streams.topics import PROCORE_RECORDS


def _timers_only() -> None:
    import streams.bootstrap as bootstrap
    from streams.agents.runtime import Wakeup
    from streams.stages.submit import INLINE_FIRST_POLL_S, Submitter

    def silent(self: Wakeup) -> None:
        return None

    class InlinePolls(Submitter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "inline_first_poll_s": INLINE_FIRST_POLL_S})

    Wakeup.ring = silent  # type: ignore[method-assign]
    bootstrap.Submitter = InlinePolls  # type: ignore[misc]


def pipeline(timers: bool) -> None:
    from streams.commands.worker import run_worker

    if timers:
        _timers_only()
    run_worker(load_settings())


def count() -> None:
    settings = load_settings()
    servers = str(settings.kafka_bootstrap_servers)
    app = create_faust_app(settings, servers)
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
    timers = "--timers" in sys.argv
    sys.argv = sys.argv[:1]
    pipeline(timers) if mode == "pipeline" else count()
