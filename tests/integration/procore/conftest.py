"""Fixtures: a Procore emulator on loopback driven by a manual clock, and clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from adapters.procore.client import ProcoreClient
from emulators.procore import ProcoreEmulator
from tests.support.procore import client_for, clock, emu, first_project  # noqa: F401 (fixtures)

ClientFactory = Callable[..., ProcoreClient]


@pytest.fixture
async def client(emu: ProcoreEmulator) -> AsyncIterator[ProcoreClient]:
    async with client_for(emu, max_attempts=5) as opened:
        yield opened
