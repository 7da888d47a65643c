"""Attachment downloads: the API URL redirects to a pre-signed storage URL (like AWS S3).

The storage endpoint refuses requests that carry an ``Authorization`` header, as S3 does for
pre-signed URLs — so a client that forwards its Procore token on the redirect fails loudly.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import quote

from aiohttp import web

from emulators.procore import responses as R
from emulators.procore.pdf import invoice_pdf
from emulators.procore.server import CTX

_SIGNING_KEY = secrets.token_bytes(16)
S3_TWO_AUTHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code>'
    "<Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
    "Signature query string parameter or the Authorization header should be specified"
    "</Message></Error>"
)


def _signature(file_id: int) -> str:
    return hmac.new(_SIGNING_KEY, str(file_id).encode(), hashlib.sha256).hexdigest()


async def prostore_file(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CTX]
    problem = ctx.token_problem(request)
    if problem is not None:
        return R.unauthorized(problem)
    file_id = int(request.match_info["id"])
    if file_id not in ctx.state.files:
        return R.not_found()
    location = (
        f"{ctx.base_url}/storage/{file_id}/invoice.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Expires=3600&X-Amz-Signature={quote(_signature(file_id))}"
    )
    raise web.HTTPFound(location)


async def storage_object(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CTX]
    if "Authorization" in request.headers:
        return web.Response(text=S3_TWO_AUTHS, status=400, content_type="application/xml")
    file_id = int(request.match_info["id"])
    expected = _signature(file_id)
    given = request.query.get("X-Amz-Signature", "")
    if file_id not in ctx.state.files or not hmac.compare_digest(given, expected):
        return web.Response(text="<Error><Code>AccessDenied</Code></Error>", status=403)
    body = invoice_pdf(ctx.state.files[file_id])
    response = web.StreamResponse(headers={"Content-Type": "application/pdf"})
    response.content_length = len(body)
    await response.prepare(request)
    for start in range(0, len(body), 512):  # several chunks: clients must stream, not assume one
        await response.write(body[start : start + 512])
    await response.write_eof()
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/prostore/files/{id:\\d+}", prostore_file)
    app.router.add_get("/storage/{id:\\d+}/{name}", storage_object)
