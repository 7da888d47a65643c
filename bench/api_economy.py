"""§1 Procore API economy: backfill and incremental sync against the emulator, in process.

Measured in one process without Kafka, so the figures are the API calls alone: the poller
(``Poller.poll_once``) publishes into a list, every change goes through the fetch stage's
``ProcoreSnapshotter`` (one at a time, as the fetch agent does) and every invoice PDF is
downloaded the way the documents stage does (once, and only for a record whose status a
default mapping books). Calls are read from the emulator's counters:
``/rest/`` calls, PDF downloads from ``/prostore/`` (the redirect to storage is not a Procore
API call) and token requests.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.procore.client import ProcoreClient
from adapters.procore.clock import SystemClock
from bench.report import Figure, Report
from domain.changes import ProcoreChange
from domain.mapping import BookingSettings
from domain.planning import invoice_attachment
from domain.procore.needs import PARTIAL, ReadNeeds
from emulators.procore import run_procore_emulator
from emulators.procore.data import Size
from emulators.procore.runner import ProcoreEmulator
from streams.inputs.poll_units import NoKnownRecords
from streams.inputs.poller import Poller
from streams.inputs.snapshotter import ProcoreSnapshotter
from tests.support.fakes import InMemoryCursorStore

SECTION = "1 Procore API"
# The bookings a default mapping makes: what the fetch stage must read whole.
NEEDS = ReadNeeds.of([BookingSettings()])


class CountingClock(SystemClock):
    """Wall clock that adds up the client's sleeps (rate-limit pauses and retry back-off)."""

    def __init__(self) -> None:
        self.slept = 0.0

    async def sleep(self, seconds: float) -> None:
        self.slept += max(0.0, seconds)
        await super().sleep(seconds)


