"""One place that turns settings + vault into DATEV sessions, and knows the login's state.

Access tokens: one shared token for every stage, refreshed only when a unit of work needs one
and the current token is near expiry. Concurrent callers share one refresh (single flight: the
second waits on the first and gets its token), so each refresh — and each refresh-token
rotation, the moment a crash could cost the login — happens once. A 401 on a cached token mints
a fresh one once and retries the call.

Login trouble (``invalid_grant``: the refresh token was rejected; ``invalid_client``: wrong app
secret) pauses the DATEV stages with a capped backoff instead of a token call per second. The
pause ends by itself when it has run out, or at once when the vault changes (a new login or
new credentials), and the waiting batches and PDFs continue without a replay.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx

from adapters.backoff import Backoff
from adapters.datev.client import DatevClient, DatevEndpoints
from adapters.datev.errors import DatevClientNotVisible, DatevClientRejected, DatevLoginExpired
from adapters.datev.login_state import (
    CREDENTIALS_NEEDED,
    LOGIN_NEEDED,
    clear_login_problem,
    record_login_problem,
)
from adapters.datev.tokens import DatevAccessToken, DatevTokenService
from adapters.vault import Vault
from streams.config.settings import DatevSettings

log = logging.getLogger(__name__)

LOGIN_HINT = LOGIN_NEEDED
SECRET_HINT = CREDENTIALS_NEEDED
TOKEN_REUSE_MARGIN = timedelta(minutes=2)
PAUSE_FIRST_S = 5.0
PAUSE_MAX_S = 600.0
PAUSE = Backoff(base_s=PAUSE_FIRST_S, max_s=PAUSE_MAX_S, jitter=0.0)
LOGIN_ERRORS = (DatevLoginExpired, DatevClientRejected)  # the stages pause; nothing fails


class LoginPause:
    """Capped exponential pause after a login failure; ends early when the vault changes."""

    def __init__(self, vault: Vault, clock: Callable[[], float] = time.monotonic) -> None:
        self.vault = vault
        self.clock = clock
        self.failures = 0
        self.until = 0.0
        self._vault_seen: float | None = None

    def hit(self) -> float:
        self.failures += 1
        delay = PAUSE.delay(self.failures)
        self.until = self.clock() + delay
        self._vault_seen = self._vault_mtime()
        return delay

    def clear(self) -> None:
        self.failures, self.until, self._vault_seen = 0, 0.0, None

    def active(self) -> bool:
        if self.failures == 0 or self.clock() >= self.until:
            return False
        return self._vault_mtime() == self._vault_seen  # a new login/secret ends the pause

    def _vault_mtime(self) -> float | None:
        try:
            return self.vault.path.stat().st_mtime
        except OSError:
            return None


class DatevGateway:
    """Creates ``DatevClient`` sessions sharing one access token; reports the login state."""

    def __init__(
        self,
        settings: DatevSettings,
        vault: Vault,
        http: httpx.AsyncClient,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.vault = vault
        self.http = http
        self.tokens = DatevTokenService(vault, http, settings.authorize_url, settings.token_url)
        self.endpoints = DatevEndpoints(
            extf_base_url=settings.extf_base_url,
            documents_base_url=settings.documents_base_url,
            clients_base_url=settings.clients_base_url,
        )
        self.login_problem: str | None = None
        self.pause = LoginPause(vault, clock)
        self.refreshes = 0  # token calls made (one per needed refresh, not per caller)
        self._token: DatevAccessToken | None = None
        self._lock = asyncio.Lock()
        self._visible: set[str] = set()  # DATEV client ids the login was seen to have

    def may_call(self) -> bool:
        """False while the DATEV stages pause after a login failure."""
        return not self.pause.active()

    async def access_token(self, stale: DatevAccessToken | None = None) -> DatevAccessToken:
        """The shared token; refreshed (once, for all waiting callers) when near expiry.

        ``stale`` is a token DATEV just refused (401): it is replaced even if not expired,
        unless another caller already replaced it.
        """
        async with self._lock:
            token = self._token
            if token is not None and token is not stale and self._fresh(token):
                return token
            try:
                self.refreshes += 1
                token = await self.tokens.fresh_access_token()
            except LOGIN_ERRORS as exc:
                self._token = None
                kind: Literal["login", "credentials"] = (
                    "login" if isinstance(exc, DatevLoginExpired) else "credentials"
                )
                hint = LOGIN_HINT if kind == "login" else SECRET_HINT
                self.login_problem = f"{hint} ({exc})"
                data_dir = self.vault.path.parent
                await asyncio.to_thread(record_login_problem, data_dir, kind, str(exc))
                delay = self.pause.hit()
                log.error("%s; DATEV stages pause %.0f s", self.login_problem, delay)
                raise
            self._token = token
            if self.login_problem is not None or self.pause.failures:
                await asyncio.to_thread(clear_login_problem, self.vault.path.parent)
            self.login_problem = None
            self.pause.clear()
            return token

    @staticmethod
    def _fresh(token: DatevAccessToken) -> bool:
        return token.expires_at - datetime.now(UTC) >= TOKEN_REUSE_MARGIN

    @asynccontextmanager
    async def session(self, unit: str | None = None) -> AsyncIterator[DatevClient]:
        """A client for one unit of work (a batch, a documents round) on the shared token."""
        token = await self.access_token()
        creds = await asyncio.to_thread(self.vault.read)
        assert creds.datev is not None  # fresh_access_token checked the login exists
        yield DatevClient(
            self.http,
            self.endpoints,
            creds.datev.client_id,
            token,
            reauth=lambda stale: self.access_token(stale),
        )

    async def ensure_visible(self, api: DatevClient, client_id: str) -> None:
        """Refuse work for a client the login cannot see (once seen, it is not asked again)."""
        if client_id in self._visible:
            return
        seen = {c.id for c in await api.list_clients()}
        self._visible |= seen
        if client_id not in seen:
            raise DatevClientNotVisible(
                f"the DATEV login cannot see client {client_id} (it sees: "
                f"{', '.join(sorted(seen)) or 'none'}); check the advisor and client numbers in "
                "the mapping and the user's rights in DATEV Rechteverwaltung — nothing is "
                "uploaded for it until then"
            )

    def forget(self, unit: str) -> None:
        """A unit finished (kept for callers; tokens are shared, nothing to drop)."""
