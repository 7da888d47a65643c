"""The benchmark's code paths at tiny sizes: every section produces figures (timings not judged)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.__main__ import main
from bench.report import Report


def test_tiny_bench_produces_every_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[Report] = []
    import bench.__main__ as entry

    original = entry.write_markdown

    def keep(report: Report, path: Path) -> None:
        seen.append(report)
        original(report, path)

    monkeypatch.setattr(entry, "write_markdown", keep)
    out = tmp_path / "performance.md"
    assert main(["--tiny", "--only", "1,2,3,5", "--out", str(out)]) == 0
    (report,) = seen
    sections = {f.section for f in report.figures}
    assert {"1 Procore API", "2 pipeline", "3 EXTF", "5 memory"} <= sections
    for figure in report.figures:
        assert figure.value > 0, figure
        if figure.baseline is not None:
            assert figure.baseline > 0 and figure.ratio is not None, figure
    api = [f for f in report.figures if f.section == "1 Procore API"]
    assert all(f.value >= f.baseline for f in api if f.baseline)  # never below the floor
    text = out.read_text(encoding="utf-8")
    assert "**Machine:**" in text and "| § | figure |" in text
    assert "write_buchungsstapel" in capsys.readouterr().out
