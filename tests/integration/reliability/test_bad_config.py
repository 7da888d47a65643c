"""Bad configuration is refused at start with every problem listed (not just the first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.errors import ConnectorError
from streams.ledger.rules import load_rules

SAMPLE = Path(__file__).resolve().parents[3] / "deploy" / "mapping.sample.toml"


def _broken(tmp_path: Path) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("account = 3200\n", "account = 3999\n", 1)  # not in the chart
    text = text.replace(
        'name = "Gerüstbau Nord KG"\n', 'name = "Gerüstbau Nord KG"\ncreditor = 70010\n'
    )  # the same creditor pinned twice
    text = text.replace("start = 70100", "start = 10")  # outside the creditor range
    # (A document type DATEV does not know is found by `ml-connector doctor`, which asks DATEV:
    # streams/setup/checks/datev.py.)
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError) as caught:
        load_rules([_broken(tmp_path)])
    message = str(caught.value)
    print(message)
    assert "mapping check" in message
    assert "3999" in message
    assert "70010" in message
    assert "creditors.start 10" in message
    problems = [line for line in message.splitlines()[1:] if not line.startswith(" ")]
    assert len(problems) >= 3  # all of them, each with its line number and fix
    assert all(":" in p for p in problems) and message.count("fix:") >= 3


def test_the_sample_itself_is_accepted() -> None:
    assert load_rules([SAMPLE]).clients
