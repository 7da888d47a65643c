"""Soak form of the crash suite (on demand, not in CI); writes its figures to docs/reliability.md.

    python -m tests.reliability.soak --kills 50 --records 10000 --seed 1

``--records`` is the number of bookable Procore records (requisitions + direct costs) the
emulator generates for the mapped company; vendors and commitments come on top. The run also
fuzzes the webhook receiver with ``--payloads`` random and hand-made nasty deliveries.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import orjson
from pydantic import SecretStr

from streams.inputs.webhook import WebhookReceiver
from tests.reliability.harness import CrashPlan, CrashReport, run_crash

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"
NASTY = ["=cmd|' /C calc'!A0", ';"', "🏗️", "Mu\u0308ller", "\x00", "9" * 400, "-1e308", ""]


async def fuzz_webhook(count: int, seed: int) -> tuple[int, dict[int, int]]:
    """Random deliveries into the receiver; returns (payloads, answers by status)."""
    rng = random.Random(seed)
    published: list[object] = []

    async def publish(changes: object) -> None:
        published.append(changes)

    receiver = WebhookReceiver(publish, SecretStr("soak"))  # type: ignore[arg-type]
    statuses: dict[int, int] = {}
    fields = ["id", "ulid", "timestamp", "company_id", "project_id", "event_type",
              "resource_name", "resource_id"]  # fmt: skip
    for _ in range(count):
        if rng.random() < 0.3:
            body = rng.randbytes(rng.randint(0, 300))
        else:
            event: dict[str, object] = {
                f: rng.choice([rng.randint(-(2**40), 2**40), rng.choice(NASTY), None, [], {}])
                for f in fields
                if rng.random() < 0.9
            }
            body = orjson.dumps(event if rng.random() < 0.7 else [event] * rng.randint(0, 5))
        answer = await receiver.receive("Bearer soak", body)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        if answer.status >= 500:
            raise AssertionError(f"webhook answered {answer.status} to {body[:200]!r}")
    return count, statuses


def bookable(per_project: int) -> tuple[int, int]:
    """(requisitions, direct costs) per project for an emulator size number (``Size.parse``)."""
    return max(6, per_project // 4), max(4, per_project // 2)


def render(report: CrashReport, payloads: int, statuses: dict[int, int], command: str) -> str:
    v = report.verdict
    phases = ", ".join(f"{k}: {n}" for k, n in sorted(report.phases.items(), key=lambda x: -x[1]))
    muts = ", ".join(f"{k} {n}" for k, n in sorted(report.mutations.items()))
    ok = "passed" if v.ok else "FAILED: " + "; ".join(v.problems[:5])
    return "\n".join(
        [
            BEGIN,
            f"Latest soak run ({datetime.now(UTC).isoformat(timespec='seconds')}), `{command}`:",
            "",
            "| figure | value |",
            "|---|---|",
            f"| verdict | {ok} |",
            f"| kills survived (SIGKILL + restart) | {report.kills} |",
            f"| kills by phase (event store at kill time) | {phases} |",
            f"| bookable records generated | {2 * sum(bookable(int(report.plan.size)))} "
            f"(2 projects × {bookable(int(report.plan.size))[0]} requisitions + "
            f"{bookable(int(report.plan.size))[1]} direct costs); "
            f"{v.approved_records} approved at the end |",
            f"| live changes during the kills | {sum(report.mutations.values())} ({muts}) |",
            f"| DATEV booking rows / batches / invoice PDFs | {v.booking_rows} / {v.batches} / "
            f"{v.documents} |",
            f"| lost | {len(v.lost)} |",
            f"| duplicates | {len(v.duplicated)} |",
            f"| parked (all with a reason) | {v.parked} |",
            f"| faults injected (Procore 429/5xx answers) | {report.faults_injected} |",
            f"| Procore API calls | {report.procore_api_calls} |",
            f"| webhook payloads fuzzed | {payloads} (answers {statuses}) |",
            f"| convergence after the last kill | {report.converge_s:.0f} s |",
            f"| duration | {report.duration_s:.0f} s |",
            f"| machine | {platform.node()}, {platform.machine()}, Python "
            f"{platform.python_version()}, {platform.system()} {platform.release()} |",
            END,
        ]
    )


def write_figures(block: str, doc: Path = DOC) -> None:
    text = doc.read_text(encoding="utf-8") if doc.exists() else f"{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    doc.write_text(head + block + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--mutations", type=int, default=0, help="default: kills × 10")
    parser.add_argument("--payloads", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900.0, help="final convergence bound")
    parser.add_argument("--no-write", action="store_true", help="do not update the doc")
    args = parser.parse_args(argv)
    per_project = max(8, round(args.records / 1.5))  # 2 projects × (n/4 + n/2) bookable
    plan = CrashPlan(
        seed=args.seed,
        kills=args.kills,
        size=str(per_project),
        mutations=args.mutations or args.kills * 10,
        converge_timeout_s=args.timeout,
    )
    workdir = Path(tempfile.mkdtemp(prefix="mlc-soak-"))
    try:
        report = asyncio.run(run_crash(workdir, plan))
        payloads, statuses = asyncio.run(fuzz_webhook(args.payloads, args.seed))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(report.describe())
    command = "python -m tests.reliability.soak " + " ".join(argv or sys.argv[1:])
    if not args.no_write:
        write_figures(render(report, payloads, statuses, command.strip()))
        print(f"figures written to {DOC}")
    return 0 if report.verdict.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
