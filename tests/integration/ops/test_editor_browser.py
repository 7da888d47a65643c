"""The mapping editor in headless Chromium: accept a suggestion for an unmapped pair, replay
its parked records from the page, and see them booked (the worker runs with the edited file).

Screenshots go to the test's tmp dir; UPDATE_SCREENSHOTS=1 writes them into docs/ instead.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import demo_environment
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

TOKEN = "editor-browser-token-0123456789"

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
]


@pytest.fixture
async def worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A worker whose mapping lacks the labour default: labour lines are parked."""
    async with demo_environment(tmp_path / "demo", "small", cadence="immediate") as demo:
        broken = break_mapping(demo, tmp_path)
        env = signed_in_worker_env(demo.worker_env(), TOKEN, monkeypatch, broken)
        ledger = build_ledger(Settings(), load_rules([broken]))
        fold_each(ledger, all_snapshots(demo.procore.state))
        assert parked(ledger)
        ledger.close()
        async with worker_serving(env, demo.web_port, tmp_path / "worker.log") as url:
            yield url


async def test_map_a_pair_from_a_suggestion_and_replay_its_parked_records(
    worker: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    docs = ROOT / "docs" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        await page.goto(f"{worker}/status/login")
        await page.get_by_label("Passwort der Statusseite").fill(TOKEN)  # German by default
        await page.get_by_role("button", name="Anmelden").click()
        await page.wait_for_url("**/status/")

        await page.get_by_role("link", name="Zuordnung").click()
        await page.wait_for_url("**/status/mapping")
        accept = page.get_by_role(
            "button", name=re.compile(r"^3100 Fremdleistungen für \S+ . L übernehmen$")
        ).first
        label = await accept.get_attribute("aria-label")
        assert label is not None
        code = label.split(" für ", 1)[1].split(" / ", 1)[0]
        row = page.locator(f'tr[id="pair:{code}:L"]')
        assert "nicht zugeordnet" in await row.inner_text()
        assert "zugekaufte Arbeitsleistung" in await row.inner_text()  # the suggestion's reason
        await page.screenshot(path=str(docs / "mapping-editor.png"), full_page=False)

        await page.goto(f"{worker}/status/parked")
        reason = f"cost_code='{code}', cost_type='L'"
        keys = [
            (await r.locator("code").first.inner_text())
            for r in await page.locator("tr", has_text=reason).all()
        ]
        assert keys, "records parked for the pair"

        await page.goto(f"{worker}/status/mapping")
        await accept.click()
        await page.wait_for_url("**saved=**")
        assert "Gespeichert" in await page.content()
        assert "3100 Fremdleistungen" in await row.inner_text()
        await page.get_by_role(
            "button", name=f"Geparkte Belege von {code} / L erneut verarbeiten"
        ).click()
        await page.wait_for_url("**replayed=**")
        assert f"{len(keys)} Beleg(e) erneut verarbeitet" in await page.content()

        for key in keys:  # the worker seals (cadence immediate) and submits to DATEV
            booked = False
            for _ in range(60):
                await page.goto(f"{worker}/status/records/{key}")
                if '<span class="ok">im Stapel</span>' in await page.content():
                    booked = True
                    break
                await asyncio.sleep(0.5)
            assert booked, key
        await page.goto(f"{worker}/status/parked")
        assert reason not in await page.content()
        await browser.close()
