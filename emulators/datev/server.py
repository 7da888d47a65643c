"""The DATEV emulator: one aiohttp server on loopback serving login, APIs and an admin API.

Paths (one base URL, each product under its own prefix, as DATEV has one host per product):

- ``/openid/authorize``, ``/token``, ``/openid/.well-known/openid-configuration``
- ``/accounting-extf-files/platform/v3/...``, ``/accounting-documents/platform/v2/...``,
  ``/accounting-clients/platform/v2/...``
- admin: ``GET /_emulator/state``, ``POST /_emulator/faults`` (JSON of :class:`Faults` fields),
  ``POST /_emulator/clock/advance`` ``{"seconds": n}``, ``POST /_emulator/login/expire``,
  ``POST /_emulator/login/revoke``
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson
from aiohttp import web

from emulators.datev import api_routes as api
from emulators.datev import contract as p
from emulators.datev import dxso
from emulators.datev.auth_state import AuthState, GrantError
from emulators.datev.clock import EmulatorClock
from emulators.datev.faults import Faults
from emulators.datev.state import DatevState, EmulatedClient, demo_client

AUTH_KEY = web.AppKey("datev_auth", AuthState)
DXSO_KEY = web.AppKey("datev_dxso", dxso.DxsoRoutes)
_PRODUCT_SCOPES = {
    dxso.DXSO_PREFIX: p.SCOPE_DXSO,
    api.EXTF_PREFIX: p.SCOPE_EXTF,
    api.DOCUMENTS_PREFIX: p.SCOPE_DOCUMENTS,
    api.CLIENTS_PREFIX: p.SCOPE_CLIENTS,
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _api_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer token + X-DATEV-Client-Id + scope + injected faults, for the product APIs."""
    prefix = next((x for x in _PRODUCT_SCOPES if request.path.startswith(x)), None)
    if prefix is None:
        return await handler(request)
    state, auth = request.app[api.STATE_KEY], request.app[AUTH_KEY]
    state.api_calls.append((request.method, request.path))
    if request.headers.get(p.CLIENT_ID_HEADER) != auth.client_id:
        return api.problem(401, "Unauthorized", f"missing or wrong {p.CLIENT_ID_HEADER} header")
    bearer = request.headers.get("Authorization", "")
    scope = auth.check_access(bearer[7:]) if bearer.startswith("Bearer ") else None
    if scope is None:
        return api.problem(401, "Unauthorized", "access token missing, unknown or expired")
    if state.faults.take_rate_limit():
        resp = api.problem(429, "Too many requests", "emulated rate limit")
        resp.headers["Retry-After"] = str(state.faults.retry_after_s)
        return resp
    if state.faults.take_server_error():
        return api.problem(state.faults.server_error_status, "Service unavailable", "emulated")
    if _PRODUCT_SCOPES[prefix] not in scope.split():
        if prefix in (api.DOCUMENTS_PREFIX, dxso.DXSO_PREFIX):
            return api.duo_error(403, p.DCO_MISSING_SCOPE, "scope accounting:documents missing")
        return api.problem(403, "Missing scope", _PRODUCT_SCOPES[prefix], "urn:datev:1008829")
    try:
        return await handler(request)
    except api.Abort as abort:
        return abort.response


# -- OAuth ---------------------------------------------------------------------------------
async def _authorize(request: web.Request) -> web.Response:
    q = request.query
    auth, faults = request.app[AUTH_KEY], request.app[api.STATE_KEY].faults
    redirect_uri = q.get("redirect_uri", "")
    if q.get("client_id") != auth.client_id or not redirect_uri:
        return web.Response(status=400, text="unknown client_id or missing redirect_uri")
    if not auth.redirect_allowed(redirect_uri):
        # Like DATEV: no redirect to an unregistered URI (the error stays on the login page).
        return web.Response(status=400, text=f"redirect_uri {redirect_uri} is not registered")
    auth.last_authorize = dict(q)
    params: dict[str, str] = {"state": q.get("state", "")}
    if faults.deny_consent:
        params |= {"error": "access_denied", "error_description": "the user denied consent"}
    elif q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
        params |= {"error": "invalid_request", "error_description": "PKCE S256 is required"}
    elif q.get("response_type") != "code":
        params |= {"error": "unsupported_response_type", "error_description": "use code"}
    else:
        code = auth.issue_code(
            redirect_uri, q["code_challenge"], q.get("nonce", ""), q.get("scope", "")
        )
        params["code"] = code
    sep = "&" if "?" in redirect_uri else "?"
    raise web.HTTPFound(f"{redirect_uri}{sep}{urlencode(params)}")


async def _token(request: web.Request) -> web.Response:
    auth = request.app[AUTH_KEY]
    form = await request.post()
    if not _basic_auth_ok(request.headers.get("Authorization", ""), auth):
        return _oauth_error(401, "invalid_client", "HTTP Basic client authentication failed")
    grant = form.get("grant_type")
    try:
        if grant == "authorization_code":
            body = auth.redeem_code(
                str(form.get("code", "")),
                str(form.get("redirect_uri", "")),
                str(form.get("code_verifier", "")),
            )
        elif grant == "refresh_token":
            body = auth.redeem_refresh(str(form.get("refresh_token", "")))
        else:
            return _oauth_error(400, "unsupported_grant_type", f"{grant!r}")
    except GrantError as exc:
        return _oauth_error(400, exc.code, exc.description)
    return web.Response(body=orjson.dumps(body), content_type="application/json")


