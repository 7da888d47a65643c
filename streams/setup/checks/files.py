"""Data at rest: the data directory and everything in it private to the connector's user."""

from __future__ import annotations

from streams.config.datadir import describe_exposed, write_problem
from streams.setup.checks.base import Check, DoctorContext, fail, ok, warn

ORDER = 5


async def run(ctx: DoctorContext) -> list[Check]:
    name = "data directory"
    path = ctx.settings.data_dir
    fix = "set MLC_DATA_DIR (data_dir) to a directory this user can write"
    if not path.exists():
        parent = next(p for p in path.absolute().parents if p.exists())  # "/" exists
        problem = write_problem(parent) if parent.is_dir() else "a file, not a directory"
        if problem is not None:
            return [fail(name, f"{path} cannot be created under {parent} ({problem})", fix)]
        return [warn(name, f"{path} does not exist yet", "the worker creates it (mode 700)")]
    problem = write_problem(path) if path.is_dir() else "a file"
    if problem is not None:
        return [fail(name, f"{path} is not a writable directory ({problem})", fix)]
    exposed = describe_exposed(path)
    if exposed is not None:
        detail, fix = exposed
        return [fail(name, detail, fix)]
    return [ok(name, f"{path}: private to this user (700, files 600)")]
