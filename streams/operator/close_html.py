"""The close report as one static HTML file (jinja2, autoescaped): inline CSS, SVG, no script."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from domain.close_report import CloseReport
from domain.money import ZERO
from streams.operator.i18n import DEFAULT_LANGUAGE, Language
from streams.operator.render import render

COLORS = {"procore": "#3b6fd8", "datev": "#2faa6a"}
STATE_COLORS = {"completed": "#2faa6a", "failed": "#d64545", "submitted": "#e0a020"}
WIDTH = 1180


@dataclass(frozen=True)
class Bar:
    key: str  # procore | datev
    x: int
    y: int
    width: int
    value: Decimal


@dataclass(frozen=True)
class ProjectBars:
    label: str
    y: int
    bars: tuple[Bar, Bar]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    projects: list[ProjectBars]


@dataclass(frozen=True)
class Dot:
    x: int
    color: str
    batch_id: str
    state: str
    created: str
    jobs: str
    lines: int
    net: Decimal


def bar_chart(r: CloseReport, width: int = WIDTH) -> Chart:
    """Per project: Procore approved vs DATEV accepted (net), horizontal grouped bars."""
    projects: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    labels: dict[str, str] = {}
    for row in r.rows:
        projects[row.kost1][0] += row.procore_net
        projects[row.kost1][1] += row.accepted
        labels[row.kost1] = f"{row.kost1} {row.project}"
    top = max((max(abs(a), abs(b)) for a, b in projects.values()), default=ZERO) or Decimal(1)
    left, bar_w, row_h = 300, width - 300 - 130, 46
    out = []
    for i, (kost, (pc, dv)) in enumerate(sorted(projects.items())):
        y = 10 + i * row_h
        bars = tuple(
            Bar(key, left, y + 4 + j * 17, max(int(bar_w * abs(value) / top), 1), value)
            for j, (value, key) in enumerate(((pc, "procore"), (dv, "datev")))
        )
        out.append(ProjectBars(labels[kost][:40], y, (bars[0], bars[1])))
    return Chart(width, 20 + len(projects) * row_h, out)


def timeline(r: CloseReport, width: int = WIDTH) -> list[Dot]:
    """Batches with lines in the period, in sealing order, coloured by DATEV state."""
    step = min(max(1, (width - 180) // max(1, len(r.batches))), 220)
    return [
        Dot(
            x=90 + i * step,
            color=STATE_COLORS.get(b.state, "#e0a020"),
            batch_id=b.batch_id,
            state=b.state,
            created=b.created[:16],
            jobs=", ".join(f"{k}: {res}" for k, _j, res in b.jobs),
            lines=b.lines_in_period,
            net=b.net_in_period,
        )
        for i, b in enumerate(r.batches)
    ]


def render_html(
    report: CloseReport,
    lang: Language = DEFAULT_LANGUAGE,
    switch_url: Callable[[str], str] | None = None,
) -> str:
    """The whole report page in ``lang`` (German by default); ``switch_url`` adds a switch."""
    extra = {"switch_url": switch_url} if switch_url else {}
    return render(
        "close_report.html",
        lang,
        r=report,
        chart=bar_chart(report),
        dots=timeline(report),
        width=WIDTH,
        colors=COLORS,
        **extra,
    )