def _basic_auth_ok(header: str, auth: AuthState) -> bool:
    if not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return secrets.compare_digest(user, auth.client_id) and secrets.compare_digest(
        password, auth.client_secret
    )


def _oauth_error(status: int, code: str, description: str) -> web.Response:
    body = orjson.dumps({"error": code, "error_description": description})
    return web.Response(status=status, body=body, content_type="application/json")


async def _discovery(request: web.Request) -> web.Response:
    base = f"{request.scheme}://{request.host}"
    doc = {
        "issuer": "datev-emulator",
        "authorization_endpoint": f"{base}/openid/authorize",
        "token_endpoint": f"{base}/token",
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": list(p.LOGIN_SCOPES),
    }
    return web.Response(body=orjson.dumps(doc), content_type="application/json")


# -- admin ---------------------------------------------------------------------------------
async def _admin_state(request: web.Request) -> web.Response:
    snap = request.app[api.STATE_KEY].snapshot()
    snap["live_refresh_tokens"] = request.app[AUTH_KEY].live_refresh_tokens()
    return web.Response(body=orjson.dumps(snap), content_type="application/json")


async def _admin_faults(request: web.Request) -> web.Response:
    faults = request.app[api.STATE_KEY].faults
    try:
        faults.update(orjson.loads(await request.read()))
    except (KeyError, ValueError, TypeError) as exc:
        return web.Response(status=400, text=f"bad fault setting: {exc}")
    return web.Response(body=orjson.dumps(faults.as_dict()), content_type="application/json")


async def _admin_advance(request: web.Request) -> web.Response:
    data = orjson.loads(await request.read())
    request.app[api.STATE_KEY].clock.advance(float(data["seconds"]))
    return web.Response(text="ok")


async def _admin_login(request: web.Request) -> web.Response:
    auth = request.app[AUTH_KEY]
    if request.match_info["action"] == "expire":
        auth.expire_refresh_tokens()
    else:
        auth.revoke_refresh_tokens()
    return web.Response(text="ok")


def build_app(state: DatevState, auth: AuthState) -> web.Application:
    app = web.Application(middlewares=[_api_gate], client_max_size=p.EXTF_MAX_BYTES + 1024)
    app[api.STATE_KEY] = state
    app[AUTH_KEY] = auth
    app.router.add_get("/openid/authorize", _authorize)
    app.router.add_post("/token", _token)
    app.router.add_get("/openid/.well-known/openid-configuration", _discovery)
    app.router.add_get("/_emulator/state", _admin_state)
    app.router.add_post("/_emulator/faults", _admin_faults)
    app.router.add_post("/_emulator/clock/advance", _admin_advance)
    app.router.add_post("/_emulator/login/{action:expire|revoke}", _admin_login)
    api.add_routes(app)
    dxso_routes = dxso.DxsoRoutes(state, api.duo_error, api.find_client)
    dxso_routes.add_routes(app, (api.list_clients, api.get_client))
    app[DXSO_KEY] = dxso_routes
    return app


@dataclass
class DatevEmulator:
    """A running emulator: where it listens, its OAuth client, and its inspectable state."""

    base_url: str
    oauth_client_id: str
    oauth_client_secret: str = field(repr=False)
    state: DatevState = field(repr=False)
    auth: AuthState = field(repr=False)
    dxso: dxso.DxsoRoutes | None = field(default=None, repr=False)

    @property
    def faults(self) -> Faults:
        return self.state.faults

    @property
    def clock(self) -> EmulatorClock:
        return self.state.clock

    def settings_urls(self) -> dict[str, str]:
        """Values for ``streams.config.settings.DatevSettings`` pointing at this emulator."""
        b = self.base_url
        return {
            "authorize_url": f"{b}/openid/authorize",
            "token_url": f"{b}/token",
            "extf_base_url": f"{b}{api.EXTF_PREFIX}",
            "documents_base_url": f"{b}{api.DOCUMENTS_PREFIX}",
            "clients_base_url": f"{b}{api.CLIENTS_PREFIX}",
            "dxso_base_url": f"{b}{dxso.DXSO_PREFIX}",
        }


@contextlib.asynccontextmanager
async def run_datev_emulator(
    clients: Iterable[EmulatedClient] | None = None,
    clock: EmulatorClock | None = None,
    faults: Faults | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    oauth_client_id: str = "emulated-datev-app",
    oauth_client_secret: str | None = None,
    redirect_uris: Iterable[str] | None = None,
    loopback_any_port: bool = True,
) -> AsyncIterator[DatevEmulator]:
    """Start the emulator on ``host:port`` (0 = a free port) and stop it on exit."""
    clock = clock or EmulatorClock()
    chosen = list(clients) if clients is not None else [demo_client()]
    state = DatevState(clock=clock, faults=faults or Faults(), clients={c.id: c for c in chosen})
    secret = oauth_client_secret or secrets.token_urlsafe(24)
    auth = AuthState(clock=clock, client_id=oauth_client_id, client_secret=secret)
    if redirect_uris is not None:
        auth.redirect_uris = tuple(redirect_uris)
    auth.loopback_any_port = loopback_any_port
    app = build_app(state, auth)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound: Any = site._server.sockets[0].getsockname()  # type: ignore[union-attr]
    try:
        yield DatevEmulator(
            f"http://{host}:{bound[1]}", oauth_client_id, secret, state, auth, app[DXSO_KEY]
        )
    finally:
        await runner.cleanup()
