"""A DATEV emulator on loopback: OAuth (PKCE), clients, EXTF jobs, DUO documents, faults."""

from adapters.datev.emulator.clock import EmulatorClock
from adapters.datev.emulator.extf_check import ClientChart
from adapters.datev.emulator.faults import Faults
from adapters.datev.emulator.server import DatevEmulator, run_datev_emulator
from adapters.datev.emulator.state import EmulatedClient, demo_client

__all__ = [
    "ClientChart",
    "DatevEmulator",
    "EmulatedClient",
    "EmulatorClock",
    "Faults",
    "demo_client",
    "run_datev_emulator",
]
