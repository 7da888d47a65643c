"""Who gets in: the sign-in form, the throttle on wrong tokens, and the guard around pages."""

from __future__ import annotations

import asyncio

from aiohttp import web

from streams.operator.status import auth
from streams.operator.status.context import Handler, StatusContext
from streams.operator.status.respond import html as _html
from streams.operator.status.respond import translator_for as _t


def _address(request: web.Request) -> str:
    return request.remote or "unknown"


async def refusal(ctx: StatusContext, request: web.Request) -> web.StreamResponse | None:
    """Misdirected (DNS rebinding in demo mode) or locked out after wrong tokens; else None."""
    if not auth.host_allowed(ctx.settings, request.headers):
        return web.Response(
            status=421, text="refused: this demo server answers only to localhost / 127.0.0.1"
        )
    locked = ctx.throttle.locked_for(_address(request))
    if locked <= 0:
        return None
    minutes = max(1, round(locked / 60))
    note = _t(ctx, request)(
        "Too many wrong tokens from your address: try again in {minutes} minute(s).",
        minutes=minutes,
    )
    response = _html(request, ctx, "message", "Sign in", status=429, note=note, note_kind="fail")
    response.headers["Retry-After"] = str(int(locked) + 1)
    return response


async def _wrong_token(ctx: StatusContext, request: web.Request) -> None:
    """Count the failure, then answer no sooner than the throttle says."""
    ctx.throttle.failed(_address(request))
    delay = ctx.throttle.delay_for(_address(request))
    if delay > 0 and ctx.throttle.locked_for(_address(request)) <= 0:
        await asyncio.sleep(delay)


def guarded(handler: Handler, *, html: bool = True) -> Handler:
    """Refuse unauthenticated requests: to the login form for pages, 401 for machines."""

    async def guarded_handler(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
        if not auth.configured(ctx.settings):
            return _html(
                request,
                ctx,
                "message",
                "Status page disabled",
                status=503,
                note=_t(ctx, request)(
                    "Set a status page password (status_token / MLC_STATUS_TOKEN) to use it."
                ),
                note_kind="fail",
            )
        refused = await refusal(ctx, request)
        if refused is not None:
            return refused
        if auth.authorized(ctx.settings, request.headers, request.cookies):
            return await handler(ctx, request)
        if auth.bearer(request.headers) is not None:  # a wrong token counts like a wrong login
            await _wrong_token(ctx, request)
        if html:
            raise web.HTTPSeeOther("/status/login")
        return web.Response(status=401, text="unauthorized", headers={"WWW-Authenticate": "Bearer"})

    return guarded_handler


async def login_form(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    return _html(request, ctx, "login", "Sign in", failed=False)


async def login(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    refused = await refusal(ctx, request)
    if refused is not None:
        return refused
    form = await request.post()
    session = auth.new_session(ctx.settings)
    if session is None or not auth.token_matches(ctx.settings, str(form.get("token", ""))):
        await _wrong_token(ctx, request)
        refused = await refusal(ctx, request)  # this attempt may have locked the address
        return refused or _html(request, ctx, "login", "Sign in", status=401, failed=True)
    ctx.throttle.succeeded(_address(request))
    response = web.HTTPSeeOther("/status/")
    secure = not auth.is_loopback(ctx.settings.web_host)
    response.set_cookie(
        auth.COOKIE,
        session,
        httponly=True,
        samesite="Strict",
        secure=secure,
        path="/",
        max_age=auth.SESSION_TTL_S,
    )
    raise response
