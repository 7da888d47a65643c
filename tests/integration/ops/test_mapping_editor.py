"""The mapping editor over real HTTP: pairs seen in Procore, suggestions, checked edits, replay."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import orjson
import pytest

from domain.source_document import SourceDocument
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import DemoEnvironment
from streams.ledger.rules import load_rules
from streams.operator.actions import parked
from streams.operator.status.context import StatusContext
from tests.integration.ops.test_status_page import TOKEN, break_mapping, login
from tests.support.snapshots import all_snapshots, fold_each
from tests.support.status_site import status_client


@pytest.fixture
async def editor(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings], tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, StatusContext, Path]]:
    broken = break_mapping(demo, tmp_path)
    settings = demo_settings(
        MLC_STATUS_TOKEN=TOKEN,
        MLC_LANGUAGE="en",
        MLC_MAPPINGS=orjson.dumps([str(broken)]).decode(),
    )
    rules = load_rules(settings.mappings)
    ledger = build_ledger(settings, rules)
    fold_each(ledger, all_snapshots(demo.procore.state))
    ctx = StatusContext(settings=settings, ledger=ledger, rules=rules)
    async with status_client(ctx) as http:
        await login(http)
        yield http, ctx, broken
    ledger.close()


def _labour_pair(ctx: StatusContext) -> tuple[str, str]:
    reason = next(d.reason for d in parked(ctx.ledger) if "cost_type='L'" in (d.reason or ""))
    assert reason is not None
    code = reason.split("cost_accounts[cost_code='", 1)[1].split("'", 1)[0]
    return code, "L"


async def test_unmapped_pair_is_listed_with_counts_and_a_reasoned_suggestion(editor) -> None:
    http, ctx, _ = editor
    code, ctype = _labour_pair(ctx)
    page = (await http.get("/status/mapping")).text
    row = page.split(f'id="pair:{code}:{ctype}"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="fail">unmapped</span>' in row
    assert "3100 Fremdleistungen" in row and "bought-in labour" in row
    assert f'aria-label="Accept 3100 Fremdleistungen for {code} / {ctype}"' in row
    assert "Replay parked records" not in row  # only once the pair is mapped
    assert 'id="tax-codes"' in page and "KOST1" in page and "§ 13b" in page


async def test_accepting_a_suggestion_writes_the_file_and_replay_books_the_records(editor) -> None:
    http, ctx, path = editor
    code, ctype = _labour_pair(ctx)
    before = path.read_text()
    stuck = [
        d.key
        for d in parked(ctx.ledger)
        if f"cost_code='{code}', cost_type='L'" in (d.reason or "")
    ]
    assert stuck
    resp = await http.post(
        "/status/mapping/pair",
        data={
            "client": next(iter(ctx.rules.clients)),
            "cost_code": code,
            "cost_type": ctype,
            "account": "3100",
        },
    )
    assert resp.status_code == 303, resp.text
    data = tomllib.loads(path.read_text())
    assert {"cost_code": code, "cost_type": ctype, "account": 3100} in data["cost_accounts"]
    assert path.with_name(path.name + ".prev").read_text() == before
    assert path.read_text().startswith(before.rstrip("\n"))  # appended: comments kept
    # In force without a restart: the shared rules object now maps the pair.
    client = next(iter(ctx.rules.clients.values()))
    assert client.mapping.cost_account(code, ctype) == 3100
    page = (await http.get(resp.headers["location"])).text
    assert "Saved" in page and "Replay parked records" in page
    replay = await http.post(
        "/status/mapping/replay",
        data={"client": client.client_id, "cost_code": code, "cost_type": ctype},
    )
    assert replay.status_code == 303
    assert "Replayed" in (await http.get(replay.headers["location"])).text
    for key in stuck:
        doc = ctx.ledger.document(SourceDocument.create_id(key))
        assert doc is not None and f"cost_code='{code}', cost_type='L'" not in (doc.reason or "")
    still = [
        d.key
        for d in parked(ctx.ledger)
        if f"cost_code='{code}', cost_type='L'" in (d.reason or "")
    ]
    assert still == []


async def test_an_invalid_change_is_refused_with_the_fix_next_to_the_field(editor) -> None:
    http, ctx, path = editor
    before = path.read_text()
    client = next(iter(ctx.rules.clients))
    code, ctype = _labour_pair(ctx)
    resp = await http.post(  # 1576 is a tax account (Vorsteuer), not an expense account
        "/status/mapping/pair",
        data={"client": client, "cost_code": code, "cost_type": ctype, "account": "1576"},
    )
    assert resp.status_code == 400
    assert "Not saved: the change does not pass the mapping check." in resp.text
    row = resp.text.split(f'id="pair:{code}:{ctype}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="field-error"' in row and "account 1576" in row
    assert "fix: use an account of kind expense or automatic" in row
    assert path.read_text() == before and not path.with_name(path.name + ".prev").exists()
    unknown = await http.post(  # a pair with no row: the problem is shown above the tables
        "/status/mapping/pair",
        data={"client": client, "cost_code": "99-999", "cost_type": "S", "account": "1576"},
    )
    assert unknown.status_code == 400 and "account 1576" in unknown.text


async def test_vendor_facts_and_tax_codes_are_set_from_the_page(editor) -> None:
    http, ctx, path = editor
    client = next(iter(ctx.rules.clients.values()))
    page = (await http.get("/status/mapping")).text
    vendor = int(page.split('id="vendor:', 1)[1].split('"', 1)[0])
    resp = await http.post(
        "/status/mapping/vendor",
        data={
            "client": client.client_id,
            "vendor_id": str(vendor),
            "reverse_charge": "on",
            "exemption": "certificate",
            "exemption_valid_until": "2027-06-30",
        },
    )
    assert resp.status_code == 303, resp.text
    facts = tomllib.loads(path.read_text())["vendors"][str(vendor)]
    assert facts["reverse_charge"] is True and facts["exemption"] == "certificate"
    assert str(facts["exemption_valid_until"]) == "2027-06-30"
    assert ctx.rules.client(client.client_id).mapping.vendor(vendor).reverse_charge
    resp = await http.post(
        "/status/mapping/tax-code",
        data={"client": client.client_id, "code": "NEU7", "rule": "vst7"},
    )
    assert resp.status_code == 303
    assert tomllib.loads(path.read_text())["tax_codes"]["NEU7"] == "vst7"
    cross = await http.post(
        "/status/mapping/tax-code",
        data={"client": client.client_id, "code": "X", "rule": "vst7"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403


def test_a_hand_edited_mapping_is_reloaded_and_a_broken_one_is_not(editor) -> None:
    from streams.operator.mapping.watch import MappingWatcher

    _http, ctx, path = editor
    watcher = MappingWatcher(ctx.rules, [path])
    assert watcher.check() is False  # unchanged
    client_id = next(iter(ctx.rules.clients))
    path.write_text(path.read_text().replace("[schedule]\n", "[schedule]\nreview = true\n"))
    assert watcher.check() is True
    assert ctx.rules.client(client_id).mapping.schedule.review
    path.write_text(path.read_text() + "\n[cost_type_defaults]\nZ = 1576\n")  # invalid TOML dup
    assert watcher.check() is False
    assert ctx.rules.client(client_id).mapping.schedule.review  # the previous rules stay


async def test_an_automatic_account_needs_the_tax_rule_of_the_pair(editor) -> None:
    http, ctx, path = editor
    code, ctype = _labour_pair(ctx)
    client = next(iter(ctx.rules.clients))
    data = {"client": client, "cost_code": code, "cost_type": ctype, "account": "3106"}
    refused = await http.post("/status/mapping/pair", data=data)  # Fremdleistungen 19 % VSt
    assert refused.status_code == 400 and "Not saved" in refused.text
    saved = await http.post("/status/mapping/pair", data={**data, "tax_rule": "vst19"})
    assert saved.status_code == 303, saved.text
    rule = next(
        r for r in tomllib.loads(path.read_text())["cost_accounts"] if r["cost_code"] == code
    )
    assert rule == {"cost_code": code, "cost_type": ctype, "account": 3106, "tax_rules": ["vst19"]}


async def test_review_before_datev_is_switched_on_from_the_editor(editor) -> None:
    http, ctx, path = editor
    client = next(iter(ctx.rules.clients))
    bad = await http.post(
        "/status/mapping/schedule", data={"client": client, "cadence": "hourly", "review": "on"}
    )
    assert bad.status_code == 400 and "cadence" in bad.text.split('id="schedule"', 1)[1]
    ok = await http.post(
        "/status/mapping/schedule", data={"client": client, "cadence": "every 15m", "review": "on"}
    )
    assert ok.status_code == 303, ok.text
    assert tomllib.loads(path.read_text())["schedule"] == {"cadence": "every 15m", "review": True}
    assert ctx.rules.client(client).mapping.schedule.review


async def test_an_unmapped_tax_code_gets_a_suggested_rule(editor) -> None:
    from streams.operator.mapping.watch import MappingWatcher

    http, ctx, path = editor
    watcher = MappingWatcher(ctx.rules, [path])
    path.write_text(path.read_text().replace('"VSt19" = "vst19"\n', ""))
    assert watcher.check()  # (the parked records of VSt19 would show after the next fold)
    row = (await http.get("/status/mapping")).text.split('id="tax:VSt19"', 1)[1].split("</tr>")[0]
    assert "unmapped" in row and "rate is 19" in row
    assert 'aria-label="Accept vst19 for tax code VSt19"' in row
