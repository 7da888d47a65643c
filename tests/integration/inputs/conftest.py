"""Fixtures: the Procore emulator on a manual clock and a client for it (real HTTP, loopback)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.procore.client import ProcoreClient
from emulators.procore import ProcoreEmulator
from tests.support.procore import client_for, clock, emu, first_project  # noqa: F401 (fixtures)


@pytest.fixture
async def client(emu: ProcoreEmulator) -> AsyncIterator[ProcoreClient]:
    async with client_for(emu, max_attempts=3) as opened:
        yield opened
