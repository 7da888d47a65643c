"""The close report as one static HTML file: inline CSS, server-side SVG charts, no script."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from html import escape

from domain.close_report import CloseReport
from domain.money import ZERO

CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1d2433;
background:#f6f7fb}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6478;margin-bottom:16px}
.verdict{padding:12px 16px;border-radius:8px;font-weight:600;margin:12px 0 20px}
.ok{background:#e3f6ea;color:#14632f;border:1px solid #9bd5ae}
.bad{background:#fdecec;color:#8a1c1c;border:1px solid #f0a8a8}
.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
.tile{background:#fff;border-radius:8px;padding:12px 14px;box-shadow:0 1px 2px #0002}
.tile .k{color:#5b6478;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.tile .v{font-size:20px;font-weight:600;margin-top:4px;font-variant-numeric:tabular-nums}
.card{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0002}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:5px 8px;border-bottom:1px solid #e6e8ef;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;white-space:nowrap}
.cause{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef0f6;font-size:12px}
.c-failed_job,.c-deleted,.c-unexplained{background:#fde2e2}
.c-parked_unmapped,.c-parked_tax,.c-parked_bad_data{background:#fff1d6}
details summary{cursor:pointer}code{background:#eef0f6;padding:1px 4px;border-radius:4px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;border-radius:2px}
"""
COLORS = {"procore": "#3b6fd8", "datev": "#2faa6a"}
STATE_COLORS = {"completed": "#2faa6a", "failed": "#d64545", "submitted": "#e0a020"}


def _m(value: Decimal) -> str:
    return f"{value:,.2f}"


def _tiles(r: CloseReport) -> str:
    tiles = [
        ("Procore approved (net)", _m(r.total("procore_net"))),
        ("DATEV accepted (net)", _m(r.total("accepted"))),
        ("Open difference", _m(r.open_difference)),
        ("Records with a difference", str(len(r.differences))),
        ("Pending (unsealed)", _m(r.total("pending"))),
        ("Parked", _m(r.total("parked"))),
        ("Submitted / failed", f"{_m(r.total('submitted'))} / {_m(r.total('failed'))}"),
        ("Documents uploaded", f"{r.documents_uploaded} ({r.documents_failed} failed)"),
    ]
    cells = "".join(
        f'<div class="tile"><div class="k">{escape(k)}</div><div class="v">{escape(v)}</div></div>'
        for k, v in tiles
    )
    return f'<div class="tiles">{cells}</div>'


def bar_chart(r: CloseReport, width: int = 1180) -> str:
    """Per project: Procore approved vs DATEV accepted (net), horizontal grouped bars."""
    projects: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    labels: dict[str, str] = {}
    for row in r.rows:
        projects[row.kost1][0] += row.procore_net
        projects[row.kost1][1] += row.accepted
        labels[row.kost1] = f"{row.kost1} {row.project}"
    if not projects:
        return "<p>No amounts in this period.</p>"
    top = max((max(abs(a), abs(b)) for a, b in projects.values()), default=ZERO) or Decimal(1)
    left, bar_w, row_h = 300, width - 300 - 130, 46
    parts = []
    for i, (kost, (pc, dv)) in enumerate(sorted(projects.items())):
        y = 10 + i * row_h
        parts.append(f'<text x="0" y="{y + 20}" font-size="13">{escape(labels[kost][:40])}</text>')
        for j, (value, key) in enumerate(((pc, "procore"), (dv, "datev"))):
            w = int(bar_w * abs(value) / top)
            yy = y + 4 + j * 17
            parts.append(
                f'<rect x="{left}" y="{yy}" width="{max(w, 1)}" height="14" rx="2" '
                f'fill="{COLORS[key]}"><title>{key}: {_m(value)}</title></rect>'
                f'<text x="{left + w + 6}" y="{yy + 11}" font-size="11">{_m(value)}</text>'
            )
    height = 20 + len(projects) * row_h
    legend = (
        '<div class="legend"><span style="background:#3b6fd8"></span>Procore approved'
        '<span style="background:#2faa6a"></span>DATEV accepted</div>'
    )
    return (
        f'<svg role="img" aria-label="Procore approved vs DATEV accepted per project" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"{''.join(parts)}</svg>{legend}"
    )


