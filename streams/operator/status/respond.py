"""HTML responses of the status page: the language of the request and the rendered template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlencode

from aiohttp import web

from streams.config.settings import Settings
from streams.operator import i18n
from streams.operator.status import pages

HTML = "text/html"


class HasSettings(Protocol):
    settings: Settings


def view_of(ctx: HasSettings, request: web.Request) -> pages.View:
    """The page language: ``?lang=`` (remembered in a cookie), the cookie, else the setting."""
    fallback = i18n.language(ctx.settings.language)
    chosen = request.query.get("lang") or request.cookies.get(i18n.COOKIE)
    lang = i18n.language(chosen, fallback)

    def switch_url(code: str) -> str:
        query = {k: v for k, v in request.query.items() if k != "lang"}
        return f"{request.path}?{urlencode({**query, 'lang': code})}"

    return pages.View(lang=lang, switch_url=switch_url)


def html(
    request: web.Request,
    ctx: HasSettings,
    template: str,
    title: str,
    *,
    status: int = 200,
    note: str = "",
    note_kind: str = "",
    title_args: dict[str, Any] | None = None,
    **context: Any,
) -> web.Response:
    """``status/<template>.html`` as a response; ``?lang=`` also sets the language cookie."""
    view = view_of(ctx, request)
    text = pages.page(
        template, title, view, note=note, note_kind=note_kind, title_args=title_args, **context
    )
    response = web.Response(text=text, status=status, content_type=HTML, charset="utf-8")
    if request.query.get("lang"):
        response.set_cookie(i18n.COOKIE, view.lang, samesite="Strict", path="/", httponly=True)
    return response


def translator_for(ctx: HasSettings, request: web.Request) -> Callable[..., str]:
    return i18n.translator(view_of(ctx, request).lang)
