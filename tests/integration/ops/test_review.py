"""Review before DATEV over real HTTP and the ledger: sealed batches wait, approve, reject."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import httpx
import orjson
import pytest

from domain.batch import Batch
from domain.source_document import SourceDocument
from streams.bootstrap import build_ledger
from streams.config.settings import Settings
from streams.demo.environment import DemoEnvironment
from streams.ledger.rules import load_rules
from streams.operator.review.model import awaiting_review
from streams.operator.status.context import StatusContext
from tests.integration.ops.test_status_page import TOKEN, login
from tests.support.snapshots import all_snapshots, fold_each
from tests.support.status_site import status_client


def with_review(demo: DemoEnvironment, tmp_path: Path) -> Path:
    path = tmp_path / "review.toml"
    text = demo.mapping_path.read_text(encoding="utf-8")
    path.write_text(text.replace("[schedule]\n", "[schedule]\nreview = true\n"), "utf-8")
    return path


@pytest.fixture
async def site(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings], tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, StatusContext, list[Batch]]]:
    mapping = with_review(demo, tmp_path)
    settings = demo_settings(
        MLC_STATUS_TOKEN=TOKEN,
        MLC_LANGUAGE="en",
        MLC_MAPPINGS=orjson.dumps([str(mapping)]).decode(),
    )
    rules = load_rules(settings.mappings)
    client = next(iter(rules.clients.values()))
    assert client.mapping.schedule.review
    ledger = build_ledger(settings, rules)
    changes = list(all_snapshots(demo.procore.state))
    half = len(changes) // 2
    fold_each(ledger, changes[:half])
    ledger.seal(client, datetime.now().astimezone())
    fold_each(ledger, changes[half:], start=half)
    ledger.seal(client, datetime.now().astimezone())
    batches = awaiting_review(ledger)
    assert len(batches) >= 2 and all(b.state == "in_review" for b in batches)
    ctx = StatusContext(settings=settings, ledger=ledger, rules=rules)
    async with status_client(ctx) as http:
        await login(http)
        yield http, ctx, batches
    ledger.close()


async def test_the_review_page_shows_totals_lines_and_warnings(site) -> None:
    http, _ctx, batches = site
    listing = (await http.get("/status/review")).text
    assert all(str(b.id) in listing for b in batches)
    page = (await http.get(f"/status/review/{batches[0].id}")).text
    for caption in (
        "Per account (Gegenkonto)",
        "Per tax key (BU-Schlüssel)",
        "Per cost centre (Kostenstelle)",
        "Per creditor (Kreditor)",
    ):
        assert f"<caption>{caption}</caption>" in page
    assert "3100 Fremdleistungen" in page and 'id="lines"' in page
    assert "new or changed creditor(s)" in page  # the first batch carries the creditor rows
    assert "Approve and send to DATEV" in page and "Reject: lines back to pending" in page
    german = (await http.get(f"/status/review/{batches[0].id}", params={"lang": "de"})).text
    assert "Je Kostenstelle" in german and "Freigeben und an DATEV senden" in german


async def test_approve_then_reject_with_a_note(site) -> None:
    http, ctx, batches = site
    first, second = batches[0], batches[1]
    resp = await http.post(f"/status/review/{first.id}/approve", data={"by": "StB Weber"})
    assert resp.status_code == 303
    approved = ctx.ledger.load(Batch, first.id)
    assert approved.state == "sealed" and approved.review["by"] == "StB Weber (status page)"
    again = await http.post(f"/status/review/{first.id}/approve", data={})
    assert again.status_code == 400 and "not awaiting review" in again.text

    nonote = await http.post(f"/status/review/{second.id}/reject", data={"note": " "})
    assert nonote.status_code == 400 and "needs a note" in nonote.text
    keys = list(ctx.ledger.load(Batch, second.id).record_keys)
    resp = await http.post(
        f"/status/review/{second.id}/reject", data={"note": "Kostenstelle falsch", "by": "Weber"}
    )
    assert resp.status_code == 303
    page = (await http.get(resp.headers["location"])).text
    assert "Batch rejected." in page and "Kostenstelle falsch" in page
    rejected = ctx.ledger.load(Batch, second.id)
    assert rejected.state == "rejected" and rejected.review["note"] == "Kostenstelle falsch"
    for key in keys:  # the lines are pending again, and the note is in the record's audit trail
        doc = ctx.ledger.document(SourceDocument.create_id(key))
        assert doc is not None and doc.pending and str(second.id) not in doc.batches
        trail = (await http.get(f"/status/records/{key}")).text
        assert "BatchRejected" in trail and "Kostenstelle falsch" in trail
    # They go into the next batch, which waits for review again.
    client = next(iter(ctx.rules.clients.values()))
    result = ctx.ledger.seal(client, datetime.now().astimezone())
    resealed = {k for b in result.batch_ids for k in ctx.ledger.load(Batch, b).record_keys}
    assert set(keys) <= resealed
    assert all(ctx.ledger.load(Batch, b).state == "in_review" for b in result.batch_ids)


def test_the_cli_lists_shows_approves_and_rejects(site) -> None:
    from typer.testing import CliRunner

    from streams.cli import app

    _http, ctx, batches = site
    first, second = (str(b.id) for b in batches[:2])

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, ["review", *args])
        assert result.exit_code == 0, (result.output, result.exception)
        return result.output

    assert first[:8] in run("list") and second[:8] in run("list")
    shown = run("show", first[:8])
    assert "per Gegenkonto" in shown and "per Kreditor" in shown and "3100 Fremdleistungen" in shown
    assert "approved by" in run("approve", first[:8], "--note", "passt")
    assert "record(s) pending again" in run("reject", second[:8], "--note", "KOST falsch")
    assert ctx.ledger.load(Batch, batches[0].id).state == "sealed"
    assert ctx.ledger.load(Batch, batches[1].id).review["note"] == "KOST falsch"
    decided = run("list")
    assert "approved" in decided and "rejected" in decided and "KOST falsch" in decided
    again = CliRunner().invoke(app, ["review", "approve", second[:8]])
    assert again.exit_code != 0 and "not awaiting review" in str(again.exception)