def timeline(r: CloseReport, width: int = 1180) -> str:
    """Batches with lines in the period, in sealing order, coloured by DATEV state."""
    if not r.batches:
        return "<p>No batch holds lines of this period yet.</p>"
    step = max(1, (width - 180) // max(1, len(r.batches)))
    step = min(step, 220)
    parts = [f'<line x1="20" y1="40" x2="{width - 20}" y2="40" stroke="#c5cad8"/>']
    for i, b in enumerate(r.batches):
        x = 90 + i * step
        color = STATE_COLORS.get(b.state, "#e0a020")
        jobs = ", ".join(f"{k}: {res}" for k, _j, res in b.jobs) or "no job yet"
        parts.append(
            f'<circle cx="{x}" cy="40" r="9" fill="{color}"><title>{escape(b.batch_id)} '
            f"{escape(b.state)} — {escape(jobs)}</title></circle>"
            f'<text x="{x}" y="22" font-size="11" text-anchor="middle">{escape(b.created[:16])}'
            f'</text><text x="{x}" y="64" font-size="11" text-anchor="middle">'
            f"{escape(b.batch_id[:8])} · {escape(b.state)}</text>"
            f'<text x="{x}" y="79" font-size="11" text-anchor="middle">{b.lines_in_period} '
            f"lines · {_m(b.net_in_period)}</text>"
        )
    return (
        f'<svg role="img" aria-label="timeline of batches and DATEV jobs" width="{width}" '
        f'height="90" viewBox="0 0 {width} 90">{"".join(parts)}</svg>'
    )


def _differences(r: CloseReport) -> str:
    if not r.differences:
        return "<p>No differences: every approved record is accepted by DATEV to the cent.</p>"
    rows = []
    for d in r.differences:
        carried = f" <em>(from closed {escape(d.carried_from)})</em>" if d.carried_from else ""
        rows.append(
            f"<tr><td><details><summary><code>{escape(d.ref)}</code></summary>"
            f"<p>{escape(d.detail) or '—'}</p><p>Drill down: <code>{escape(d.audit)}</code></p>"
            f'</details></td><td><span class="cause c-{d.cause}">{escape(d.label)}</span>'
            f'{carried}</td><td>{escape(d.kost1)}</td><td class="n">{_m(d.procore)}</td>'
            f'<td class="n">{_m(d.datev)}</td><td class="n">{_m(d.amount)}</td></tr>'
        )
    head = (
        '<tr><th>Record</th><th>Cause</th><th>KOST1</th><th class="n">Procore net</th>'
        '<th class="n">DATEV accepted</th><th class="n">Difference</th></tr>'
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _accounts(r: CloseReport) -> str:
    names = ("Procore net", "Tax", "Gross", "Booked", "Pending", "Parked", "Submitted")
    head = "".join(f'<th class="n">{n}</th>' for n in (*names, "Failed", "Accepted", "Diff."))
    rows = "".join(
        f"<tr><td>{escape(row.kost1)} {escape(row.project)}</td><td>{row.account or '—'}</td>"
        + "".join(
            f'<td class="n">{_m(v)}</td>'
            for v in (
                row.procore_net,
                row.procore_tax,
                row.procore_gross,
                row.booked,
                row.pending,
                row.parked,
                row.submitted,
                row.failed,
                row.accepted,
                row.difference,
            )
        )
        + "</tr>"
        for row in r.rows
    )
    return f"<table><tr><th>Project</th><th>Account</th>{head}</tr>{rows}</table>"


def _commitments(r: CloseReport) -> str:
    if not r.commitments:
        return "<p>No approved commitments.</p>"
    rows = "".join(
        f"<tr><td><code>{escape(c.ref)}</code></td><td>{escape(c.title)}</td>"
        f"<td>{escape(c.status)}</td><td class='n'>{_m(c.committed)}</td>"
        f"<td class='n'>{_m(c.invoiced_to_date)}</td><td class='n'>{_m(c.open_balance)}</td></tr>"
        for c in r.commitments
    )
    return (
        "<table><tr><th>Commitment</th><th>Title</th><th>Status</th><th class='n'>Committed</th>"
        f"<th class='n'>Invoiced to date</th><th class='n'>Open</th></tr>{rows}</table>"
    )


def render_html(report: CloseReport) -> str:
    ok = report.reconciled
    state = "closed" if report.closed else "open"
    scope = f" · project {escape(report.project)}" if report.project else ""
    carried = ""
    if report.carried:
        items = "".join(
            f"<li><code>{escape(d.ref)}</code> from closed {escape(d.carried_from or '')}: "
            f"{_m(d.procore)} booked in {escape(report.period)}</li>"
            for d in report.carried
        )
        carried = f"<h2>Changes to closed periods booked in this period</h2><ul>{items}</ul>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Reconciliation {escape(report.client_id)} {escape(report.period)}</title>
<style>{CSS}</style></head><body>
<h1>Month-end close {escape(report.period)} — DATEV client {escape(report.client_id)}</h1>
<div class="sub">Period {state}{scope} · closed periods: {
        escape(", ".join(report.closed_periods) or "none")
    } · amounts net in EUR</div>
<div class="verdict {"ok" if ok else "bad"}">{escape(report.verdict)}</div>
{_tiles(report)}
<h2>Procore approved vs DATEV accepted, per project</h2><div class="card">{bar_chart(report)}</div>
<h2>Differences</h2><div class="card">{_differences(report)}</div>
{carried}
<h2>Batches and DATEV jobs</h2><div class="card">{timeline(report)}</div>
<h2>Per project and account</h2><div class="card">{_accounts(report)}</div>
<h2>Commitments (information, not booked)</h2><div class="card">{_commitments(report)}</div>
</body></html>
"""
