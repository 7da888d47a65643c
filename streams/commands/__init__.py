"""CLI command modules; add a module and list it here to add a command group."""

from types import ModuleType

from streams.commands import basics, emulators

COMMAND_MODULES: list[ModuleType] = [basics, emulators]
