"""OAuth2 client credentials for a Procore service account (DMSA).

Procore issues no refresh token for this grant: we simply request a new access token at about
80 % of ``expires_in`` (never a hard-coded lifetime — Procore has shortened it before). One
``asyncio.Lock`` makes concurrent callers share a single token request. The client
authenticates with a form body (Procore's documented form) or HTTP Basic (RFC 6749 §2.3.1).

authlib's httpx client was considered; its expiry check reads the wall clock directly, which
makes "refresh before expiry" untestable without real waiting, so this small class is used.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

import httpx
import orjson
from pydantic import SecretStr

from adapters.procore.clock import Clock
from adapters.procore.errors import ProcoreAuthError, ProcoreServerError, procore_message

ClientAuth = Literal["form", "basic"]


@dataclass(frozen=True)
class ServiceAccountToken:
    """The service account's (DMSA) access token from the client-credentials grant."""

    value: str
    obtained_at: float
    expires_in: float

    def refresh_due(self, now: float, ratio: float) -> bool:
        return now >= self.obtained_at + self.expires_in * ratio

    def __repr__(self) -> str:  # never show the token itself
        return f"ServiceAccountToken(obtained_at={self.obtained_at}, expires_in={self.expires_in})"


class TokenProvider:
    """Caches the access token and fetches a new one before it expires or after a 401."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth_url: str,
        client_id: str,
        client_secret: SecretStr,
        clock: Clock,
        *,
        refresh_ratio: float = 0.8,
        client_auth: ClientAuth = "form",
    ) -> None:
        self._http = http
        self._token_url = auth_url.rstrip("/") + "/oauth/token"
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._refresh_ratio = refresh_ratio
        self._client_auth = client_auth
        self._token: ServiceAccountToken | None = None
        self._lock = asyncio.Lock()
        self.requests = 0  # token requests sent (for tests and metrics)

    def __repr__(self) -> str:
        return f"TokenProvider(token_url={self._token_url!r}, client_id={self._client_id!r})"

    async def token(self) -> str:
        """A valid access token, fetching a new one when due (one fetch for all waiters)."""
        current = self._token
        if current is not None and not current.refresh_due(self._clock.now(), self._refresh_ratio):
            return current.value
        async with self._lock:
            current = self._token
            if current is None or current.refresh_due(self._clock.now(), self._refresh_ratio):
                current = await self._fetch()
                self._token = current
            return current.value

    async def renew_after_401(self, rejected: str) -> str:
        """Replace the token the server rejected; callers that saw the same 401 share one fetch."""
        async with self._lock:
            current = self._token
            if current is None or current.value == rejected:
                current = await self._fetch()
                self._token = current
            return current.value

    def _credentials(self) -> tuple[dict[str, str], dict[str, str]]:
        """Form body and headers of the token request (RFC 6749 §2.3.1: body or HTTP Basic)."""
        secret = self._client_secret.get_secret_value()
        if self._client_auth == "form":
            form = {"client_id": self._client_id, "client_secret": secret}
            return {"grant_type": "client_credentials", **form}, {}
        # RFC 6749 §2.3.1: form-urlencode id and secret before joining them for Basic.
        pair = f"{quote(self._client_id, safe='')}:{quote(secret, safe='')}".encode()
        basic = {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {"grant_type": "client_credentials"}, basic

    async def _fetch(self) -> ServiceAccountToken:
        self.requests += 1
        form, headers = self._credentials()
        sent_at = self._clock.now()
        try:
            response = await self._http.post(self._token_url, data=form, headers=headers)
        except httpx.TransportError as exc:
            raise ProcoreServerError(
                f"token request failed: {type(exc).__name__}",
                method="POST",
                endpoint="/oauth/token",
            ) from None
        request_id = response.headers.get("x-request-id")
        if response.status_code >= 500:
            raise ProcoreServerError(
                procore_message(response.content),
                status=response.status_code,
                method="POST",
                endpoint="/oauth/token",
                request_id=request_id,
            )
        if response.status_code != 200:
            raise ProcoreAuthError(
                procore_message(response.content),
                status=response.status_code,
                method="POST",
                endpoint="/oauth/token",
                request_id=request_id,
            )
        try:
            data = orjson.loads(response.content)
            value = str(data["access_token"])
            expires_in = float(data.get("expires_in", 0))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise ProcoreServerError(
                "token response is not the expected JSON (access_token, expires_in)",
                status=response.status_code,
                method="POST",
                endpoint="/oauth/token",
                request_id=request_id,
            ) from None
        if expires_in <= 0:
            expires_in = 600.0  # unknown lifetime: be conservative, re-fetch soon
        # Count from when we asked, not when the answer came: the server's clock started earlier.
        return ServiceAccountToken(value=value, obtained_at=sent_at, expires_in=expires_in)
