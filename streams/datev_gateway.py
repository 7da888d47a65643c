"""One place that turns settings + vault into DATEV sessions with a fresh access token each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from adapters.datev.client import DatevClient, DatevEndpoints
from adapters.datev.errors import DatevLoginExpired
from adapters.datev.tokens import DatevTokenService
from adapters.vault import Vault
from streams.settings import DatevSettings

LOGIN_HINT = "DATEV login expired — run `ml-connector datev login`"


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

    @asynccontextmanager
    async def session(self) -> AsyncIterator[DatevClient]:
        """A client holding a fresh 15-minute token; the rotated refresh token is already saved."""
        try:
            token = await self.tokens.fresh_access_token()
        except DatevLoginExpired as exc:
            self.login_problem = f"{LOGIN_HINT} ({exc})"
            raise
        self.login_problem = None
        creds = await asyncio.to_thread(self.vault.read)
        assert creds.datev is not None  # fresh_access_token checked the login exists
        yield DatevClient(self.http, self.endpoints, creds.datev.client_id, token)
