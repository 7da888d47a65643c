"""Mapping/chart files on disk and the ``mapping check`` command."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from adapters.config_files import load_and_check, load_chart, load_mapping
from streams.cli import app

SAMPLE = Path(__file__).parents[3] / "deploy" / "mapping.sample.toml"


def test_sample_mapping_is_valid_for_skr03() -> None:
    mapping, chart, problems = load_and_check(SAMPLE, "skr03")
    assert problems == []
    assert mapping is not None and chart is not None
    assert mapping.client_id == "29098-55003" and chart.account(1628) is not None


def _broken(tmp_path: Path) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("account = 3400 ", "account = 3999 ")
    text = text.replace('kost2 = "HOCHBAU"', 'kost2 = "HOCH-BAU"')
    text = text.replace("creditor = 70010", "creditor = 1234")
    text = text.replace('rc13b_19 = "94"', 'rc13b_19 = "9"')
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_with_line_numbers(tmp_path: Path) -> None:
    path = _broken(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    _, _, problems = load_and_check(path)
    assert len(problems) >= 4
    for p in problems:
        line_no = int(p.location.rsplit(":", 1)[1])
        assert p.location.startswith(str(path))
        assert p.fix
        # the reported line holds the offending key (or its table)
        assert p.key.split(".")[-1].split("[")[0] in lines[line_no - 1] or "[" in lines[line_no - 1]
    assert {p.key for p in problems} >= {
        "cost_accounts[1].account",
        "projects.20252.kost2",
        "vendors.556677.creditor",
        "tax_keys.rc13b_19",
    }


def test_schema_errors_are_all_reported(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("advisor_number = 29098", "advisor_number = 12")
    text = text.replace('skr = "03"', 'skr = "05"')
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    mapping, problems = load_mapping(path)
    assert mapping is None
    assert [p.key for p in problems] == ["client.advisor_number", "client.skr"]
    assert problems[0].location == f"{path}:6"


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text("[client\n", encoding="utf-8")
    mapping, problems = load_mapping(path)
    assert mapping is None and "not valid TOML" in problems[0].message


def test_chart_csv_additions(tmp_path: Path) -> None:
    mapping, _ = load_mapping(SAMPLE)
    assert mapping is not None
    csv_path = tmp_path / "chart.csv"
    csv_path.write_text(
        "number;name;kind;automatic_tax;automatic_rate;bu_keys\n"
        "3125;Fremdleistungen Sonder;expense;;;9,8\n"
        "3999;Kaputt;nonsense;;;\n",
        encoding="utf-8",
    )
    chart, problems = load_chart(str(csv_path), mapping)
    assert chart is not None and chart.account(3125) is not None
    assert chart.accounts[3125].bu_keys == frozenset({"9", "8"})
    assert len(problems) == 1 and problems[0].location.endswith("line 3")


def test_cli_mapping_check(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["mapping", "check", "--mapping", str(SAMPLE), "--chart", "skr03"])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output
    bad = runner.invoke(app, ["mapping", "check", "--mapping", str(_broken(tmp_path))])
    assert bad.exit_code == 1
    assert "4 problem(s)" in bad.output and "fix:" in bad.output
