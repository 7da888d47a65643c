"""The emulator's aiohttp application: context, guards (faults, rate limit, auth, company header).

Error texts and statuses Procore does not document precisely are kept in ``responses.py``.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from emulators.procore import responses as R
from emulators.procore.clock import Clock, SystemClock
from emulators.procore.data import EmulatorState, Size, generate
from emulators.procore.faults import Faults
from emulators.procore.limits import Counters, RateLimiter

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class EmulatorConfig:
    """How the emulator behaves; everything has a demo-friendly default."""

    seed: int = 7
    size: str | int | Size = "small"
    client_id: str = "emulator-client-id"
    client_secret: str = "emulator-client-secret"
    token_ttl_s: int = 5400
    hourly_limit: int = 100_000
    spike_limit: int | None = None
    webhook_url: str | None = None
    webhook_auth: str | None = None
    payload_version: str = "v3.0"
    webhook_batch: int = 10
    max_per_page: int = 10_000


@dataclass
class EmulatorContext:
    """Shared by every handler: data, faults, counters, tokens, the rate limiter, the clock."""

    config: EmulatorConfig
    clock: Clock = field(default_factory=SystemClock)
    faults: Faults = field(default_factory=Faults)
    counters: Counters = field(default_factory=Counters)
    base_url: str = ""
    tokens: dict[str, float] = field(default_factory=dict)  # token → expires at (Unix s)
    blocked_until: float = 0.0
    state: EmulatorState = field(init=False)
    limiter: RateLimiter = field(init=False)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.config.hourly_limit, self.config.spike_limit)
        self.rng = random.Random(self.config.seed)
        self.state = generate(self.config.seed, self.config.size, self.clock)

    def reset(self) -> None:
        """Fresh data from the same seed; listeners (webhooks) and credentials stay."""
        listeners = self.state.listeners
        self.state = generate(self.config.seed, self.config.size, self.clock)
        self.state.listeners.extend(listeners)
        self.faults = Faults()
        self.counters.reset()
        self.tokens.clear()
        self.blocked_until = 0.0
        self.limiter = RateLimiter(self.config.hourly_limit, self.config.spike_limit)
        self.rng = random.Random(self.config.seed)

    def issue_token(self) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = self.clock.now() + self.config.token_ttl_s
        return token, self.config.token_ttl_s

    def token_problem(self, request: web.Request) -> str | None:
        """None when the Bearer token is valid; else the 401 description."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return "The access token is missing"
        expires_at = self.tokens.get(token.strip())
        if expires_at is None:
            return "The access token is invalid"
        if self.clock.now() >= expires_at:
            return "The access token expired"
        return None


CTX = web.AppKey("procore_emulator", EmulatorContext)


def company_of(request: web.Request) -> int:
    """The company from the (already checked) ``Procore-Company-Id`` header."""
    return int(request.headers["Procore-Company-Id"].strip())


def _endpoint(request: web.Request) -> str:
    route = request.match_info.route.resource
    if route is None:
        return request.path
    kind = request.match_info.get("kind")
    return route.canonical.replace("{kind}", kind) if kind else route.canonical


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    ctx = request.app[CTX]
    status = 599
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        if not request.path.startswith("/_emulator"):
            ctx.counters.record(ctx.clock.now(), request.method, _endpoint(request), status)


async def _apply_faults(request: web.Request, ctx: EmulatorContext) -> web.StreamResponse | None:
    faults, rng = ctx.faults, ctx.rng
    if faults.slow_s > 0 and rng.random() < faults.slow_rate:
        await asyncio.sleep(faults.slow_s)  # real latency: exercises client timeouts
    if faults.take("drop_next", "drop_rate", rng):
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # nothing more to send on a dead connection
    if faults.take("storm_429_next", "rate_429", rng):
        reset_at = int(ctx.clock.now() + faults.storm_reset_s) + 1
        ctx.blocked_until = max(ctx.blocked_until, reset_at)
        return R.rate_limited(ctx.config.hourly_limit, reset_at)
    if faults.take("burst_5xx_next", "rate_5xx", rng):
        return R.server_error(faults.status_5xx, faults.retry_after_503_s)
    return None


@web.middleware
async def guard_api(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Faults, rate limit, token and company header — in that order — for ``/rest/`` calls."""
    ctx = request.app[CTX]
    if not request.path.startswith("/rest/"):
        return await handler(request)
    now = ctx.clock.now()
    if now < ctx.blocked_until:
        ctx.counters.sent_before_reset += 1
    faulted = await _apply_faults(request, ctx)
    verdict = ctx.limiter.hit(now)
    if faulted is not None:
        return faulted
    if not verdict.allowed:
        ctx.blocked_until = max(ctx.blocked_until, verdict.reset_at)
        return R.rate_limited(verdict.limit, verdict.reset_at)
    response = await _checked(request, handler, ctx)
    response.headers.update(verdict.headers())
    if response.status == 200 and ctx.faults.take("malformed_next", "malformed_rate", ctx.rng):
        return R.malformed(response)
    return response


async def _checked(
    request: web.Request, handler: Handler, ctx: EmulatorContext
) -> web.StreamResponse:
    problem = ctx.token_problem(request)
    if problem is not None:
        return R.unauthorized(problem)
    raw_company = request.headers.get("Procore-Company-Id", "").strip()
    if not raw_company:
        return R.missing_company_header()
    if not raw_company.isdigit() or int(raw_company) not in ctx.state.companies:
        return R.not_found()
    if int(raw_company) in ctx.faults.disconnected_companies:
        return R.forbidden(R.APP_NOT_CONNECTED)
    try:
        return await handler(request)
    except R.ApiError as exc:
        return exc.response


def build_app(ctx: EmulatorContext) -> web.Application:
    from emulators.procore import routes_admin, routes_api, routes_files, routes_oauth

    app = web.Application(middlewares=[count_requests, guard_api])
    app[CTX] = ctx
    routes_api.add_routes(app)
    routes_files.add_routes(app)
    routes_oauth.add_routes(app)
    routes_admin.add_routes(app)
    return app
