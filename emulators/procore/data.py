"""Seeded, deterministic data for the emulator: a German general contractor on Procore.

Records are stored as the JSON dicts the API returns (money as decimal strings, quantities as
numbers, ISO timestamps). Scoping (company, project, commitment kind) is kept beside each record
in a :class:`Row`, never inside the JSON. Attachment URLs are stored as paths and made absolute
when served.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from emulators.procore import names
from emulators.procore.clock import Clock, SystemClock
from emulators.procore.records import RecordFactory

Json = dict[str, Any]
Resource = Literal["vendor", "commitment", "requisition", "direct_cost"]


@dataclass(frozen=True)
class Size:
    """How much data to generate."""

    companies: int = 1
    projects: int = 3
    vendors: int = 24
    commitments: int = 6  # per project
    requisitions: int = 8  # per project
    direct_costs: int = 10  # per project

    @classmethod
    def parse(cls, size: str | int | Size) -> Size:
        """``small``/``medium``/``large``, a number (≈ records per project), or a Size."""
        if isinstance(size, Size):
            return size
        if isinstance(size, int) or str(size).isdigit():
            n = max(8, int(size))
            return cls(1, 2, max(24, n // 10), max(4, n // 8), max(6, n // 4), max(4, n // 2))
        presets = {
            "small": cls(),
            "medium": cls(2, 5, 60, 12, 20, 30),
            "large": cls(2, 8, 200, 40, 120, 200),
        }
        try:
            return presets[str(size)]
        except KeyError:
            raise ValueError(
                f"unknown emulator size {size!r}: use small, medium, large or a number"
            ) from None


@dataclass
class Row:
    """One stored record and where it lives."""

    company_id: int
    project_id: int | None
    data: Json
    kind: str | None = None  # commitments: purchase_order_contract | work_order_contract


@dataclass
class EmulatorState:
    """Everything the emulator serves; mutate only through ``mutations`` so webhooks fire."""

    seed: int
    size: Size
    clock: Clock
    companies: dict[int, Json] = field(default_factory=dict)
    projects: dict[int, Row] = field(default_factory=dict)
    line_item_types: dict[int, list[Json]] = field(default_factory=dict)  # by company
    tax_codes: dict[int, list[Json]] = field(default_factory=dict)  # by company
    cost_codes: dict[int, list[Json]] = field(default_factory=dict)  # by project
    rows: dict[Resource, dict[int, Row]] = field(
        default_factory=lambda: {
            r: {} for r in ("vendor", "commitment", "requisition", "direct_cost")
        }
    )
    files: dict[int, list[str]] = field(default_factory=dict)  # attachment id → PDF text lines
    hooks: dict[int, Json] = field(default_factory=dict)
    triggers: dict[int, list[Json]] = field(default_factory=dict)  # by hook id
    listeners: list[Callable[[Any], None]] = field(default_factory=list)
    factory: RecordFactory = field(init=False)

    def now_iso(self) -> str:
        return datetime.fromtimestamp(self.clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def project_ids(self, company_id: int | None = None) -> list[int]:
        return [p for p, row in self.projects.items() if company_id in (None, row.company_id)]

    def vendors_of(self, company_id: int) -> list[Row]:
        return [r for r in self.rows["vendor"].values() if r.company_id == company_id]


def generate(
    seed: int = 7, size: str | int | Size = "small", clock: Clock | None = None
) -> EmulatorState:
    """Build the same data for the same (seed, size), every time."""
    spec = Size.parse(size)
    rng = random.Random(seed)
    state = EmulatorState(seed=seed, size=spec, clock=clock or SystemClock())
    factory = RecordFactory(rng, state.files)
    state.factory = factory
    start = datetime(2026, 9, 1, 7, 0, tzinfo=UTC)

    def stamp() -> str:
        moment = start + timedelta(minutes=rng.randrange(0, 75 * 24 * 60))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    for c in range(spec.companies):
        company_id = 4281379 + c * 1000
        state.companies[company_id] = {
            "id": company_id,
            "name": names.COMPANIES[c % len(names.COMPANIES)],
            "is_active": True,
            "my_company": False,
        }
        state.line_item_types[company_id] = factory.line_item_types(company_id)
        state.tax_codes[company_id] = factory.tax_codes(company_id)
        for _ in range(spec.vendors):
            vendor = factory.vendor(stamp())
            state.rows["vendor"][vendor["id"]] = Row(company_id, None, vendor)
        vendors = [row.data for row in state.vendors_of(company_id)]
        for p in range(spec.projects):
            project = factory.project(company_id, state.companies[company_id]["name"], p, stamp())
            project_id = project["id"]
            state.projects[project_id] = Row(company_id, project_id, project)
            codes = factory.cost_codes(project_id)
            state.cost_codes[project_id] = codes
            ctx = factory.context(
                codes, state.line_item_types[company_id], state.tax_codes[company_id]
            )
            for i in range(spec.commitments):
                kind = "work_order_contract" if i % 3 != 2 else "purchase_order_contract"
                data = factory.commitment(kind, rng.choice(vendors), ctx, i, stamp())
                state.rows["commitment"][data["id"]] = Row(company_id, project_id, data, kind)
            subcontracts = [
                r.data
                for r in state.rows["commitment"].values()
                if r.project_id == project_id and r.kind == "work_order_contract"
            ]
            for i in range(spec.requisitions):
                data = factory.requisition(subcontracts[i % len(subcontracts)], i, stamp())
                state.rows["requisition"][data["id"]] = Row(company_id, project_id, data)
            for i in range(spec.direct_costs):
                data = factory.direct_cost(rng.choice(vendors), ctx, i, stamp())
                state.rows["direct_cost"][data["id"]] = Row(company_id, project_id, data)
    return state
