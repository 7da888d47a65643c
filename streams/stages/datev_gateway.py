"""One place that turns settings + vault into DATEV sessions with a fresh access token each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx

from adapters.datev.client import DatevClient, DatevEndpoints
from adapters.datev.errors import DatevLoginExpired
from adapters.datev.tokens import AccessToken, DatevTokenService
from adapters.vault import Vault
from streams.config.settings import DatevSettings

LOGIN_HINT = "DATEV login expired — run `ml-connector datev login`"
TOKEN_REUSE_MARGIN = timedelta(minutes=2)


class DatevGateway:
    """Creates a ``DatevClient`` per unit of work (batch or document round) with a new token."""

    def __init__(self, settings: DatevSettings, vault: Vault, http: httpx.AsyncClient) -> None:
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
        self._tokens: dict[str, AccessToken] = {}

    @asynccontextmanager
    async def session(self, unit: str | None = None) -> AsyncIterator[DatevClient]:
        """A client with a fresh 15-minute token for one unit of work (e.g. a batch).

        The token minted for ``unit`` is reused while that unit is still being worked on (a
        batch's job polled over several rounds) until shortly before it expires: every refresh
        rotates the refresh token, and each rotation is a moment in which a crash could cost the
        login, so refreshes happen per unit, not per call. The rotated refresh token is saved
        before the new access token is used.
        """
        token = self._tokens.get(unit) if unit else None
        if token is None or token.expires_at - datetime.now(UTC) < TOKEN_REUSE_MARGIN:
            try:
                token = await self.tokens.fresh_access_token()
            except DatevLoginExpired as exc:
                self.login_problem = f"{LOGIN_HINT} ({exc})"
                self._tokens.clear()
                raise
            if unit:
                self._tokens[unit] = token
        self.login_problem = None
        creds = await asyncio.to_thread(self.vault.read)
        assert creds.datev is not None  # fresh_access_token checked the login exists
        yield DatevClient(self.http, self.endpoints, creds.datev.client_id, token)

    def forget(self, unit: str) -> None:
        """Drop a finished unit's token."""
        self._tokens.pop(unit, None)
