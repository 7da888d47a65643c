"""HTTP handlers of the status page, health endpoints and metrics, and their registration.

Handlers take aiohttp requests (faust's web driver is aiohttp) and return aiohttp responses, so
the same table is mounted on the worker's faust web server (:func:`register_status_page`) and,
in tests, on a bare aiohttp application (:func:`status_application`).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from aiohttp import web

from adapters.datev.login_state import read_login_state
from adapters.vault import Vault
from domain.sealing import sealed_files
from streams.config.settings import Settings
from streams.errors import ConnectorError
from streams.inputs.access import ACCESS_FILE, read_access_problems
from streams.ledger.application import Ledger
from streams.ledger.rules import BookingRules
from streams.operator.actions import batch_rows, find_document, replay_record
from streams.operator.mapping.watch import MappingWatcher
from streams.operator.review.model import awaiting_review
from streams.operator.status import auth, model
from streams.operator.status.context import Handler, StatusContext
from streams.operator.status.editor import EDITOR_ROUTES
from streams.operator.status.guard import guarded, login, login_form
from streams.operator.status.metrics import CONTENT_TYPE, render
from streams.operator.status.respond import html as _html
from streams.operator.status.respond import translator_for as _t
from streams.operator.status.respond import view_of
from streams.operator.status.review import REVIEW_ROUTES

MAPPING_CHECK_S = 2.0  # how often the worker looks for edited mapping files
HTML = "text/html"


# -- machine endpoints -------------------------------------------------------------------------


async def healthz(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    return web.json_response({"status": "alive"})


async def readyz(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    try:
        last = await asyncio.to_thread(ctx.ledger.recorder.max_notification_id)
    except Exception as exc:
        return web.json_response(
            {"status": "event store unreachable", "error": str(exc)}, status=503
        )
    body: dict[str, object] = {"status": "ready", "events": last or 0}
    recorded = await asyncio.to_thread(read_login_state, ctx.settings.data_dir)
    if recorded is not None:
        # Still ready to take webhooks (nothing is lost); DATEV uploads wait for a person.
        body |= {"status": "degraded", "datev": recorded.describe()}
    return web.json_response(body)


async def metrics(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    body = await asyncio.to_thread(render, ctx.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


# -- pages -------------------------------------------------------------------------------------


async def overview(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    rows = await asyncio.to_thread(model.overview, ctx.ledger, ctx.rules)
    access = await asyncio.to_thread(read_access_problems, ctx.settings.data_dir / ACCESS_FILE)
    state, kind = ctx.login_state()
    waiting = await asyncio.to_thread(awaiting_review, ctx.ledger)
    in_review = {c.client_id: sum(1 for b in waiting if b.client_id == c.client_id) for c in rows}
    reviewed = {
        cid
        for cid, c in (ctx.rules.clients if ctx.rules else {}).items()
        if c.mapping.schedule.review
    }
    return _html(
        request,
        ctx,
        "overview",
        "Overview",
        clients=rows,
        login_state=state,
        login_kind=kind,
        in_review=in_review,
        reviewed=reviewed,
        access_problems=access,
    )


async def records(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    query = request.query.get("q", "")
    rows = await asyncio.to_thread(model.records, ctx.ledger, query)
    return _html(request, ctx, "records", "Records", rows=rows, query=query)


async def record(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    key = request.match_info["key"]
    try:
        doc = await asyncio.to_thread(find_document, ctx.ledger, key)
    except ConnectorError as exc:
        return _html(
            request, ctx, "message", "Record not found", status=404, note=str(exc), note_kind="fail"
        )
    entries = await asyncio.to_thread(model.trail, ctx.ledger, doc)
    note = ""
    if request.query.get("replayed"):
        t = _t(ctx, request)
        note = t("Replay requested; decision now: {decision}.", decision=t(doc.decision))
    return _html(
        request,
        ctx,
        "record",
        "Record {key}",
        title_args={"key": key},
        note=note,
        row=model.record_row(doc),
        entries=entries,
    )


async def parked(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    rows = await asyncio.to_thread(model.parked_rows, ctx.ledger)
    return _html(request, ctx, "parked", "Parked records", rows=rows)


async def batches(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    rows = await asyncio.to_thread(batch_rows, ctx.ledger)
    rows = sorted(rows, key=lambda r: r.created, reverse=True)
    return _html(request, ctx, "batches", "Batches", rows=rows)


async def batch_file(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    batch = await asyncio.to_thread(model.find_batch_by_id, ctx.ledger, request.match_info["id"])
    kind = request.match_info["kind"]
    if batch is None or ctx.rules is None or kind not in batch.files:
        note = _t(ctx, request)("no such batch file")
        return _html(request, ctx, "message", "Not found", status=404, note=note, note_kind="fail")
    mapping = ctx.rules.client(batch.client_id).mapping
    files = await asyncio.to_thread(sealed_files, batch, mapping)
    f = files[kind]
    return web.Response(
        body=f.data,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{f.filename}"',
        },
    )


async def replay(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    if not auth.same_origin(request.headers):
        return web.Response(status=403, text="cross-site request refused")
    form = await request.post()
    key = str(form.get("record", ""))
    try:
        await asyncio.to_thread(replay_record, ctx.ledger, key, "status page")
    except ConnectorError as exc:
        return _html(
            request, ctx, "message", "Replay failed", status=400, note=str(exc), note_kind="fail"
        )
    raise web.HTTPSeeOther(f"/status/records/{quote(key)}?replayed=1")


async def month_end(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    """The static month-end report, rendered live (``?client=…&period=YYYY-MM``)."""
    from domain.periods import parse_period
    from streams.operator.close import reconciliation_report
    from streams.operator.close_html import render_html

    if ctx.rules is None or not ctx.rules.clients:
        note = _t(ctx, request)("no mapping files configured")
        return _html(request, ctx, "message", "Month-end", status=404, note=note, note_kind="fail")
    client = request.query.get("client") or next(iter(ctx.rules.clients))
    period = request.query.get("period") or datetime.now().strftime("%Y-%m")
    try:
        rules = ctx.rules.client(client)
        period = parse_period(period)
    except (ConnectorError, ValueError) as exc:
        return _html(
            request, ctx, "message", "Month-end", status=400, note=str(exc), note_kind="fail"
        )
    report = await asyncio.to_thread(reconciliation_report, ctx.ledger, rules, period)
    view = view_of(ctx, request)
    html = render_html(report, view.lang, view.switch_url)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/healthz", healthz),
    ("GET", "/readyz", readyz),
    ("GET", "/metrics", guarded(metrics, html=False)),
    ("GET", "/status/", guarded(overview)),
    ("GET", "/status/records", guarded(records)),
    ("GET", "/status/records/{key}", guarded(record)),
    ("GET", "/status/parked", guarded(parked)),
    ("GET", "/status/batches", guarded(batches)),
    ("GET", "/status/batches/{id}/{kind}", guarded(batch_file)),
    ("GET", "/status/month-end", guarded(month_end)),
    ("POST", "/status/replay", guarded(replay)),
    *[(method, path, guarded(handler)) for method, path, handler in EDITOR_ROUTES],
    *[(method, path, guarded(handler)) for method, path, handler in REVIEW_ROUTES],
    ("GET", "/status/login", login_form),
    ("POST", "/status/login", login),
]


class BuiltParts(Protocol):
    """What the page needs of the composition root's ``Parts``."""

    settings: Settings
    ledger: Ledger
    rules: BookingRules | None
    vault: Vault | None
    gateway: Any


