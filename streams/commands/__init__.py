"""CLI command modules; add a module and list it here to add a command group."""

from types import ModuleType

from streams.commands import (
    basics,
    datev,
    datev_emulator,
    demo,
    emulators,
    mapping,
    period,
    reconcile,
    topics,
    worker,
)

COMMAND_MODULES: list[ModuleType] = [
    basics,
    demo,
    worker,
    topics,
    mapping,
    datev,
    emulators,
    reconcile,
    period,
    datev_emulator,  # attaches `emulator datev` to the `emulator` group from `emulators`
]
