"""The settings loaded (the command reports a settings failure itself, before any check runs)."""

from __future__ import annotations

from streams.setup.checks.base import Check, DoctorContext, ok

ORDER = 0


async def run(ctx: DoctorContext) -> list[Check]:
    return [ok("settings", "valid")]
