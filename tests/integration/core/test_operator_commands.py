"""Operator commands through the real CLI entry point, on a real event store and broker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from adapters.kafka.admin import reset_offsets
from adapters.kafka.clients import produce
from adapters.kafka.embedded import EmbeddedBroker
from emulators.procore.data import generate
from streams.bootstrap import build_ledger
from streams.cli import app
from streams.config.settings import Settings
from streams.demo.environment import _write_mapping
from streams.ledger.rules import load_rules
from tests.support.fakes import FakeEmulator, ManualClock
from tests.support.snapshots import all_snapshots, fold_each
from tests.support.timing import CLI_SESSION_MS

runner = CliRunner()


@pytest.fixture
def world(
    tmp_path: Path, sqlite_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> tuple[Settings, Path, str]:
    state = generate(seed=7, size="small", clock=ManualClock())
    mapping = _write_mapping(tmp_path, FakeEmulator(state), "manual")  # type: ignore[arg-type]
    # Break the mapping for cost type "E" so records using it are parked.
    text = mapping.read_text().replace('"E" = 4960\n', "")
    mapping.write_text(text)
    settings = sqlite_settings(mappings=[mapping])
    monkeypatch.setenv("MLC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MLC_MAPPINGS", orjson.dumps([str(mapping)]).decode())
    ledger = build_ledger(settings, load_rules([mapping]))
    fold_each(ledger, all_snapshots(state))
    client = next(iter(ledger.rules.clients))  # type: ignore[union-attr]
    return settings, mapping, client


def test_parked_shows_the_missing_key_and_replay_books_after_the_fix(
    world: tuple[Settings, Path, str],
) -> None:
    settings, mapping, client = world
    out = runner.invoke(app, ["parked"], catch_exceptions=False)
    assert out.exit_code == 0
    assert "cost_type_defaults" in out.stdout or "cost type" in out.stdout
    ledger = build_ledger(settings)
    from streams.operator.actions import parked

    stuck = parked(ledger)
    assert stuck, "the broken mapping should park records"
    ref = stuck[0].key
    audit = runner.invoke(app, ["audit", ref], catch_exceptions=False)
    assert "Parked" in audit.stdout and "VersionObserved" in audit.stdout
    dry = runner.invoke(app, ["replay", "record", ref, "--dry-run"], catch_exceptions=False)
    assert "would replay" in dry.stdout
    mapping.write_text(
        mapping.read_text().replace("[cost_type_defaults]\n", '[cost_type_defaults]\n"E" = 4960\n')
    )
    done = runner.invoke(app, ["replay", "record", ref], catch_exceptions=False)
    assert "parked" in done.stdout and "→ planned" in done.stdout
    history = orjson.loads(runner.invoke(app, ["audit", ref, "--json"]).stdout)
    assert [e["type"] for e in history][-2:] == [
        "SourceDocument.ReplayRequested",
        "SourceDocument.LinesPlanned",
    ]
    sealed = runner.invoke(app, ["seal", client], catch_exceptions=False)
    assert "sealed" in sealed.stdout and "batch(es)" in sealed.stdout
    listing = runner.invoke(app, ["batches"], catch_exceptions=False)
    assert "EXTF_Buchungen" in listing.stdout
    out_dir = settings.data_dir / "export"
    export = ["batches", "export", str(out_dir), "--client", client, "--no-pdfs"]
    first = runner.invoke(app, export, catch_exceptions=False)
    assert first.exit_code == 0 and "file(s) written" in first.stdout
    assert list((out_dir / client).glob("EXTF_Buchungen*.csv"))
    again = runner.invoke(app, export, catch_exceptions=False)
    assert "0 file(s) written" in again.stdout  # idempotent


def test_unknown_record_and_batch_are_clear_errors(world: tuple[Settings, Path, str]) -> None:
    out = runner.invoke(app, ["audit", "1:2:requisition:3"])
    assert out.exit_code != 0
    bad = runner.invoke(app, ["replay", "batch", "deadbeef"])
    assert bad.exit_code != 0


async def test_topic_reset_moves_the_group_back(tmp_path: Path) -> None:
    with EmbeddedBroker(tmp_path) as broker:
        from adapters.kafka.admin import TopicDecl, ensure_topics

        servers = broker.bootstrap_servers
        await ensure_topics(broker.bootstrap_servers, [TopicDecl("procore.records", 2)])
        for i in range(4):
            await produce(broker.bootstrap_servers, "procore.records", [(f"k{i}".encode(), b"v")])
        moved = await reset_offsets(
            servers, "g1", "procore.records", to_offset=10, session_timeout_ms=CLI_SESSION_MS
        )
        assert sum(m.target for m in moved) == 4  # clamped to the ends
        back = await reset_offsets(
            servers, "g1", "procore.records", to_offset=0, session_timeout_ms=CLI_SESSION_MS
        )
        assert [m.current for m in back] == [m.target for m in moved]
        assert all(m.target == 0 for m in back)
        later = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp() * 1000)
        dry = await reset_offsets(
            broker.bootstrap_servers, "g1", "procore.records", to_timestamp_ms=later, dry_run=True
        )
        assert all(m.current == 0 for m in dry)


async def test_dead_letters_are_redriven_to_their_source_once(tmp_path: Path) -> None:
    from adapters.kafka.admin import TopicDecl, ensure_topics
    from adapters.kafka.clients import producer, read_topic
    from adapters.kafka.dead_letters import redrive

    with EmbeddedBroker(tmp_path) as broker:
        servers = broker.bootstrap_servers
        await ensure_topics(
            servers, [TopicDecl("procore.records", 1), TopicDecl("connector.dlq", 1)]
        )
        async with producer(servers) as prod:
            headers = [("source-topic", b"procore.records"), ("error", b"fold failed: boom")]
            ack = await prod.send(
                "connector.dlq", key=b"1:2:direct_cost:3", value=b"{}", headers=headers
            )
            await ack
        listed = await redrive(
            servers,
            "connector.dlq",
            "g",
            dry_run=True,
            idle_s=0.5,
            session_timeout_ms=CLI_SESSION_MS,
        )
        assert [(d.source_topic, d.error) for d in listed] == [
            ("procore.records", "fold failed: boom")
        ]
        assert (
            len(
                await redrive(
                    servers,
                    "connector.dlq",
                    "g",
                    dry_run=False,
                    idle_s=0.5,
                    session_timeout_ms=CLI_SESSION_MS,
                )
            )
            == 1
        )
        assert (
            await redrive(
                servers,
                "connector.dlq",
                "g",
                dry_run=False,
                idle_s=0.5,
                session_timeout_ms=CLI_SESSION_MS,
            )
            == []
        )  # once
        back = await read_topic(servers, "procore.records", expect=1, timeout=10, settle=0.5)
        assert [(r.key, r.value) for r in back] == [(b"1:2:direct_cost:3", b"{}")]


def test_audit_shows_the_notes_without_json(world: tuple[Settings, Path, str]) -> None:
    """Shortenings, adjustments and collisions are read in the audit table, not only in JSON."""
    from domain.changes import ProcoreChange, RecordRef

    settings, mapping_path, _ = world
    rules = load_rules([mapping_path])
    mapping = next(iter(rules.clients.values())).mapping
    ref = RecordRef(
        company_id=mapping.procore.company_id,
        project_id=mapping.procore.project_ids[0],
        resource="direct_cost",
        resource_id=990_077,
    )
    number = "RE-2026-BAUSTELLE-AUGSBURG-KITA-000142-BB"  # 41 characters
    change = ProcoreChange(
        ref=ref,
        action="update",
        source="poller",
        observed_at=datetime(2026, 11, 2, tzinfo=UTC),
        record={
            "id": 990_077,
            "status": "approved",
            "invoice_number": number,
            "vendor_id": 999_001,
            "direct_cost_date": "2026-10-28",
            "line_items": [
                {
                    "id": 1,
                    "amount": "1000.00",
                    "cost_code": {"id": 1, "full_code": "01-100"},
                    "line_item_type": {"id": 1, "code": "S"},
                }
            ],
        },
        context={"vendor": {"id": 999_001, "name": "Kran Neumann GmbH"}},
    )
    ledger = build_ledger(settings, rules)
    ledger.fold("procore.records", 1, [(0, change)])
    out = runner.invoke(app, ["audit", ref.key], catch_exceptions=False, env={"COLUMNS": "400"})
    flat = " ".join(out.stdout.split())
    assert "notes: " in flat and "(41 characters) is longer than DATEV's 36" in flat, flat[-800:]
