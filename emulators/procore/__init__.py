"""A faithful Procore API emulator on loopback (aiohttp) with fault injection and webhooks.

Use ``async with run_procore_emulator(seed=7, size="small") as emu:`` in tests, or the CLI
``ml-connector emulator procore`` to run it standalone.
"""

from emulators.procore.runner import ProcoreEmulator, run_procore_emulator

__all__ = ["ProcoreEmulator", "run_procore_emulator"]
