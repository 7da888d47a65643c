"""Fault switches of the emulator, settable per test (``emu.faults``), over HTTP and from the CLI.

``*_next`` counters hit the next N API requests; ``*_rate`` values are probabilities drawn from
the emulator's seeded random generator, so a run with the same seed fails the same way.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Faults(BaseModel):
    """What goes wrong, and how often. All off by default."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    # API responses
    storm_429_next: int = Field(0, ge=0, description="next N API requests answer 429")
    rate_429: float = Field(0.0, ge=0, le=1, description="probability of a 429 per request")
    storm_reset_s: float = Field(2.0, gt=0, description="429s announce a reset this far ahead")
    burst_5xx_next: int = Field(0, ge=0, description="next N API requests answer 5xx")
    rate_5xx: float = Field(0.0, ge=0, le=1)
    status_5xx: Literal[500, 502, 503, 504] = 500
    retry_after_503_s: float | None = Field(1.0, ge=0, description="Retry-After sent with 503")
    slow_s: float = Field(0.0, ge=0, description="extra latency (real seconds) per request")
    slow_rate: float = Field(1.0, ge=0, le=1)
    drop_next: int = Field(0, ge=0, description="next N requests: connection closed, no answer")
    drop_rate: float = Field(0.0, ge=0, le=1)
    malformed_next: int = Field(0, ge=0, description="next N 200s carry a truncated JSON body")
    malformed_rate: float = Field(0.0, ge=0, le=1)
    forbidden_projects: list[int] = Field(default_factory=list, description="403 for these")
    disconnected_companies: list[int] = Field(
        default_factory=list, description="403 'App is not connected to this company'"
    )
    page_headers: Literal["link", "total", "none"] = Field(
        "link", description="list headers: Total+Per-Page+Link, Total+Per-Page only, or none"
    )
    edit_during_list: int | None = Field(
        None, description="this record is edited right after page 1 of its list is served"
    )
    delete_during_list: int | None = Field(
        None, description="this record is deleted right after page 1 of its list is served"
    )
    token_down_next: int = Field(0, ge=0, description="next N token requests answer 503")
    # webhook deliveries
    webhook_drop_rate: float = Field(0.0, ge=0, le=1, description="events never sent")
    webhook_duplicate_rate: float = Field(0.0, ge=0, le=1, description="events sent twice")
    webhook_delay_s: float = Field(0.0, ge=0, description="wait before each delivery")
    webhook_out_of_order: bool = Field(False, description="deliver each batch newest first")

    def take(self, counter: str, rate: str, rng: random.Random) -> bool:
        """Consume one of ``counter`` (a ``*_next`` field) or draw ``rate``: fire this fault now?"""
        left: int = getattr(self, counter)
        if left > 0:
            setattr(self, counter, left - 1)
            return True
        chance: float = getattr(self, rate)
        return chance > 0 and rng.random() < chance


FAULT_ALIASES = {"storm_429": "storm_429_next", "burst_5xx": "burst_5xx_next"}


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """CLI ``--fault rate_5xx=0.2 --fault forbidden_projects=20252,20253`` → field values."""
    values: dict[str, Any] = {}
    fields = Faults.model_fields
    for item in items:
        name, sep, raw = item.partition("=")
        name = FAULT_ALIASES.get(name.strip(), name.strip())
        if not sep or name not in fields:
            raise ValueError(
                f"bad fault {item!r}: use name=value with one of {', '.join(sorted(fields))}"
            )
        if name in ("edit_during_list", "delete_during_list"):
            values[name] = int(raw)
        elif name in ("forbidden_projects", "disconnected_companies"):
            values[name] = [int(p) for p in raw.split(",") if p.strip()]
        elif name == "webhook_out_of_order":
            values[name] = raw.strip().lower() in ("1", "true", "yes", "on")
        else:
            values[name] = raw.strip()
    Faults.model_validate(values)  # fail early with pydantic's message
    return values
