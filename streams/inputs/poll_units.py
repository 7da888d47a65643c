"""What the poller reads and reports: units (company, project, resource), their changes, the
records the store knows (for deletions), a run's report and its progress log."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from domain.changes import ChangeAction, ChangeSource, ProcoreChange, RecordRef, ResourceKind

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 5.0


class KnownRecords(Protocol):
    """Ids of records the event store has aggregates for (deletion detection)."""

    def known_ids(
        self, company_id: int, project_id: int | None, resource: ResourceKind
    ) -> set[int]: ...


class NoKnownRecords:
    """Knows nothing: a sweep then finds no deletions (until the store is wired)."""

    def known_ids(
        self, company_id: int, project_id: int | None, resource: ResourceKind
    ) -> set[int]:
        return set()


@dataclass
class PollReport:
    mode: Literal["incremental", "sweep", "deletions"]
    published: int = 0
    deletions: int = 0
    units: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Unit:
    """One company/project/resource read (project None for company-level vendors)."""

    company_id: int
    project_id: int | None
    resource: ResourceKind

    @property
    def key(self) -> str:
        project = "-" if self.project_id is None else str(self.project_id)
        return f"{self.company_id}:{project}:{self.resource}"

    @property
    def cursor(self) -> str:
        return f"procore:{self.key}"

    def change(
        self,
        rid: int,
        action: ChangeAction,
        source: ChangeSource,
        observed_at: datetime,
        kind: Any = None,
    ) -> ProcoreChange:
        """The change of record ``rid`` of this unit (a commitment's kind when the list knew it)."""
        ref = RecordRef(
            company_id=self.company_id,
            project_id=self.project_id,
            resource=self.resource,
            resource_id=rid,
        )
        known = kind if kind in ("purchase_order_contract", "work_order_contract") else None
        return ProcoreChange(
            ref=ref, action=action, source=source, observed_at=observed_at, commitment_kind=known
        )


class Progress:
    """Logs a long read's count and rate every few seconds."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0
        self.started = self.last = time.monotonic()

    def step(self, n: int) -> None:
        self.count += n
        if time.monotonic() - self.last >= PROGRESS_EVERY_S:
            self.last = time.monotonic()
            log.info("%s: %s records so far (%.0f/s)", self.label, self.count, self.rate())

    def rate(self) -> float:
        return self.count / max(time.monotonic() - self.started, 1e-6)


def scopes_from_settings(
    company_ids: Sequence[int], project_ids: Sequence[int]
) -> list[tuple[int, list[int]]]:
    """Every configured company with the configured projects (empty = list them each run)."""
    return [(company, list(project_ids)) for company in company_ids]
