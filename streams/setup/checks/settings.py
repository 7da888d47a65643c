"""The settings loaded (the command reports a settings failure itself, before any check runs);
settings nobody reads (typos) are a warning with the closest valid name."""

from __future__ import annotations

from streams.config.typos import unknown_settings
from streams.setup.checks.base import Check, DoctorContext, ok, warn

ORDER = 0


async def run(ctx: DoctorContext) -> list[Check]:
    unknown = unknown_settings()
    if unknown:
        return [warn("settings", "valid, but " + "; ".join(unknown), "fix the names above")]
    return [ok("settings", "valid")]
