"""Interactive DATEV login: a loopback redirect listener, or a pasted-back redirect URL.

Both end the same way: the code is exchanged (PKCE verifier, nonce checked) and the refresh
token goes into the vault. Nothing here prints secrets; callers get a :class:`LoginOutcome`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from aiohttp import web

from adapters.datev.errors import DatevLoginFailed
from adapters.datev.login_state import clear_login_problem
from adapters.datev.oauth import LoginRequest, OAuthConfig, begin_login, code_from_redirect
from adapters.datev.oauth import exchange_code as _exchange
from adapters.datev.tokens import rotated
from adapters.vault import Vault

CALLBACK_PATH = "/callback"
_DONE_PAGE = (
    "<!doctype html><title>ml-connector</title><p>DATEV login received. "
    "You can close this tab and return to the terminal.</p>"
)

OpenUrl = Callable[[str], Awaitable[object] | object]


@dataclass(frozen=True)
class LoginOutcome:
    scope: str
    refresh_expires_at: datetime | None
    generation: int


class LoopbackListener:
    """Receives the one redirect from the browser on ``http://host:port/callback``."""

    def __init__(self, host: str, port: int, path: str = CALLBACK_PATH) -> None:
        self.host, self.port, self.path = host, port, path
        self._received: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    @property
    def redirect_uri(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    async def _callback(self, request: web.Request) -> web.Response:
        if not self._received.done():
            self._received.set_result(str(request.url))
        return web.Response(text=_DONE_PAGE, content_type="text/html")

    @asynccontextmanager
    async def running(self) -> AsyncIterator[LoopbackListener]:
        app = web.Application()
        app.router.add_get(self.path, self._callback)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise DatevLoginFailed(
                f"cannot listen on {self.host}:{self.port} for the DATEV redirect ({exc}); "
                "free the port or set datev.redirect_port (MLC_DATEV__REDIRECT_PORT)"
            ) from None
        if self.port == 0:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            yield self
        finally:
            await runner.cleanup()

    async def wait(self, timeout_s: float) -> str:
        try:
            return await asyncio.wait_for(asyncio.shield(self._received), timeout_s)
        except TimeoutError:
            raise DatevLoginFailed(
                f"no DATEV redirect arrived within {timeout_s:.0f} s; start the login again "
                "(or use --no-browser and paste the redirected URL)"
            ) from None


async def login_with_loopback(
    http: httpx.AsyncClient,
    config: OAuthConfig,
    vault: Vault,
    open_url: OpenUrl,
    *,
    host: str = "127.0.0.1",
    port: int = 8788,
    timeout_s: float = 300.0,
    path: str = CALLBACK_PATH,
) -> LoginOutcome:
    """Start the listener, open the authorize URL, wait for the redirect, store the login."""
    listener = LoopbackListener(host, port, path)
    async with listener.running():
        request = begin_login(config, listener.redirect_uri)
        opened = open_url(request.url)
        if inspect.isawaitable(opened):
            await opened
        redirected = await listener.wait(timeout_s)
    return await finish_login(http, config, vault, request, redirected)


async def login_with_paste(
    http: httpx.AsyncClient,
    config: OAuthConfig,
    vault: Vault,
    show_url: Callable[[str], None],
    read_redirect: Callable[[], Awaitable[str]],
    *,
    redirect_uri: str,
) -> LoginOutcome:
    """``--no-browser``: show the URL, read back the URL the browser was redirected to."""
    request = begin_login(config, redirect_uri)
    show_url(request.url)
    return await finish_login(http, config, vault, request, await read_redirect())


async def finish_login(
    http: httpx.AsyncClient,
    config: OAuthConfig,
    vault: Vault,
    request: LoginRequest,
    redirected: str,
) -> LoginOutcome:
    code = code_from_redirect(redirected, request)
    tokens = await _exchange(http, config, request, code)
    now = datetime.now(UTC)
    async with vault.refresh_lock():
        secrets_now = vault.read()
        entry = rotated(secrets_now.datev_refresh, tokens, now)
        vault.write(secrets_now.model_copy(update={"datev_refresh": entry}))
    clear_login_problem(vault.path.parent)
    return LoginOutcome(tokens.scope, entry.expires_at, entry.generation)


def loopback_parts(redirect_uri: str) -> tuple[str, int, str] | None:
    """(host, port, path) if the URI is a plain-http loopback one we can listen on, else None."""
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    port = 80 if parts.port is None else parts.port  # 0: any free port, not 80
    return parts.hostname, port, parts.path or "/"


def with_windows_sso(config: OAuthConfig, enabled: bool) -> OAuthConfig:
    """``enableWindowsSso=true`` on the authorize URL when the setting asks for it."""
    if not enabled:
        return config
    extra = {**config.extra_authorize_params, "enableWindowsSso": "true"}
    return replace(config, extra_authorize_params=extra)