def status_context(parts: BuiltParts) -> StatusContext:
    """The page's view of the built parts (``streams.bootstrap.Parts``)."""
    return StatusContext(
        settings=parts.settings,
        ledger=parts.ledger,
        rules=parts.rules,
        vault=parts.vault,
        gateway=parts.gateway,
        attachments=getattr(parts, "procore", None),
    )


def register_status_page(app: Any, parts: BuiltParts) -> StatusContext:
    """Mount every route on the faust app's web server (call once, in ``build_worker``)."""
    from faust.web import View

    from streams.config.telemetry import ConsumerLagCollector

    ctx = status_context(parts)
    settings = ctx.settings
    ctx.registry.register(ConsumerLagCollector(app))
    if ctx.rules is not None:
        watcher = MappingWatcher(ctx.rules, list(settings.mappings))

        async def reload_mappings() -> None:  # every process: each holds its own rules
            await asyncio.to_thread(watcher.check)

        app.timer(MAPPING_CHECK_S, name="mapping-reload")(reload_mappings)

    by_path: dict[str, dict[str, Handler]] = {}
    for method, path, handler in ROUTES:
        by_path.setdefault(path, {})[method] = handler
    for path, handlers in by_path.items():
        attrs: dict[str, Any] = {}
        for method, handler in handlers.items():

            async def call(
                self: Any, request: web.Request, _h: Handler = handler, **_: Any
            ) -> web.StreamResponse:
                try:
                    return await _h(ctx, request)
                except web.HTTPException as exc:  # redirects are raised by aiohttp convention
                    return exc

            attrs[method.lower()] = call
        view = type(f"Status{len(path)}_{abs(hash(path))}", (View,), attrs)
        app.page(path, name=f"status:{path}")(view)
    return ctx


def status_application(ctx: StatusContext) -> web.Application:
    """The same routes on a bare aiohttp app (tests, or serving without a worker)."""
    application = web.Application()
    for method, path, handler in ROUTES:

        async def call(request: web.Request, _h: Handler = handler) -> web.StreamResponse:
            return await _h(ctx, request)

        application.router.add_route(method, path, call)
    return application
