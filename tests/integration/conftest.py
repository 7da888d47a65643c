"""Fixtures shared by the integration tests: the in-process delivery stack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from streams.config.settings import Settings
from tests.support.delivery import DeliveryStack, delivery_stack


@pytest.fixture
async def stack(
    tmp_path: Path, sqlite_settings: Callable[..., Settings]
) -> AsyncIterator[DeliveryStack]:
    """Both emulators, the ledger on SQLite and the delivery stages (``tests.support.delivery``)."""
    async with delivery_stack(tmp_path, sqlite_settings()) as built:
        yield built
