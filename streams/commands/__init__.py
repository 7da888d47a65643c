"""CLI command modules; add a module and list it here to add a command group."""

from types import ModuleType

from streams.commands import basics, mapping

COMMAND_MODULES: list[ModuleType] = [basics, mapping]
