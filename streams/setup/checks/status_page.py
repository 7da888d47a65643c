"""The status page's protection: a token long enough to resist guessing, demo mode only on
loopback. (Wrong tokens are throttled per address anyway; see docs/operations.md section 13.)"""

from __future__ import annotations

from streams.operator.status import auth
from streams.setup.checks.base import Check, DoctorContext, ok, warn

ORDER = 8
MIN_TOKEN_LENGTH = 16


async def run(ctx: DoctorContext) -> list[Check]:
    name = "status page"
    settings = ctx.settings
    if settings.demo_mode and not auth.is_loopback(settings.web_host):
        return [
            warn(
                name,
                f"demo_mode is on but the server listens on {settings.web_host}: the page "
                "requires the token there",
                "turn demo_mode off outside a loopback demo (MLC_DEMO_MODE=false)",
            )
        ]
    if auth.open_access(settings):
        return [ok(name, "demo mode: no token, loopback only, Host header checked")]
    token = settings.status_token
    if token is None or not token.get_secret_value():
        return [ok(name, "no status_token: the page is off (503); health endpoints stay open")]
    if len(token.get_secret_value()) < MIN_TOKEN_LENGTH:
        return [
            warn(
                name,
                f"status_token has fewer than {MIN_TOKEN_LENGTH} characters",
                "use a long random token, e.g. `openssl rand -hex 24 > secret-file` and "
                "MLC_STATUS_TOKEN_FILE=secret-file",
            )
        ]
    return [ok(name, "token set; wrong tokens throttled, sessions expire after 8 h")]
