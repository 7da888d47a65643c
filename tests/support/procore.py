"""The Procore emulator on a manual clock and clients for it (real HTTP on loopback)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.procore.client import ProcoreClient
from adapters.procore.retry import RetryPolicy
from emulators.procore import ProcoreEmulator, run_procore_emulator
from tests.support.fakes import ManualClock


def client_for(emu: ProcoreEmulator, max_attempts: int = 5, **overrides: Any) -> ProcoreClient:
    """A client on the emulator's clock with seeded jitter; keyword overrides win."""
    options: dict[str, Any] = {
        "base_url": emu.base_url,
        "auth_url": emu.auth_url,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
        "clock": emu.clock,
        "rng": random.Random(3),
        "timeout_s": 5.0,
        "retry": RetryPolicy(max_attempts=max_attempts, rng=random.Random(4)),
    }
    options.update(overrides)
    return ProcoreClient(**options)


def first_project(emu: ProcoreEmulator) -> int:
    return emu.project_ids(emu.company_id)[0]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def emu(clock: ManualClock) -> AsyncIterator[ProcoreEmulator]:
    async with run_procore_emulator(seed=7, size="small", clock=clock) as running:
        yield running
