"""Server-rendered HTML of the status page: plain semantic markup, no JavaScript."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from streams.operator.actions import BatchRow
from streams.operator.status.model import ClientOverview, RecordRow, TrailEntry

CSS = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}
header{background:#14365d;color:#fff;padding:.6rem 1.5rem;display:flex;gap:2rem;align-items:center}
header h1{font-size:1.2rem;margin:0}
nav a{color:#fff;margin-right:1.2rem;font-weight:600}
main{padding:1rem 1.5rem;max-width:80rem}
table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:1.5rem}
caption{text-align:left;font-weight:700;font-size:1.1rem;padding:.4rem 0}
th,td{border:1px solid #c9ced6;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#e8ecf2}
.ok{color:#0b6b2b;font-weight:600}.warn{color:#8a5300;font-weight:600}
.fail{color:#b00020;font-weight:700}
.notice{background:#fff;border-left:6px solid #14365d;padding:.6rem 1rem;margin-bottom:1rem}
.notice.fail{border-color:#b00020}
button{font:inherit;padding:.25rem .9rem;background:#14365d;color:#fff;border:0;border-radius:4px;
cursor:pointer}
button:focus,a:focus,input:focus{outline:3px solid #f2a900;outline-offset:2px}
input[type=search],input[type=password]{font:inherit;padding:.25rem .5rem;min-width:20rem}
code{font-size:.9em}
"""

DECISION_CLASS = {"batched": "ok", "planned": "ok", "parked": "fail", "ignored": "warn"}
STATE_CLASS = {"completed": "ok", "submitted": "warn", "sealed": "warn", "failed": "fail"}


def e(value: object) -> str:
    return escape("" if value is None else str(value))


def layout(title: str, body: str, notice: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)} · ml-connector</title><style>{CSS}</style></head><body>"
        '<header><h1>ml-connector</h1><nav aria-label="Sections">'
        '<a href="/status/">Overview</a><a href="/status/records">Records</a>'
        '<a href="/status/batches">Batches</a><a href="/status/parked">Parked</a>'
        '<a href="/status/month-end">Month-end</a>'
        f"</nav></header><main><h2>{e(title)}</h2>{notice}{body}</main></body></html>"
    )


def table(caption: str, heads: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    if not body:
        body = f'<tr><td colspan="{len(heads)}">nothing here</td></tr>'
    return f"<table><caption>{e(caption)}</caption><tr>{head}</tr>{body}</table>"


def badge(text: str | None, classes: dict[str, str]) -> str:
    return f'<span class="{classes.get(text or "", "")}">{e(text or "—")}</span>'


def record_link(key: str) -> str:
    return f'<a href="/status/records/{quote(key)}"><code>{e(key)}</code></a>'


def notice(text: str, kind: str = "") -> str:
    return f'<p class="notice {kind}" role="status">{e(text)}</p>' if text else ""


def overview_page(clients: list[ClientOverview], login_state: tuple[str, str]) -> str:
    state, kind = login_state
    login = f'<p class="notice {kind}">DATEV login: <span class="{kind}">{e(state)}</span></p>'
    rows = [
        [
            f"{e(c.name)}<br><code>{e(c.client_id)}</code>",
            e(c.cadence),
            f"{e(c.last_batch or 'none yet')} {badge(c.last_batch_state, STATE_CLASS)}",
            e(c.next_run),
            e(c.lines_today),
            e(c.documents_today),
            f'<a href="/status/parked">{c.parked}</a>' if c.parked else "0",
            f'<span class="fail">{c.failed_batches}</span>' if c.failed_batches else "0",
        ]
        for c in clients
    ]
    heads = ["DATEV client", "Cadence", "Last batch", "Next run", "Lines today"]
    heads += ["Documents today", "Parked", "Failed batches"]
    return login + table("DATEV clients", heads, rows)


def records_page(rows: list[RecordRow], query: str) -> str:
    form = (
        '<form method="get" action="/status/records" role="search">'
        '<label for="q">Search records (key, status, decision, reason) </label>'
        f'<input type="search" id="q" name="q" value="{e(query)}"> '
        "<button type=submit>Search</button></form>"
    )
    table_rows = [
        [
            record_link(r.key),
            e(r.status),
            badge(r.decision, DECISION_CLASS),
            e(r.reason or ""),
            e(r.document_state or ""),
        ]
        for r in rows
    ]
    heads = ["Record", "Procore status", "Decision", "Reason", "Invoice PDF"]
    return form + table(f"{len(rows)} record(s)", heads, table_rows)


def replay_form(key: str) -> str:
    return (
        '<form method="post" action="/status/replay">'
        f'<input type="hidden" name="record" value="{e(key)}">'
        f'<button type="submit" aria-label="Replay {e(key)}">Replay</button></form>'
    )


def parked_page(rows: list[RecordRow]) -> str:
    table_rows = [
        [record_link(r.key), e(r.client_id), e(r.reason or r.document_state), replay_form(r.key)]
        for r in rows
    ]
    intro = (
        "<p>Fix the cause (mapping or the record in Procore), then replay: the booking "
        "decision is taken again with the current mapping.</p>"
    )
    return intro + table("Parked records", ["Record", "DATEV client", "Reason", ""], table_rows)


def record_page(row: RecordRow, entries: list[TrailEntry]) -> str:
    facts = table(
        "Record",
        ["Key", "Decision", "Reason", "DATEV client"],
        [
            [
                f"<code>{e(row.key)}</code>",
                badge(row.decision, DECISION_CLASS),
                e(row.reason),
                e(row.client_id),
            ]
        ],
    )
    replay = replay_form(row.key) if row.decision == "parked" else ""
    trail = table(
        "Audit trail (every stored event)",
        ["When (UTC)", "Event", "Details"],
        [[e(t.when), e(t.event), _details(t.details)] for t in entries],
    )
    return facts + replay + trail


def _details(details: dict[str, Any]) -> str:
    parts = [f"<b>{e(k)}</b>: {e(v)}" for k, v in details.items() if v not in (None, "", [])]
    return "<br>".join(parts)


def batches_page(rows: list[BatchRow]) -> str:
    def files(b: BatchRow) -> str:
        links = [
            f'<a href="/status/batches/{b.batch_id}/{quote(kind)}" download>'
            f"{e(f.get('filename', kind))}</a>"
            for kind, f in b.files.items()
        ]
        return "<br>".join(links)

    def jobs(b: BatchRow) -> str:
        out = []
        for kind, job in b.jobs.items():
            msgs = "; ".join(job.get("messages") or [])
            out.append(f"{e(kind)}: {e(job.get('result'))} {e(msgs)}")
        return "<br>".join(out) or "not submitted yet"

    table_rows = [
        [
            f"<code>{str(b.batch_id)[:8]}</code>",
            f"<code>{e(b.client_id)}</code>",
            e(b.created),
            e(b.lines),
            badge(b.state, STATE_CLASS),
            jobs(b),
            e(b.failure or ""),
            files(b),
        ]
        for b in sorted(rows, key=lambda r: r.created, reverse=True)
    ]
    heads = ["Batch", "Client", "Sealed", "Lines", "State", "DATEV jobs", "Failure", "EXTF"]
    return table("Batches", heads, table_rows)


def login_page(failed: bool) -> str:
    note = notice("Wrong password.", "fail") if failed else ""
    return note + (
        '<form method="post" action="/status/login">'
        '<label for="token">Status page password </label>'
        '<input type="password" id="token" name="token" autocomplete="current-password" '
        'required autofocus> <button type="submit">Sign in</button></form>'
    )
