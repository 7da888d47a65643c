"""CLI command modules; add a module and list it here to add a command group."""

from types import ModuleType

from streams.commands import (
    basics,
    datev,
    datev_emulator,
    datev_export,
    demo,
    doctor,
    emulators,
    init,
    mapping,
    period,
    reconcile,
    records,
    replay,
    review,
    topics,
    webhooks,
    worker,
)

COMMAND_MODULES: list[ModuleType] = [
    basics,
    init,
    demo,
    worker,
    doctor,
    webhooks,
    topics,
    mapping,
    records,
    datev_export,
    replay,
    review,
    reconcile,
    period,
    datev,
    emulators,
    datev_emulator,  # attaches `emulator datev` to the `emulator` group from `emulators`
]
