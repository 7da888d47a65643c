"""The status page in a real headless Chromium: find a parked record, replay it, see it booked.

Needs Debian's chromium (`apt-get install -y chromium`); skipped with that hint when absent.
Screenshots go to the test's tmp dir; UPDATE_SCREENSHOTS=1 writes them into docs/ instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import DemoEnvironment, demo_environment
from streams.ledger.rules import load_rules
from streams.operator.actions import parked
from tests.integration.ops.test_status_page import break_mapping
from tests.support.browser import (
    CHROMIUM,
    LAUNCH_ARGS,
    ROOT,
    needs_chromium,
    signed_in_worker_env,
    worker_serving,
)
from tests.support.snapshots import all_snapshots, fold_each

TOKEN = "browser-test-token-0123456789"

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
]


@pytest.fixture
async def worker_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    async with demo_environment(tmp_path / "demo", "small", cadence="immediate") as demo:
        env = signed_in_worker_env(demo.worker_env(), TOKEN, monkeypatch)
        settings = Settings()
        _fold_with_a_gap_in_the_mapping(demo, settings, tmp_path)
        async with worker_serving(env, demo.web_port, tmp_path / "worker.log") as url:
            yield url


def _fold_with_a_gap_in_the_mapping(
    demo: DemoEnvironment, settings: Settings, tmp_path: Path
) -> None:
    """History: records folded while the mapping lacked a rule (so some are parked)."""
    ledger = build_ledger(settings, load_rules([break_mapping(demo, tmp_path)]))
    fold_each(ledger, all_snapshots(demo.procore.state))
    assert parked(ledger), "the broken mapping should park some records"
    ledger.close()


async def test_replay_a_parked_record_in_the_browser(worker_url: str, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    docs = ROOT / "docs" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 760})
        await page.goto(f"{worker_url}/status/")
        assert page.url.endswith("/status/login")
        assert await page.get_by_label("Passwort der Statusseite").count() == 1  # German default
        await page.get_by_role("link", name="English").click()  # the switch; a cookie keeps it
        await page.wait_for_url("**/status/login?lang=en")
        await page.get_by_label("Status page password").fill(TOKEN)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url("**/status/")
        assert "logged in, valid until" in await page.content()

        await page.get_by_role("link", name="Parked").first.click()
        replay_buttons = page.get_by_role("button", name="Replay")
        count = await replay_buttons.count()
        assert count > 0
        first = await replay_buttons.first.get_attribute("aria-label")
        assert first is not None
        key = first.removeprefix("Replay ")
        await page.screenshot(path=str(docs / "status-parked.png"), full_page=False)
        await replay_buttons.first.click()
        await page.wait_for_url("**/status/records/*replayed=1")
        assert "Replay requested" in await page.content()

        booked = False
        for _ in range(60):  # the worker seals (cadence immediate) and submits to DATEV
            await page.goto(f"{worker_url}/status/records/{key}")
            text = await page.content()
            if "LinesBatched" in text and '<span class="ok">batched</span>' in text:
                booked = True
                break
            await asyncio.sleep(0.5)
        assert booked, text
        await page.screenshot(path=str(docs / "status-record.png"), full_page=False)

        await page.goto(f"{worker_url}/status/parked")
        left = page.get_by_role("button", name="Replay")
        labels = [await left.nth(i).get_attribute("aria-label") for i in range(await left.count())]
        # The replayed record left the list; the worker may have rebooked other parked records
        # meanwhile (its first poll refolds them), so the list can shrink by more than one.
        assert f"Replay {key}" not in labels and len(labels) <= count - 1, labels
        await page.goto(f"{worker_url}/status/")
        await page.screenshot(path=str(docs / "status-page.png"), full_page=True)
        await browser.close()
    stamp = datetime.now().timestamp() - (docs / "status-page.png").stat().st_mtime
    assert stamp < 60
