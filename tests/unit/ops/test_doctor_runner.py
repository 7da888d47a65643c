"""The doctor runner: finds every check module, runs them in ORDER, survives a crashing one."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from streams.config.settings import Settings
from streams.setup import doctor
from streams.setup.checks.base import Check, DoctorContext, ok


def _context(tmp_path: Path) -> DoctorContext:
    def no_ledger(settings: Settings) -> object:
        raise AssertionError("not used")

    return DoctorContext(
        settings=Settings(data_dir=tmp_path),
        build_procore=lambda settings, vault: None,
        build_ledger=no_ledger,  # type: ignore[arg-type]
    )


def test_modules_are_found_and_sorted_by_order() -> None:
    names = [m.__name__.rsplit(".", 1)[-1] for m in doctor.check_modules()]
    assert names[0] == "settings"
    for before, after in [("vault", "mapping"), ("mapping", "procore"), ("procore", "datev")]:
        assert names.index(before) < names.index(after)
    assert names.index("event_store") < names.index("backlog") and names[-1] == "backlog"
    orders = [m.ORDER for m in doctor.check_modules()]
    assert orders == sorted(orders)


async def test_a_crashing_module_is_one_red_line_and_the_rest_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def boom(ctx: DoctorContext) -> list[Check]:
        raise RuntimeError("kaputt")

    async def fine(ctx: DoctorContext) -> list[Check]:
        return [ok("later", "ran")]

    crashing = types.ModuleType("streams.setup.checks.crashing")
    crashing.ORDER, crashing.run = 1, boom  # type: ignore[attr-defined]
    later = types.ModuleType("streams.setup.checks.later_one")
    later.ORDER, later.run = 2, fine  # type: ignore[attr-defined]
    monkeypatch.setattr(doctor, "check_modules", lambda: [crashing, later])
    checks = await doctor.run_doctor(_context(tmp_path))
    assert [(c.name, c.verdict) for c in checks] == [("crashing", "fail"), ("later", "ok")]
    assert checks[0].detail == "unexpected RuntimeError: kaputt"
    assert checks[0].fix == "report this as a bug"
