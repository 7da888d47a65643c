"""Data at rest: the data directory and everything in it private to the connector's user."""

from __future__ import annotations

from streams.config.datadir import describe_exposed
from streams.setup.checks.base import Check, DoctorContext, fail, ok, warn

ORDER = 5


async def run(ctx: DoctorContext) -> list[Check]:
    name = "data directory"
    path = ctx.settings.data_dir
    if not path.exists():
        return [warn(name, f"{path} does not exist yet", "the worker creates it (mode 700)")]
    exposed = describe_exposed(path)
    if exposed is not None:
        detail, fix = exposed
        return [fail(name, detail, fix)]
    return [ok(name, f"{path}: private to this user (700, files 600)")]
