"""``ml-connector doctor``: run every check module of :mod:`streams.setup.checks` in order.

A check never raises: whatever goes wrong becomes a red line with the fix a person can carry out;
an unexpected exception in a module becomes one red line naming it, and the others still run.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import cast

from streams.setup import checks as checks_package
from streams.setup.checks.base import Check, DoctorContext, fail

CheckRun = Callable[[DoctorContext], Awaitable[list[Check]]]


def check_modules() -> list[ModuleType]:
    """Every module under streams.setup.checks that defines ORDER and run, sorted by ORDER."""
    found: list[ModuleType] = []
    for info in pkgutil.iter_modules(checks_package.__path__):
        module = importlib.import_module(f"{checks_package.__name__}.{info.name}")
        if hasattr(module, "ORDER") and hasattr(module, "run"):
            found.append(module)
    return sorted(found, key=lambda m: (int(m.ORDER), m.__name__))


async def _guarded(module: ModuleType, ctx: DoctorContext) -> list[Check]:
    name = module.__name__.rsplit(".", 1)[-1].replace("_", " ")
    try:
        return await cast(CheckRun, module.run)(ctx)
    except Exception as exc:  # a check must never crash the checklist
        return [fail(name, f"unexpected {type(exc).__name__}: {exc}", "report this as a bug")]


async def run_doctor(ctx: DoctorContext) -> list[Check]:
    """Every check, in the order a person would fix things."""
    results: list[Check] = []
    for module in check_modules():
        results += await _guarded(module, ctx)
    return results
