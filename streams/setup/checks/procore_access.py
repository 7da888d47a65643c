"""Procore permissions the poller found missing (403 per company/project/tool), by name."""

from __future__ import annotations

import asyncio

from streams.inputs.access import ACCESS_FILE, read_access_problems
from streams.setup.checks.base import Check, DoctorContext, fail, ok

ORDER = 31  # right after the live Procore checks


async def run(ctx: DoctorContext) -> list[Check]:
    path = ctx.settings.data_dir / ACCESS_FILE
    problems = await asyncio.to_thread(read_access_problems, path)
    if not problems:
        return [ok("procore access", "the poller was refused nothing")]
    return [fail(f"procore access {p.key}", p.message, p.fix) for p in problems]
