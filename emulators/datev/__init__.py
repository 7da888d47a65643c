"""A DATEV emulator on loopback: OAuth (PKCE), clients, EXTF jobs, DUO documents, faults."""

from emulators.datev.clock import EmulatorClock
from emulators.datev.extf_check import ClientChart
from emulators.datev.faults import Faults
from emulators.datev.server import DatevEmulator, run_datev_emulator
from emulators.datev.state import EmulatedClient, demo_client

__all__ = [
    "ClientChart",
    "DatevEmulator",
    "EmulatedClient",
    "EmulatorClock",
    "Faults",
    "demo_client",
    "run_datev_emulator",
]
