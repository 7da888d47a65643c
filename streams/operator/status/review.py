"""The review step on the status page: batches awaiting approval, one batch, approve/reject."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import quote
from uuid import UUID

from aiohttp import web

from domain.changes import RecordRef
from domain.planning import invoice_attachment
from streams.errors import ConnectorError
from streams.operator.actions import find_document
from streams.operator.review import actions
from streams.operator.review.model import awaiting_review, review_of, reviewed
from streams.operator.status import auth
from streams.operator.status.respond import html, translator_for

if TYPE_CHECKING:
    from streams.operator.status.context import StatusContext

BASE = "/status/review"
SIGNED_IN_AS = "status page"  # the page has one password, not personal accounts


def _by(request: web.Request, form_name: str) -> str:
    name = form_name.strip()[:80]
    return f"{name} (status page)" if name else SIGNED_IN_AS


async def review_list(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    waiting = await asyncio.to_thread(awaiting_review, ctx.ledger)
    done = await asyncio.to_thread(reviewed, ctx.ledger)
    return html(request, ctx, "review_list", "Review", waiting=waiting, done=done)


async def review_batch(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    t = translator_for(ctx, request)
    if ctx.rules is None:
        note = t("no mapping files configured")
        return html(request, ctx, "message", "Review", status=404, note=note, note_kind="fail")
    try:
        batch_id = UUID(request.match_info["id"])
        view = await asyncio.to_thread(review_of, ctx.ledger, ctx.rules, batch_id)
    except (ValueError, LookupError, ConnectorError) as exc:
        return html(request, ctx, "message", "Review", status=404, note=str(exc), note_kind="fail")
    note = ""
    if decided := request.query.get("decided"):
        note = t("Batch {decision}.", decision=t(decided))
    return html(
        request,
        ctx,
        "review",
        "Review of batch {batch}",
        title_args={"batch": str(batch_id)[:8]},
        note=note,
        r=view,
    )


async def review_decide(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    if not auth.same_origin(request.headers):
        return web.Response(status=403, text="cross-site request refused")
    form = await request.post()
    batch_id = request.match_info["id"]
    decision = request.match_info["decision"]
    note = str(form.get("note", "")).strip()
    by = _by(request, str(form.get("by", "")))
    try:
        if decision == "approve":
            await asyncio.to_thread(actions.approve, ctx.ledger, batch_id, by, note)
        elif decision == "reject":
            await asyncio.to_thread(actions.reject, ctx.ledger, batch_id, by, note)
        else:
            raise web.HTTPNotFound()
    except ConnectorError as exc:
        return html(request, ctx, "message", "Review", status=400, note=str(exc), note_kind="fail")
    state = "approved" if decision == "approve" else "rejected"
    raise web.HTTPSeeOther(f"{BASE}/{batch_id}?decided={state}")


async def invoice_pdf(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    """The record's invoice PDF, read from Procore through the worker's client."""
    t = translator_for(ctx, request)
    key = request.match_info["key"]
    try:
        doc = await asyncio.to_thread(find_document, ctx.ledger, key)
    except ConnectorError as exc:
        return html(
            request, ctx, "message", "Not found", status=404, note=str(exc), note_kind="fail"
        )
    attachment = invoice_attachment(doc.record or {})
    if attachment is None or ctx.attachments is None:
        note = t("no invoice PDF for this record (or no Procore connection in this process)")
        return html(request, ctx, "message", "Not found", status=404, note=note, note_kind="fail")
    response = web.StreamResponse(
        headers={
            "Content-Type": "application/pdf",
            "Content-Disposition": f'inline; filename="{quote(attachment.filename)}"',
        }
    )
    company = RecordRef.parse(doc.key).company_id
    stream = ctx.attachments.stream_attachment(attachment.url, company_id=company)
    first = await anext(stream)  # a Procore error answers before any byte is sent
    await response.prepare(request)
    await response.write(first)
    async for chunk in stream:
        await response.write(chunk)
    await response.write_eof()
    return response


REVIEW_ROUTES = [
    ("GET", BASE, review_list),
    ("GET", BASE + "/{id}", review_batch),
    ("POST", BASE + "/{id}/{decision}", review_decide),
    ("GET", "/status/records/{key}/invoice.pdf", invoice_pdf),
]
