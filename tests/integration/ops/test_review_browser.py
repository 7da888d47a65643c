"""Review before DATEV in headless Chromium against a running worker: one batch approved (it
reaches DATEV), one rejected with a note (its records are pending again and re-sealed).

Screenshots go to the test's tmp dir; UPDATE_SCREENSHOTS=1 writes them into docs/ instead.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import demo_environment
from streams.ledger.rules import load_rules
from tests.integration.ops.test_review import with_review
from tests.support.browser import (
    CHROMIUM,
    LAUNCH_ARGS,
    ROOT,
    needs_chromium,
    signed_in_worker_env,
    worker_serving,
)
from tests.support.snapshots import all_snapshots, fold_each

TOKEN = "review-browser-token-0123456789"

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
]


@pytest.fixture
async def worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A worker for a client with review = true; one batch sealed before it starts."""
    async with demo_environment(tmp_path / "demo", "small", cadence="immediate") as demo:
        mapping = with_review(demo, tmp_path)
        env = signed_in_worker_env(demo.worker_env(), TOKEN, monkeypatch, mapping)
        rules = load_rules([mapping])
        ledger = build_ledger(Settings(), rules)
        changes = list(all_snapshots(demo.procore.state))
        fold_each(ledger, changes[: len(changes) // 2])
        ledger.seal(next(iter(rules.clients.values())), datetime.now().astimezone())
        ledger.close()
        async with worker_serving(env, demo.web_port, tmp_path / "worker.log") as url:
            yield url


async def _waiting(page, url: str, at_least: int) -> list[str]:
    for _ in range(120):  # the worker backfills the rest and seals it (cadence immediate)
        await page.goto(f"{url}/status/review")
        links = await page.locator('#waiting a[href^="/status/review/"]').all()
        ids = [str(await a.get_attribute("href")).rsplit("/", 1)[-1] for a in links]
        if len(ids) >= at_least:
            return ids
        await asyncio.sleep(0.5)
    raise AssertionError(f"fewer than {at_least} batches awaiting review")


async def test_one_batch_approved_and_one_rejected(worker: str, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    docs = ROOT / "docs" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = await browser.new_page(viewport={"width": 1400, "height": 1000})
        await page.goto(f"{worker}/status/login")
        await page.get_by_label("Passwort der Statusseite").fill(TOKEN)
        await page.get_by_role("button", name="Anmelden").click()
        await page.wait_for_url("**/status/")

        first, second = (await _waiting(page, worker, 2))[:2]
        await page.goto(f"{worker}/status/review/{first}")
        assert "Je Kostenstelle" in await page.content()
        assert await page.locator("#lines tr").count() > 1
        await page.screenshot(path=str(docs / "review.png"), full_page=False)
        pdf_link = page.locator('#lines a[href$="/invoice.pdf"]').first
        pdf = await page.request.get(f"{worker}{await pdf_link.get_attribute('href')}")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        assert (await pdf.body()).startswith(b"%PDF")  # the invoice, read from Procore

        # Approve: submitted by the worker, completed by DATEV.
        await page.get_by_label("Ihr Name").first.fill("StB Weber")
        await page.get_by_role("button", name="Freigeben und an DATEV senden").click()
        await page.wait_for_url(f"**/status/review/{first}?decided=approved")
        completed = False
        for _ in range(120):
            await page.goto(f"{worker}/status/review/{first}")
            if '<span class="ok">verarbeitet</span>' in await page.content():
                completed = True
                break
            await asyncio.sleep(0.5)
        assert completed, await page.content()
        assert "StB Weber (status page)" in await page.content()

        # Reject with a note: the records return to pending and are sealed into a new batch.
        await page.goto(f"{worker}/status/review/{second}")
        keys = [
            await a.inner_text() for a in await page.locator("#lines td:first-child a code").all()
        ]
        assert keys
        await page.get_by_label("Grund der Ablehnung (Pflicht)").fill("Kostenstelle prüfen")
        await page.get_by_role("button", name="Ablehnen: Zeilen zurück in den Vorrat").click()
        await page.wait_for_url(f"**/status/review/{second}?decided=rejected")
        assert "Kostenstelle prüfen" in await page.content()
        assert '<span class="fail">abgelehnt</span>' in await page.content()
        await page.goto(f"{worker}/status/records/{keys[0]}")
        trail = await page.content()
        assert "BatchRejected" in trail and "Kostenstelle prüfen" in trail
        resealed = False  # re-sealed into a new batch that waits for review again
        for _ in range(120):
            waiting = await _waiting(page, worker, 1)
            assert second not in waiting and first not in waiting
            for other in waiting:
                await page.goto(f"{worker}/status/review/{other}")
                resealed = resealed or keys[0] in await page.content()
            if resealed:
                break
            await asyncio.sleep(0.5)
        assert resealed

        await page.get_by_role("link", name="English").click()
        await page.wait_for_url(re.compile(r".*lang=en$"))
        assert "Approve and send to DATEV" in await page.content()
        await browser.close()
