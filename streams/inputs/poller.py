"""The poller: incremental reads by ``updated_at`` and the daily sweep (a full re-read).

Webhooks can be lost (Procore drops deliveries after 12 h of failures), so the poller is the
safety net. Every company/project/resource has a high-water mark; each incremental read asks
for ``updated_at`` in ``(mark - overlap, now)`` and publishes one change per id; where the list
returns whole records (vendors, requisitions in the extended view) the change carries it. The
mark is saved only after the whole window was published (and read consistently, see
``poll_window``). The sweep lists every id and publishes them all, plus ``delete`` changes for
ids the aggregates know that Procore no longer returns; the deletion check does the latter
alone, every ``deletions_every_s``. A 403 backs the unit off (``streams.inputs.access``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from adapters.procore.client import ProcoreClient
from adapters.procore.errors import ProcoreError, ProcorePermissionError
from adapters.procore.reference import UpdatedRange
from domain.changes import ChangeSource, ProcoreChange, ResourceKind
from domain.procore.records import commitment_kind
from streams.inputs.access import AccessRegistry
from streams.inputs.cursors import CursorStore
from streams.inputs.poll_units import KnownRecords, PollReport, Progress, Unit
from streams.inputs.poll_window import MAX_PASSES, WindowPages
from streams.inputs.poller_schedule import incremental_due, sweep_due
from streams.inputs.webhook import Publisher

log = logging.getLogger(__name__)

PROJECT_RESOURCES: tuple[ResourceKind, ...] = ("requisition", "direct_cost", "commitment")
SWEEP_CURSOR = "procore:sweep"
# Lists that return the whole record (vendors; requisitions in the extended view): their
# changes carry it, so the fetch stage needs no show call. Direct cost and commitment lists
# lack line items and attachments (Procore's spec): their changes carry the listed record
# marked ``listed``, and the fetch stage reads the show only where a booking needs it.
LIST_CARRIES_RECORD: frozenset[str] = frozenset({"vendor", "requisition"})
LIST_SHAPE_ONLY: frozenset[str] = frozenset({"direct_cost", "commitment"})


class Poller:
    """Reads Procore for changes; the publisher is passed in (a topic, or a list in tests)."""

    def __init__(
        self,
        client: ProcoreClient,
        scopes: Sequence[tuple[int, Sequence[int]]],
        cursors: CursorStore,
        known: KnownRecords,
        *,
        overlap: timedelta = timedelta(minutes=2),
        sweep_at: str = "02:30",
        deletions_every_s: float = 3600.0,
        access: AccessRegistry | None = None,
        tz: tzinfo | None = None,
        chunk: int = 500,
        max_delete_fraction: float = 0.5,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.client = client
        self.scopes = [(company, list(projects)) for company, projects in scopes]
        self.cursors = cursors
        self.known = known
        self.overlap = overlap
        self.sweep_at = sweep_at
        self.deletions_every_s = deletions_every_s
        self.access = access or AccessRegistry()
        self.last_deletions: datetime | None = None
        self.tz = tz
        self.chunk = chunk
        self.max_delete_fraction = max_delete_fraction
        self.now = now or (lambda: datetime.fromtimestamp(client.clock.now(), UTC))
        self.last_incremental: datetime | None = None

    # -- schedule ---------------------------------------------------------------------------

    async def tick(self, publish: Publisher, interval_s: float) -> PollReport | None:
        """Run whatever is due: the sweep (daily, and on first start) or an incremental."""
        now = self.now()
        local = now.astimezone(self.tz) if self.tz is not None else now.astimezone()
        if sweep_due(local, self.cursors.get(SWEEP_CURSOR), self.sweep_at):
            report = await self.sweep_once(publish)
            # Marked even after failures (logged): retrying every tick would hammer Procore,
            # and incremental reads keep running in between.
            self.cursors.set(SWEEP_CURSOR, now)
            self.last_incremental = self.last_deletions = now
            return report
        if self.last_deletions is None:
            self.last_deletions = now  # a sweep ran (or runs) at start; count from here
        if incremental_due(now, self.last_deletions, self.deletions_every_s):
            self.last_deletions = now
            return await self.deletions_once(publish)
        if incremental_due(now, self.last_incremental, interval_s):
            report = await self.poll_once(publish)
            self.last_incremental = now
            return report
        return None

    # -- runs -------------------------------------------------------------------------------

    async def poll_once(self, publish: Publisher) -> PollReport:
        """Incremental read of every unit since its high-water mark (full read the first time)."""
        report = PollReport("incremental")
        async for unit in self._units(report):
            if self._backed_off(unit, report):
                continue
            started = self.now()
            mark = self.cursors.get(unit.cursor)
            window = None if mark is None else (mark - self.overlap, started)
            try:
                ids = await self._read(unit, window, publish, "poller", started)
            except ProcoreError as exc:
                self._failed(report, unit, exc)
                continue
            self.cursors.set(unit.cursor, started)  # only after the whole window is published
            self.access.granted(unit.key)
            report.units += 1
            report.published += ids
        self._log(report)
        return report

    async def sweep_once(self, publish: Publisher) -> PollReport:
        """Full read of every unit: publish all ids, and deletes for known ids now missing."""
        return await self._full_read(publish, publish_all=True)

    async def deletions_once(self, publish: Publisher) -> PollReport:
        """List every unit's ids (nothing re-fetched) and publish deletes for known ids now
        missing: deletions are found within the poll cadence even while webhooks are down."""
        return await self._full_read(publish, publish_all=False)

    async def _full_read(self, publish: Publisher, *, publish_all: bool) -> PollReport:
        report = PollReport("sweep" if publish_all else "deletions")
        source: ChangeSource = "sweep" if publish_all else "poller"
        async for unit in self._units(report):
            if self._backed_off(unit, report):
                continue
            started = self.now()
            seen: set[int] = set()
            try:
                listed = await self._read(
                    unit, None, publish if publish_all else None, source, started, seen
                )
            except ProcoreError as exc:
                self._failed(report, unit, exc)
                continue
            if publish_all:
                report.published += listed
            known = await asyncio.to_thread(
                self.known.known_ids, unit.company_id, unit.project_id, unit.resource
            )
            gone = sorted(known - seen)
            if gone and len(known) >= 10 and len(gone) > self.max_delete_fraction * len(known):
                report.failures.append(f"{unit.cursor}: {len(gone)} of {len(known)} missing")
                log.error(
                    "%s %s: Procore no longer returns %s of %s known records; not "
                    "treating them as deleted (a permission change looks like this). Check the "
                    "service account's access to the project, then delete them by replay.",
                    report.mode,
                    unit.cursor,
                    len(gone),
                    len(known),
                )
            elif gone:
                deletes = [unit.change(i, "delete", source, started) for i in gone]
                await publish(deletes)
                report.deletions += len(deletes)
                log.info(
                    "%s %s: %s record(s) deleted in Procore", report.mode, unit.cursor, len(gone)
                )
            if publish_all:
                self.cursors.set(unit.cursor, started)
            self.access.granted(unit.key)
            report.units += 1
        self._log(report)
        return report

    # -- helpers ----------------------------------------------------------------------------

    async def _units(self, report: PollReport) -> AsyncIterator[Unit]:
        for company_id, configured in self.scopes:
            projects = configured
            if not projects:
                try:
                    projects = [p.id async for p in self.client.list_projects(company_id)]
                except ProcoreError as exc:
                    self._failed(report, Unit(company_id, None, "vendor"), exc)
                    continue
            yield Unit(company_id, None, "vendor")
            for project_id in projects:
                for resource in PROJECT_RESOURCES:
                    yield Unit(company_id, project_id, resource)

    def _list(
        self, unit: Unit, window: UpdatedRange | None, pages: WindowPages
    ) -> AsyncIterator[dict[str, Any]]:
        c, p = unit.company_id, unit.project_id
        if unit.resource == "vendor":
            since = None if window is None else window[0]
            return self.client.list_vendors_raw(c, since, on_page=pages)
        assert p is not None
        if unit.resource == "requisition":
            # The extended view carries items: the list is the whole record, no show call.
            return self.client.list_requisitions_raw(c, p, window, on_page=pages, view="extended")
        if unit.resource == "direct_cost":
            return self.client.list_direct_costs_raw(c, p, window, on_page=pages)
        return self.client.list_commitments_raw(c, p, window, with_line_items=False, on_page=pages)

    async def _read(
        self,
        unit: Unit,
        window: UpdatedRange | None,
        publish: Publisher | None,
        source: ChangeSource,
        started: datetime,
        seen: set[int] | None = None,
    ) -> int:
        """Publish one change per id in the window (chunked); returns how many.

        A pass that may have skipped records (see ``poll_window``) is repeated; only ids not
        yet published are sent again. ``publish=None`` only collects the ids into ``seen``.
        """
        seen = set() if seen is None else seen
        previous: set[int] | None = None
        for attempt in range(1, MAX_PASSES + 1):
            pages = WindowPages()
            this_pass = await self._pass(unit, window, publish, source, started, seen, pages)
            if pages.consistent() or this_pass == previous:
                break
            log.info(
                "poller %s: the list changed while it was read (pass %s); reading it again",
                unit.cursor,
                attempt,
            )
            previous = this_pass
        return len(seen)

    async def _pass(
        self,
        unit: Unit,
        window: UpdatedRange | None,
        publish: Publisher | None,
        source: ChangeSource,
        started: datetime,
        seen: set[int],
        pages: WindowPages,
    ) -> set[int]:
        progress = Progress(f"{source} {unit.cursor}")
        pending: list[ProcoreChange] = []
        this_pass: set[int] = set()
        async for item in self._list(unit, window, pages):
            rid = item.get("id")
            if not isinstance(rid, int):
                continue
            this_pass.add(rid)
            if rid in seen:
                continue  # offset pages over a changing list can repeat rows
            seen.add(rid)
            if publish is None:
                continue
            kind = commitment_kind(item.get("type")) or item.get("kind")
            change = unit.change(rid, "update", source, started, kind)
            if unit.resource in LIST_CARRIES_RECORD:
                change = change.model_copy(update={"record": item})
            elif unit.resource in LIST_SHAPE_ONLY:
                change = change.model_copy(update={"record": item, "listed": True})
            pending.append(change)
            if len(pending) >= self.chunk:
                await publish(pending)
                progress.step(len(pending))
                pending = []
        if publish is not None:
            await publish(pending)
            progress.step(len(pending))
        return this_pass

    def _backed_off(self, unit: Unit, report: PollReport) -> bool:
        problem = self.access.backed_off(unit.key, self.now())
        if problem is not None:
            report.failures.append(f"{unit.cursor}: backed off: {problem.message}")
        return problem is not None

    def _failed(self, report: PollReport, unit: Unit, exc: ProcoreError) -> None:
        report.failures.append(f"{unit.cursor}: {exc}")
        if isinstance(exc, ProcorePermissionError):
            # A configuration problem: named (doctor, status page, log) and backed off.
            self.access.denied(
                company_id=unit.company_id,
                project_id=unit.project_id,
                resource=unit.resource,
                message=exc.procore_message or "",
                now=self.now(),
            )
        else:
            log.warning("poller %s: %s; the next run retries this window", unit.cursor, exc)

    def _log(self, report: PollReport) -> None:
        log.info(
            "%s poll: %s unit(s), %s change(s), %s deletion(s), %s failure(s)",
            report.mode,
            report.units,
            report.published,
            report.deletions,
            len(report.failures),
        )
