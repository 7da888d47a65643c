"""The token endpoint (client credentials: form body or HTTP Basic) and its info endpoint."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

from aiohttp import web

from emulators.procore import responses as R
from emulators.procore.server import CTX

INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)


def client_credentials(authorization: str | None, form: Mapping[str, Any]) -> tuple[str, str]:
    """RFC 6749 §2.3.1: HTTP Basic (form-urlencoded id and secret) or the form body."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        user, _, password = pair.partition(":")
        return unquote_plus(user), unquote_plus(password)
    return str(form.get("client_id", "")), str(form.get("client_secret", ""))


async def token(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    ctx.counters.token_requests += 1
    if ctx.faults.token_down_next > 0:  # the token endpoint is down (fault switch)
        ctx.faults.token_down_next -= 1
        return R.server_error(503, ctx.faults.retry_after_503_s)
    form = await request.post()
    if form.get("grant_type") != "client_credentials":
        return R.json_response(
            {"error": "unsupported_grant_type", "error_description": "grant_type not supported"},
            400,
        )
    client_id, secret = client_credentials(request.headers.get("Authorization"), form)
    good = hmac.compare_digest(client_id, ctx.config.client_id) and hmac.compare_digest(
        secret, ctx.config.client_secret
    )
    if not good:
        return R.json_response(
            {"error": "invalid_client", "error_description": INVALID_CLIENT}, 401
        )
    value, expires_in = ctx.issue_token()
    return R.json_response(
        {
            "access_token": value,
            "token_type": "bearer",
            "expires_in": expires_in,
            "created_at": int(ctx.clock.now()),
        }
    )


async def token_info(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    problem = ctx.token_problem(request)
    if problem is not None:
        return R.unauthorized(problem)
    raw = request.headers["Authorization"].partition(" ")[2].strip()
    left = int(ctx.tokens[raw] - ctx.clock.now())
    return R.json_response({"resource_owner_id": None, "expires_in_seconds": left, "scope": []})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/oauth/token", token)
    app.router.add_get("/oauth/token/info", token_info)
