"""The demo environment (broker, both emulators, vault, DATEV login, mapping) for ops tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from streams.config.settings import Settings
from streams.demo.environment import DemoEnvironment, demo_environment

WEBHOOK_URL = "https://connector.example.test/webhooks/procore"


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[DemoEnvironment]:
    async with demo_environment(tmp_path / "demo", "small", cadence="manual") as env:
        yield env


@pytest.fixture
def demo_settings(
    demo: DemoEnvironment, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Settings]:
    """Settings as the worker of the demo sees them (environment variables), plus overrides."""

    def make(**env: str) -> Settings:
        values = {
            **demo.worker_env(),
            "MLC_PROCORE__WEBHOOK_URL": WEBHOOK_URL,
            "MLC_DEMO_MODE": "false",  # the tests exercise the page's authentication
            **env,
        }
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        return Settings()

    return make
