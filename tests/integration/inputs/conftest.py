"""Fixtures: the Procore emulator on a manual clock and a client for it (real HTTP, loopback)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.procore.client import ProcoreClient
from adapters.procore.clock import ManualClock
from adapters.procore.emulator import ProcoreEmulator, run_procore_emulator
from adapters.procore.retry import RetryPolicy


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def emu(clock: ManualClock) -> AsyncIterator[ProcoreEmulator]:
    async with run_procore_emulator(seed=7, size="small", clock=clock) as running:
        yield running


def client_for(emu: ProcoreEmulator, **overrides: Any) -> ProcoreClient:
    options: dict[str, Any] = {
        "base_url": emu.base_url,
        "auth_url": emu.auth_url,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "clock": emu.clock,
        "rng": random.Random(3),
        "timeout_s": 5.0,
        "retry": RetryPolicy(max_attempts=3, rng=random.Random(4)),
    }
    options.update(overrides)
    return ProcoreClient(**options)


@pytest.fixture
async def client(emu: ProcoreEmulator) -> AsyncIterator[ProcoreClient]:
    async with client_for(emu) as opened:
        yield opened
