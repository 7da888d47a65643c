"""Status page, health and metrics over real HTTP on loopback (bare aiohttp host of the routes)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from domain.source_document import SourceDocument
from streams.bootstrap import build_ledger, open_vault
from streams.config.settings import Settings
from streams.demo.environment import DemoEnvironment
from streams.ledger.rules import load_rules
from streams.operator.actions import batch_rows, parked
from streams.operator.status.context import StatusContext
from tests.support.snapshots import all_snapshots, fold_each
from tests.support.status_site import status_client

TOKEN = "correct horse battery staple"


def break_mapping(demo: DemoEnvironment, tmp_path: Path) -> Path:
    """The demo mapping without the labour cost-type default: labour lines park."""
    broken = tmp_path / "broken.toml"
    text = demo.mapping_path.read_text().replace('"L" = 3100\n', "")
    # A construction cost type needs an account (mapping check): L is then no longer one.
    text = re.sub(r"^(construction_cost_types = \[.*?)\"L\",? ?(.*)$", r"\1\2", text, flags=re.M)
    broken.write_text(text, "utf-8")
    return broken


@pytest.fixture
async def site(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings], tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, StatusContext]]:
    # English pages (the assertions below read them); German is the default, tested at the end.
    settings = demo_settings(MLC_STATUS_TOKEN=TOKEN, MLC_LANGUAGE="en")
    # Fold every record under a mapping missing one rule, then "fix the mapping and restart".
    parked_ledger = build_ledger(settings, load_rules([break_mapping(demo, tmp_path)]))
    fold_each(parked_ledger, all_snapshots(demo.procore.state))
    rules = load_rules(settings.mappings)
    ledger = build_ledger(settings, rules)
    ledger.seal(next(iter(rules.clients.values())), datetime.now().astimezone())
    ctx = StatusContext(settings=settings, ledger=ledger, rules=rules, vault=open_vault(settings))
    async with status_client(ctx) as http:
        yield http, ctx


async def login(http: httpx.AsyncClient) -> None:
    resp = await http.post("/status/login", data={"token": TOKEN})
    assert resp.status_code == 303 and resp.headers["location"] == "/status/"


async def test_health_is_open_but_pages_need_the_token(site) -> None:
    http, _ = site
    assert (await http.get("/healthz")).json() == {"status": "alive"}
    ready = (await http.get("/readyz")).json()
    assert ready["status"] == "ready" and ready["events"] > 0
    page = await http.get("/status/")
    assert page.status_code == 303 and page.headers["location"] == "/status/login"
    assert (await http.get("/metrics")).status_code == 401
    wrong = await http.post("/status/login", data={"token": "guess"})
    assert wrong.status_code == 401 and "Wrong password" in wrong.text
    bearer = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200


async def test_overview_lists_the_client_with_parked_records_and_login_state(site) -> None:
    http, ctx = site
    await login(http)
    page = (await http.get("/status/")).text
    client_id = next(iter(ctx.rules.clients))
    assert client_id in page
    assert 'DATEV login: <span class="ok">logged in, valid until' in page
    assert "manual: `ml-connector seal &lt;client&gt;`" in page  # the demo fixture's cadence
    page = (await http.get("/status/parked")).text
    assert "fix:" in page
    assert page.count('action="/status/replay"') == len(parked(ctx.ledger)) > 0


async def test_replay_from_the_page_books_the_record_and_the_trail_shows_it(site) -> None:
    http, ctx = site
    await login(http)
    before = parked(ctx.ledger)
    assert before
    key = before[0].key
    resp = await http.post("/status/replay", data={"record": key})
    assert resp.status_code == 303
    page = (await http.get(resp.headers["location"])).text
    assert "Replay requested; decision now: planned" in page
    assert "ReplayRequested" in page and "LinesPlanned" in page and "Parked" in page
    doc = ctx.ledger.document(SourceDocument.create_id(key))
    assert doc is not None and doc.decision == "planned"
    cross = await http.post(
        "/status/replay", data={"record": key}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403


async def test_records_search_batches_download_and_metrics(site) -> None:
    http, _ = site
    await login(http)
    found = (await http.get("/status/records", params={"q": "parked"})).text
    assert "record(s)</caption>" in found and "parked" in found
    assert "0 record(s)" in (await http.get("/status/records", params={"q": "zzz"})).text
    page = (await http.get("/status/batches")).text
    link = page.split('href="/status/batches/', 1)[1].split('"', 1)[0]
    extf = await http.get(f"/status/batches/{link}")
    assert extf.status_code == 200
    assert extf.content.startswith(b'\xef\xbb\xbf"EXTF"')
    metrics = (await http.get("/metrics")).text
    assert 'mlc_records{decision="parked"' in metrics
    assert 'mlc_batches{state="sealed"} 1.0' in metrics
    assert "process_cpu_seconds_total" in metrics


async def test_month_end_report_is_reachable_from_the_page(site) -> None:
    http, ctx = site
    await login(http)
    client = next(iter(ctx.rules.clients))
    month = next(
        line["document_date"][:7]
        for b in batch_rows(ctx.ledger)
        for line in ctx.ledger.aggregate(b.batch_id).lines  # type: ignore[union-attr]
    )
    resp = await http.get("/status/month-end", params={"client": client, "period": month})
    assert resp.status_code == 200
    assert f"Month-end close {month}" in resp.text
    # Sealed but not yet accepted by DATEV: the report must say so, not claim a match.
    assert "reconciled to the cent" not in resp.text.split("</header>")[0]
    bad = await http.get("/status/month-end", params={"client": client, "period": "2026-13"})
    assert bad.status_code == 400
    assert 'href="/status/month-end"' in (await http.get("/status/")).text


async def test_pages_switch_to_german_and_remember_it(site) -> None:
    http, _ = site
    await login(http)
    page = await http.get("/status/", params={"lang": "de"})
    assert '<html lang="de">' in page.text
    assert "DATEV-Mandanten" in page.text and "Letzter Buchungsstapel" in page.text
    assert 'DATEV-Anmeldung: <span class="ok">' in page.text
    assert page.cookies.get("mlc_lang") == "de"
    batches = (await http.get("/status/batches")).text  # the cookie keeps the choice
    assert "<caption>Buchungsstapel</caption>" in batches and "versiegelt" in batches
    assert 'href="/status/batches?lang=en"' in batches
    english = (await http.get("/status/batches", params={"lang": "en"})).text
    assert "<caption>Batches</caption>" in english
    month = (await http.get("/status/month-end", params={"lang": "de"})).text
    assert "Monatsabschluss" in month and "Beträge netto in EUR" in month


async def test_german_is_the_default(demo_settings) -> None:
    settings = demo_settings(MLC_STATUS_TOKEN=TOKEN)
    assert settings.language == "de"
    ledger = build_ledger(settings, None)
    ctx = StatusContext(settings=settings, ledger=ledger, rules=None)
    async with status_client(ctx) as http:
        page = (await http.get("/status/login")).text
        assert "Passwort der Statusseite" in page and "Anmelden" in page
        wrong = await http.post("/status/login", data={"token": "guess"})
        assert "Falsches Passwort." in wrong.text
        ledger.close()


async def test_overview_names_a_procore_permission_problem(site) -> None:
    from streams.inputs.access import ACCESS_FILE, AccessRegistry

    http, ctx = site
    registry = AccessRegistry(ctx.settings.data_dir / ACCESS_FILE)
    registry.denied(
        company_id=4281379,
        project_id=20252,
        resource="commitment",
        message="You do not have access to this tool",
        now=datetime.now(UTC),
    )
    await login(http)
    page = (await http.get("/status/")).text
    assert "Procore configuration problem" in page
    assert "Commitments in project 20252 of company 4281379" in page
    assert "grant the service account read permission on Commitments" in page
