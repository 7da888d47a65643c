"""CLI command modules; add a module and list it here to add a command group."""

from types import ModuleType

from streams.commands import basics, datev, datev_emulator

COMMAND_MODULES: list[ModuleType] = [basics, datev, datev_emulator]
