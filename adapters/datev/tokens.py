"""Fresh DATEV access tokens per batch, with the rotated refresh token stored first.

Order of one refresh (under the vault's single-flight lock):

1. read the current refresh token from the vault (another process may have rotated it);
2. POST /token (grant_type=refresh_token) — DATEV invalidates the old refresh token now;
3. compare-and-swap the new refresh token into the vault: atomic and fsynced;
4. only then hand out the access token.

A crash after 3 loses nothing. A crash between 2 and 3 loses the new refresh token (DATEV
already invalidated the old one): the next run reports :class:`DatevLoginExpired` — a person
logs in again; no booking is lost, and the vault is never torn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from adapters.datev.errors import DatevError, DatevLoginExpired
from adapters.datev.oauth import OAuthConfig, TokenResponse, refresh_tokens
from adapters.vault import DatevRefreshToken, Vault


class DatevNotConfigured(DatevError):
    """The vault has no DATEV client id/secret yet."""


class DatevAccessToken(BaseModel):
    """A short-lived (15 min) DATEV access token; mint one per batch."""

    model_config = ConfigDict(frozen=True)

    value: SecretStr
    expires_at: datetime
    scope: str = ""

    def authorization(self) -> str:
        return f"Bearer {self.value.get_secret_value()}"


def oauth_config(vault: Vault, authorize_url: str, token_url: str) -> OAuthConfig:
    """The OAuth client from the vault's DATEV credentials and the configured endpoints."""
    creds = vault.read().datev
    if creds is None:
        raise DatevNotConfigured(
            "no DATEV client id/secret in the vault — run `ml-connector datev credentials`"
        )
    return OAuthConfig(authorize_url, token_url, creds.client_id, creds.client_secret)


class DatevTokenService:
    """Mints access tokens from the vault's refresh token; one refresh at a time."""

    def __init__(
        self,
        vault: Vault,
        http: httpx.AsyncClient,
        authorize_url: str,
        token_url: str,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._vault = vault
        self._http = http
        self._authorize_url = authorize_url
        self._token_url = token_url
        self._now = now

    async def fresh_access_token(self) -> DatevAccessToken:
        """A new access token; the rotated refresh token is durable in the vault on return."""
        config = oauth_config(self._vault, self._authorize_url, self._token_url)
        async with self._vault.refresh_lock():
            current = self._vault.read().datev_refresh
            now = self._now()
            if current is None:
                raise DatevLoginExpired("no DATEV login stored yet")
            if current.expires_at is not None and current.expires_at <= now:
                raise DatevLoginExpired(f"the refresh token expired at {current.expires_at:%F}")
            tokens = await refresh_tokens(self._http, config, current.token)
            self._vault.compare_and_swap_refresh_token(current, rotated(current, tokens, now))
        return DatevAccessToken(
            value=tokens.access_token,
            expires_at=now + timedelta(seconds=tokens.expires_in),
            scope=tokens.scope,
        )


def rotated(
    current: DatevRefreshToken | None, tokens: TokenResponse, now: datetime
) -> DatevRefreshToken:
    """The vault entry after a token response (keeps the old token if DATEV sent none)."""
    token = tokens.refresh_token
    expires_at: datetime | None = tokens.refresh_expires_at(now)
    if token is None:
        if current is None:
            raise DatevLoginExpired("DATEV returned no refresh token")
        token, expires_at = current.token, current.expires_at
    return DatevRefreshToken(
        token=token,
        expires_at=expires_at,
        obtained_at=now,
        generation=(current.generation + 1) if current else 1,
    )
