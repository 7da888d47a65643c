"""The demo's generated mapping must only list projects of the company it names."""

from __future__ import annotations

from pathlib import Path

from adapters.config_files import load_and_check
from emulators.procore import run_procore_emulator
from streams.demo.environment import _write_mapping


async def test_mapping_of_a_two_company_emulator_lists_only_its_company(tmp_path: Path) -> None:
    async with run_procore_emulator(seed=7, size="medium") as emu:
        assert len(emu.state.companies) == 2
        mapping, _, problems = load_and_check(_write_mapping(tmp_path, emu, "immediate"))
        assert mapping is not None and not problems
        own = set(emu.project_ids(emu.company_id))
        assert set(mapping.projects) == own
