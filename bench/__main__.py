"""``python -m bench [--quick | --tiny] [--large] [--only 1,2,...] [--out docs/performance.md]``."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from adapters.kafka.admin import ensure_topics
from adapters.kafka.embedded import EmbeddedBroker
from bench import api_economy, extf_writer, latency, pipeline
from bench.docs import write_markdown
from bench.kafka_tools import aiokafka_floor, produce
from bench.report import Figure, Report, text_table
from streams.topics import ALL_TOPICS, PROCORE_RECORDS


@dataclass(frozen=True)
class Sizes:
    name: str
    api_records: int
    api_projects: int
    rate_records: int
    rate_spike: int
    extf_lines: int
    pipe_records: int
    pipe_projects: int
    big_records: int
    latency_events: int
    huge_records: int = 0  # a third §5 size (--large): memory must stay flat up to it
    postgres: bool = True
    two_workers: bool = True


PROFILES = {
    "tiny": Sizes("tiny", 200, 4, 0, 0, 500, 300, 4, 0, 0, postgres=False, two_workers=False),
    "quick": Sizes("quick", 2_000, 10, 120, 100, 20_000, 2_000, 10, 6_000, 30),
    "default": Sizes("default", 10_000, 50, 300, 200, 50_000, 10_000, 50, 30_000, 200),
}


async def run_pipeline_sections(report: Report, sizes: Sizes, workdir: Path) -> None:
    sec2, sec5, sec6 = "2 pipeline", "5 memory", "6 scale-out"
    data = await pipeline.dataset(workdir / "data", sizes.pipe_records, sizes.pipe_projects)
    with EmbeddedBroker(workdir / "kafka") as broker:
        servers = broker.bootstrap_servers
        await ensure_topics(servers, ALL_TOPICS)
        ends = await produce(servers, PROCORE_RECORDS.name, data.messages)
        n = data.records
        raw = await aiokafka_floor(servers, PROCORE_RECORDS.name, n, "bench-raw")
        agent = await pipeline.count_agent(servers, n, workdir, app_id="bench-count")
        report.add(
            Figure(sec2, "trivial faust agent (counts only)", agent, "msg/s", raw, "plain aiokafka")
        )
        sqlite = await pipeline.run_pipeline(
            servers, data, ends, pipeline.Store(workdir / "sqlite"), app_id="bench-sqlite"
        )
        report.add(
            Figure(sec2, f"records → sealed EXTF, SQLite ({n:,})", sqlite.rate, "rec/s",
                   agent, "trivial agent", target=0.5, goal="max")
        )  # fmt: skip
        report.add(
            Figure(sec2, "records → folded only, SQLite", sqlite.fold_rate, "rec/s",
                   agent, "trivial agent", target=0.5, goal="max")
        )  # fmt: skip
        report.note(
            sec2,
            f"{n:,} snapshots ({sqlite.sealed_lines:,} booking lines sealed, "
            f"{sqlite.notifications:,} stored events) on {len(ends)} partitions; plain aiokafka "
            f"{raw:,.0f} msg/s. Rates run from the first committed fold batch to the last "
            "partition's tracking row (folded) / the batcher's tracking row (sealed).",
        )
        pg_run = None
        if sizes.postgres and pipeline.postgres_available():
            with pipeline.throwaway_postgres() as db:
                pg_run = await pipeline.run_pipeline(
                    servers, data, ends, pipeline.Store(workdir / "pg", db), app_id="bench-pg"
                )
            report.add(
                Figure(sec2, f"records → sealed EXTF, PostgreSQL ({n:,})", pg_run.rate, "rec/s",
                       agent, "trivial agent", target=0.3, goal="max")
            )  # fmt: skip
        if sizes.two_workers:
            await _two_workers(report, sec6, servers, data, ends, workdir, pg_run or sqlite)
        report.add(
            Figure(sec5, f"worker peak RSS at {n:,} records (SQLite)", sqlite.peak_rss_mb, "MB")
        )
    previous, label = sqlite, f"{n:,} records"
    for records in (sizes.big_records, sizes.huge_records):
        if not records:
            continue
        run = await _sized_run(sizes, records, workdir / f"big-{records}")
        report.add(
            Figure(sec5, f"worker peak RSS at {records:,} records", run.peak_rss_mb, "MB",
                   previous.peak_rss_mb, label)
        )  # fmt: skip
        report.add(
            Figure(sec5, f"RSS growth {label} → {records:,}", run.peak_rss_mb
                   - previous.peak_rss_mb, "MB", target=30, on_value=True)
        )  # fmt: skip
        report.add(
            Figure(sec5, f"throughput at {records:,} records", run.rate, "rec/s",
                   previous.rate, label)
        )  # fmt: skip
        previous, label = run, f"{records:,}"


async def _sized_run(sizes: Sizes, records: int, workdir: Path) -> pipeline.PipelineRun:
    """The SQLite pipeline on its own broker with ``records`` snapshots (§5)."""
    data = await pipeline.dataset(workdir / "data", records, sizes.pipe_projects)
    with EmbeddedBroker(workdir / "kafka") as broker:
        servers = broker.bootstrap_servers
        await ensure_topics(servers, ALL_TOPICS)
        ends = await produce(servers, PROCORE_RECORDS.name, data.messages)
        return await pipeline.run_pipeline(
            servers, data, ends, pipeline.Store(workdir / "sqlite"), app_id="bench-big"
        )


async def _two_workers(
    report: Report,
    section: str,
    servers: str,
    data: pipeline.Dataset,
    ends: dict[int, int],
    workdir: Path,
    single: pipeline.PipelineRun,
) -> None:
    use_pg = pipeline.postgres_available()
    if use_pg:
        with pipeline.throwaway_postgres() as db:
            store = pipeline.Store(workdir / "two", db)
            two = await pipeline.run_pipeline(
                servers, data, ends, store, app_id="bench-two", workers=2
            )
    else:
        store = pipeline.Store(workdir / "two")
        two = await pipeline.run_pipeline(servers, data, ends, store, app_id="bench-two", workers=2)
    report.add(
        Figure(section, f"2 workers, one group, {len(ends)} partitions ({store.label})", two.rate,
               "rec/s", single.rate, "1 worker", target=1.8, goal="max")
    )  # fmt: skip
    report.add(
        Figure(section, "record versions folded, 2 workers", two.registered + two.observed,
               "events", single.registered + single.observed, "1 worker", target=1.0)
    )  # fmt: skip
    report.note(
        section,
        f"Nothing processed twice: for {data.records:,} input messages, 2 workers registered "
        f"{two.registered:,} records and observed {two.observed:,} versions; 1 worker "
        f"{single.registered:,} and {single.observed:,} (tracking rows reject a second fold of an "
        f"offset). Total stored events differ ({two.notifications:,} vs "
        f"{single.notifications:,}) only because sealing ran at other moments and cut the lines "
        "into a different number of batches."
        + (
            f" {single.registered - two.registered:,} record(s) missing with 2 workers: parked "
            "after repeated failed folds (the worker logs name them)."
            if two.registered < single.registered
            else ""
        ),
    )


async def run_latency(report: Report, sizes: Sizes, workdir: Path) -> None:
    section = "4 latency"
    results = {}
    for timers in (True, False):
        results[timers] = await latency.measure(
            workdir / f"latency-{int(timers)}", sizes.latency_events, rate=5.0, timers=timers
        )
    before, after = (latency.summary(results[x]["latencies"]) for x in (True, False))
    for q in ("p50", "p95", "p99"):
        report.add(
            Figure(section, f"webhook → DATEV job, {q} (cadence immediate)", after[q], "s",
                   before[q], "1 s stage timers", target=1.5 if q == "p95" else None,
                   on_value=True)
        )  # fmt: skip
    report.add(
        Figure(section, "webhook endpoint, 10 clients × 5 s", results[False]["webhook_rps"],
               "req/s", results[True]["webhook_rps"], "same, other run")
    )  # fmt: skip
    report.note(
        section,
        f"{results[False]['sent']} edits of approved direct costs at 5/s per run (each a "
        "reversal and a rebooking) after the backfill settled; measured from the edit (the "
        "emulator posts the webhook at once) to the batch's Buchungsstapel `JobSubmitted` event. "
        "Baseline: the same worker with the stage wake-ups off (seal and submit on their 1 s "
        "ticks, batches submitted one after another). Webhook load: "
        f"p99 {results[False]['webhook_p99_ms']:.0f} ms; the load events name a resource the "
        "connector ignores, so they are authenticated and parsed but not published. "
        + _steps_note(results),
    )


def _steps_note(results: dict[bool, dict[str, Any]]) -> str:
    parts = []
    for timers, label in ((False, "with wake-ups"), (True, "1 s timers")):
        med = latency.step_medians(results[timers]["steps"])
        if med:
            parts.append(
                f"{label}: edit → lines planned {med['planned']:.2f} s, → sealed "
                f"{med['sealed']:.2f} s, → Buchungsstapel submitted {med['submitted']:.2f} s"
            )
    return f"Medians per step ({'; '.join(parts)})." if parts else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help="smaller sizes (~5 min)")
    group.add_argument("--tiny", action="store_true", help="smoke sizes (CI)")
    parser.add_argument("--large", action="store_true", help="100k records (§1, third §5 size)")
    parser.add_argument("--only", default="1,2,3,4,5,6", help="sections to run, e.g. 1,3")
    parser.add_argument("--latency-events", type=int, default=None)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="markdown file (default: none for --tiny, docs/performance.md otherwise)",
    )
    args = parser.parse_args(argv)
    sizes = PROFILES["tiny" if args.tiny else "quick" if args.quick else "default"]
    if args.large:
        sizes = replace(sizes, api_records=100_000, huge_records=100_000)
    if args.latency_events is not None:
        sizes = replace(sizes, latency_events=args.latency_events)
    only = {s.strip() for s in args.only.split(",")}
    report = Report(profile=sizes.name)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mlc-bench-") as tmp:
        asyncio.run(run_all(report, sizes, only, Path(tmp)))
    report.seconds = time.monotonic() - started
    print(text_table(report))
    out = args.out or (None if args.tiny else Path("docs/performance.md"))
    if out is not None:
        write_markdown(report, out)
        print(f"\nwrote {out} ({report.seconds:.0f} s)", file=sys.stderr)
    return 0


async def run_all(report: Report, sizes: Sizes, only: set[str], workdir: Path) -> None:
    if "3" in only:
        extf_writer.run(report, sizes.extf_lines)
    if "1" in only:
        await api_economy.economy(report, sizes.api_records, sizes.api_projects)
        if sizes.rate_records:
            await api_economy.rate_limit(report, sizes.rate_records, sizes.rate_spike)
    if only & {"2", "5", "6"}:
        await run_pipeline_sections(report, sizes, workdir)
    if "4" in only and sizes.latency_events:
        await run_latency(report, sizes, workdir)


if __name__ == "__main__":
    sys.exit(main())
