"""The reconcile and period commands on a real SQLite event store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from emulators.procore.data import generate
from streams.bootstrap import build_ledger, build_rules
from streams.cli import app
from streams.config.settings import load_settings
from streams.demo.environment import _write_mapping
from streams.errors import ConnectorError
from tests.support.fakes import FakeEmulator, ManualClock
from tests.support.snapshots import all_snapshots, fold_each

CLIENT = "29098-55003"


@pytest.fixture
def sealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = generate(seed=7, size="small", clock=ManualClock())
    mapping = _write_mapping(tmp_path, FakeEmulator(state), "manual")  # type: ignore[arg-type]
    monkeypatch.setenv("MLC_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MLC_MAPPINGS", orjson.dumps([str(mapping)]).decode())
    settings = load_settings()
    rules = build_rules(settings)
    assert rules is not None and CLIENT in rules.clients
    ledger = build_ledger(settings, rules)
    fold_each(ledger, all_snapshots(state))
    ledger.seal(rules.client(CLIENT), datetime(2026, 11, 25, tzinfo=UTC))
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    """Exit code and output; a ConnectorError (shown by ``main`` as one line) is appended."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert isinstance(result.exception, ConnectorError), result.exception
        return 1, result.output + str(result.exception)
    return result.exit_code, result.output


def test_reconcile_formats_and_period_commands(sealed: Path) -> None:
    base = ("--client", CLIENT, "--period", "2026-10")
    code, out = run("reconcile", *base, "--format", "json")
    assert code == 0, out
    data = orjson.loads(out)
    assert data["reconciled"] is False and data["differences"]
    assert {d["cause"] for d in data["differences"]} == {"awaiting_datev"}
    assert data["open_difference"] == data["totals"]["submitted"]
    code, out = run("reconcile", *base, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("section,client_id,period,kost1")
    assert out.splitlines()[-1].startswith(f"verdict,{CLIENT},2026-10")
    code, out = run("reconcile", *base, "--format", "html")
    html = sealed / "var" / "reports" / f"reconciliation-{CLIENT}-2026-10.html"
    assert code == 0 and str(html) in out and html.read_text().startswith("<!doctype html>")
    code, out = run("reconcile", *base)
    assert code == 0 and "open difference" in out
    # Not reconciled: closing is refused, naming the records; --force closes anyway.
    code, out = run("period", "close", *base)
    assert code != 0 and "not closed" in out and "4281379:" in out
    code, out = run("period", "close", *base, "--force", "--note", "advisor signed off")
    assert code == 0, out
    code, out = run("period", "list", "--client", CLIENT)
    assert "closed months of 29098-55003: 2026-10" in out and "advisor signed off" in out
    code, out = run("period", "open", *base)
    assert code == 0 and "closed months: none" in out
    code, out = run("reconcile", "--client", CLIENT, "--period", "10/2026")
    assert code != 0 and "YYYY-MM" in out


def test_reconcile_reports_records_booked_without_beleglink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = generate(seed=7, size="small", clock=ManualClock())
    mapping = _write_mapping(tmp_path, FakeEmulator(state), "manual")  # type: ignore[arg-type]
    monkeypatch.setenv("MLC_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MLC_MAPPINGS", orjson.dumps([str(mapping)]).decode())
    settings = load_settings()
    rules = build_rules(settings)
    assert rules is not None
    ledger = build_ledger(settings, rules)
    fold_each(ledger, all_snapshots(state))
    # No PDF reached DUO within the wait: every linking record is booked without its link.
    route = rules.client(CLIENT)
    late = datetime.now(UTC) + route.mapping.documents.beleglink_wait
    assert ledger.seal(route, late, documents=True).records
    code, out = run("reconcile", "--client", CLIENT, "--period", "2026-10", "--format", "json")
    assert code == 0, out
    documents = orjson.loads(out)["documents"]
    assert documents["booked_without_beleglink"] > 0 and documents["uploaded"] == 0