def size_for(records: int, projects: int) -> Size:
    """An emulator size with about ``records`` records spread over ``projects`` projects."""
    per_project = max(8, records // projects)
    return Size(
        companies=1,
        projects=projects,
        vendors=max(24, records // 50),
        commitments=max(3, per_project // 5),
        requisitions=max(3, per_project * 3 // 10),
        direct_costs=max(2, per_project // 2),
    )


@dataclass
class Sync:
    records: int
    api_calls: int
    token_calls: int
    pdfs: int
    floor: int
    seconds: float
    by_endpoint: Counter[str]
    not_found: int
    kept_as_listed: Counter[str]  # per resource: snapshots marked partial (status books nowhere)


def client_for(emu: ProcoreEmulator, clock: CountingClock) -> ProcoreClient:
    return ProcoreClient(
        base_url=emu.base_url,
        auth_url=emu.auth_url,
        client_id=emu.client_id,
        client_secret=emu.client_secret,
        clock=clock,
    )


def _pages(n: int, per_page: int = 100) -> int:
    return max(1, math.ceil(n / per_page))


def list_floor(emu: ProcoreEmulator, changed: dict[str, set[int]] | None = None) -> int:
    """⌈records/100⌉ per resource list (at least one page each), incl. reference lists."""
    state = emu.state

    def count(resource: str, project: int | None, kind: str | None = None) -> int:
        rows: Any = state.rows[resource]  # type: ignore[index]
        return sum(
            1
            for rid, r in rows.items()
            if r.project_id == project
            and (kind is None or r.kind == kind)
            and (changed is None or rid in changed.get(resource, set()))
        )

    total = _pages(count("vendor", None))
    if changed is None:
        total += 1  # tax codes (company)
    for project in emu.project_ids():
        total += _pages(count("requisition", project)) + _pages(count("direct_cost", project))
        for kind in ("purchase_order_contract", "work_order_contract"):
            total += _pages(count("commitment", project, kind))
        if changed is None:
            total += 1  # cost codes (project)
    return total


async def _sync(
    emu: ProcoreEmulator,
    poller: Poller,
    snapshotter: ProcoreSnapshotter,
    client: ProcoreClient,
    uploaded: set[str],
    changed: dict[str, set[int]] | None,
) -> Sync:
    emu.counters.reset()
    started = time.perf_counter()
    changes: list[ProcoreChange] = []

    async def publish(batch: Sequence[ProcoreChange]) -> None:
        changes.extend(batch)

    await poller.poll_once(publish)
    pdfs = 0
    kept: Counter[str] = Counter()
    for change in changes:
        snap = await snapshotter.snapshot(change)
        if (snap.context or {}).get(PARTIAL):
            kept[snap.ref.resource] += 1
        record = snap.record or {}
        attachment = invoice_attachment(record)
        if attachment is None or snap.key in uploaded:
            continue  # the documents stage uploads each record's PDF once
        if not NEEDS.books(snap.ref.resource, record):
            continue  # ... and only for records that book (an ignored draft's PDF stays put)
        async for _chunk in client.stream_attachment(attachment.url, company_id=emu.company_id):
            pass
        uploaded.add(snap.key)
        pdfs += 1
    counters = emu.counters
    tokens = counters.token_requests
    # Invoice downloads hit Procore's file service (counted) and redirect to storage (not).
    downloads = sum(n for k, n in counters.by_endpoint.items() if " /prostore/" in k)
    return Sync(
        records=len(changes),
        api_calls=counters.api_calls() + downloads,
        token_calls=tokens,
        pdfs=pdfs,
        floor=list_floor(emu, changed) + pdfs + tokens,
        seconds=time.perf_counter() - started,
        by_endpoint=Counter(counters.by_endpoint),
        not_found=counters.by_status.get(404, 0),
        kept_as_listed=kept,
    )


def _mutate(emu: ProcoreEmulator, fraction: float) -> dict[str, set[int]]:
    changed: dict[str, set[int]] = {}
    for resource in ("requisition", "direct_cost", "commitment", "vendor"):
        ids = sorted(emu.state.rows[resource])
        step = max(1, round(1 / fraction))
        for rid in ids[::step]:
            emu.update(resource, rid, description=f"bench edit {rid}")
            changed.setdefault(resource, set()).add(rid)
    return changed


def _per_window(emu: ProcoreEmulator) -> list[int]:
    """Rate-limited requests per fixed 10 s window (the emulator's spike windows), in order."""
    counts: Counter[int] = Counter(
        int(at // 10) for at, _m, endpoint, _s in emu.counters.log if endpoint.startswith("/rest/")
    )
    return [counts[w] for w in sorted(counts)]


def _endpoint_summary(by_endpoint: Counter[str]) -> str:
    top = by_endpoint.most_common(6)
    return ", ".join(f"`{k}` {v:,}" for k, v in top)


async def economy(report: Report, records: int, projects: int) -> None:
    size = size_for(records, projects)
    clock = CountingClock()
    async with run_procore_emulator(seed=7, size=size) as emu:
        client = client_for(emu, clock)
        scopes = [(emu.company_id, emu.project_ids())]
        poller = Poller(client, scopes, InMemoryCursorStore(), NoKnownRecords())
        codes = Path(tempfile.mkdtemp(prefix="mlc-bench-codes-")) / "procore-codes.json"
        snapshotter = ProcoreSnapshotter(client, codes_file=codes, needs=lambda: NEEDS)
        uploaded: set[str] = set()
        full = await _sync(emu, poller, snapshotter, client, uploaded, None)
        report.add(
            Figure(
                SECTION,
                f"backfill {full.records:,} records / {projects} projects: API + token calls",
                full.api_calls + full.token_calls,
                "calls",
                full.floor,
                "floor",
                target=1.1,
            )
        )
        report.note(
            SECTION,
            f"Backfill of {full.records:,} records ({full.pdfs:,} invoice PDFs) took "
            f"{full.seconds:.1f} s, {full.api_calls:,} API calls + {full.token_calls} token "
            f"call(s), {full.not_found:,} of them 404s; top endpoints: "
            f"{_endpoint_summary(full.by_endpoint)}.",
        )
        shows = {
            k: v
            for k, v in full.by_endpoint.items()
            if k.endswith("/{id}") and "/rest/" in k and "/requisitions/" not in k
        }
        report.note(
            SECTION,
            "Show calls left in the backfill: "
            + ", ".join(f"`{k}` {v:,}" for k, v in sorted(shows.items()))
            + ". These are the records a booking needs more of than Procore's lists carry:"
            " a bookable direct cost's line items and attachments (its list has neither; the"
            " project-wide line items list would still leave the attachments to the show), and"
            " the commitment of a bookable requisition (cost type and tax code per line: no"
            " list carries a contract's lines across a project). Kept as listed because their"
            " status books for no client: "
            + ", ".join(f"{v:,} × {k}" for k, v in sorted(full.kept_as_listed.items()))
            + " (a requisition's commitment is then not read). Requisitions come whole from"
            " the list's extended view, vendors from their list, each commitment is read once"
            " (no PO-then-WO 404 probe).",
        )
        await client.aclose()
        await clock.sleep(1.1)  # updated_at has second precision: leave the first window
        changed = _mutate(emu, 0.01)
        client = client_for(emu, clock)
        poller.client = client
        # A restarted worker: cold in-memory caches; cost/tax codes come from its data dir.
        snapshotter = ProcoreSnapshotter(client, codes_file=codes, needs=lambda: NEEDS)
        inc = await _sync(emu, poller, snapshotter, client, uploaded, changed)
        report.add(
            Figure(
                SECTION,
                f"incremental sync, {inc.records:,} changed (1 %), restarted worker",
                inc.api_calls + inc.token_calls,
                "calls",
                inc.floor,
                "floor",
                target=1.2,
            )
        )
        report.note(
            SECTION,
            f"Incremental: {sum(len(v) for v in changed.values()):,} records edited, "
            f"{inc.records:,} changes found, {inc.api_calls:,} API calls; top endpoints: "
            f"{_endpoint_summary(inc.by_endpoint)}.",
        )
        await client.aclose()


async def rate_limit(report: Report, records: int, spike: int) -> None:
    """Backfill under a 10-second spike limit: achieved rate vs the limit, and 429s.

    Every record is read whole here (no booking needs, as a worker without rules reads), so
    the small data set still presses against the limit."""
    clock = CountingClock()
    async with run_procore_emulator(seed=7, size=size_for(records, 4), spike_limit=spike) as emu:
        client = client_for(emu, clock)
        poller = Poller(
            client, [(emu.company_id, emu.project_ids())], InMemoryCursorStore(), NoKnownRecords()
        )
        # Align to a fresh spike window so the first one is not partly used already.
        await clock.sleep(10 - time.time() % 10)
        clock.slept = 0.0
        sync = await _sync(emu, poller, ProcoreSnapshotter(client), client, set(), None)
        await client.aclose()
        throttled = emu.counters.by_status.get(429, 0)
        limited = emu.counters.api_calls()  # only /rest/ calls count against the limit
        windows = _per_window(emu)
    limit_rate = spike / 10
    # Full 10 s windows only: a last partial window may legally hold a whole window's budget.
    full = windows[:-1] or windows
    rate = sum(full) / (10 * len(full))
    report.add(
        Figure(
            SECTION,
            f"busiest 10 s window, {spike}/10 s spike limit",
            max(windows, default=0),
            "req",
            spike,
            "limit",
            target=1.0,
        )
    )
    report.add(
        Figure(
            SECTION,
            f"mean rate over full windows, {spike}/10 s limit",
            rate,
            "req/s",
            limit_rate,
            "limit",
            target=1.0,
        )
    )
    report.add(
        Figure(
            SECTION,
            "429 responses (limit exceeded)",
            throttled,
            "",
            target=0,
            on_value=True,
        )
    )
    report.note(
        SECTION,
        f"Rate limit (every record read whole): {limited:,} rate-limited `/rest/` calls "
        f"(plus {sync.pdfs:,} PDF downloads, "
        f"which the limit does not count) in {sync.seconds:.1f} s "
        f"(per 10 s window: {', '.join(map(str, windows))}; limit {spike}); "
        f"the client slept {clock.slept:.1f} s ({clock.slept / sync.seconds:.0%} of the run) in "
        f"its throttle; {throttled} request(s) were refused with 429.",
    )
