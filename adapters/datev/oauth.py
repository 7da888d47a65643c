"""DATEV OAuth 2.0 / OpenID Connect: authorization code + PKCE (S256), state, nonce, refresh.

Client authentication at ``/token`` is HTTP Basic ``client_id:client_secret`` with a
form-encoded body [3P]. Whether DATEV *also* wants ``client_id`` in the body of a refresh request
is unconfirmed; :data:`SEND_CLIENT_ID_IN_REFRESH_BODY` is the one switch for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import orjson
from pydantic import BaseModel, SecretStr

from adapters.datev.errors import (
    LOGIN_HINT,
    DatevClientRejected,
    DatevLoginExpired,
    DatevLoginFailed,
    DatevServerError,
)
from adapters.datev.protocol import LOGIN_SCOPES

# UNCONFIRMED: no source says DATEV needs client_id in the refresh body; Basic auth carries it.
SEND_CLIENT_ID_IN_REFRESH_BODY = False
REFRESH_LIFETIME_OFFLINE = timedelta(days=730)  # [D] 2 years with offline_access
REFRESH_LIFETIME_ONLINE = timedelta(hours=11)  # [3P] without offline_access


@dataclass(frozen=True)
class OAuthConfig:
    authorize_url: str
    token_url: str
    client_id: str
    client_secret: SecretStr
    scopes: tuple[str, ...] = LOGIN_SCOPES
    extra_authorize_params: dict[str, str] = field(default_factory=dict)  # e.g. enableWindowsSso


@dataclass(frozen=True)
class LoginRequest:
    """One login attempt: the URL to open and what the callback must match."""

    url: str
    redirect_uri: str
    state: str
    nonce: str
    code_verifier: SecretStr

    def __repr__(self) -> str:
        return f"LoginRequest(redirect_uri={self.redirect_uri!r})"


class TokenResponse(BaseModel):
    access_token: SecretStr
    token_type: str = "Bearer"
    expires_in: int = 900
    refresh_token: SecretStr | None = None
    refresh_token_expires_in: int | None = None
    scope: str = ""
    id_token: str | None = None

    def refresh_expires_at(self, now: datetime) -> datetime:
        """DATEV's stated lifetime if given, else the documented one for the granted scope."""
        if self.refresh_token_expires_in is not None:
            return now + timedelta(seconds=self.refresh_token_expires_in)
        offline = "offline_access" in self.scope.split()
        return now + (REFRESH_LIFETIME_OFFLINE if offline else REFRESH_LIFETIME_ONLINE)


def begin_login(config: OAuthConfig, redirect_uri: str) -> LoginRequest:
    """A fresh state, nonce and PKCE verifier, and the authorize URL carrying them."""
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(config.scopes),
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **config.extra_authorize_params,
    }
    url = f"{config.authorize_url}?{urlencode(params)}"
    return LoginRequest(url, redirect_uri, state, nonce, SecretStr(verifier))


def code_from_redirect(redirected: str, request: LoginRequest) -> str:
    """The authorization code from the redirect URL (or its query string), after checks."""
    query = urlsplit(redirected.strip()).query if "?" in redirected else redirected.strip()
    params = {k: v[0] for k, v in parse_qs(query).items()}
    error = params.get("error")
    if error == "access_denied":
        raise DatevLoginFailed(
            "DATEV login cancelled: consent was denied in the DATEV login page. "
            f"{LOGIN_HINT[0].upper()}{LOGIN_HINT[1:]} again and allow access."
        )
    if error:
        raise DatevLoginFailed(
            f"DATEV login failed: {error} ({params.get('error_description', 'no description')})"
        )
    if not secrets.compare_digest(params.get("state", ""), request.state):
        raise DatevLoginFailed(
            "DATEV login failed: the 'state' in the redirect does not match this login "
            "(a stale browser tab or a forged redirect); start the login again"
        )
    code = params.get("code")
    if not code:
        raise DatevLoginFailed("DATEV login failed: the redirect carries no 'code' parameter")
    return code


async def exchange_code(
    http: httpx.AsyncClient, config: OAuthConfig, request: LoginRequest, code: str
) -> TokenResponse:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": request.redirect_uri,
        "code_verifier": request.code_verifier.get_secret_value(),
    }
    status, body = await _post_token(http, config, form)
    if status != 200:
        raise DatevLoginFailed(
            f"DATEV refused the authorization code ({_oauth_error(body)}): it expired, was "
            "already used, or the PKCE verifier did not match — start the login again"
        )
    tokens = TokenResponse.model_validate(body)
    if tokens.id_token is not None:
        check_id_token(tokens.id_token, request.nonce, config)
    if tokens.refresh_token is None:
        raise DatevLoginFailed("DATEV returned no refresh token; is offline_access granted?")
    return tokens


async def refresh_tokens(
    http: httpx.AsyncClient, config: OAuthConfig, refresh_token: SecretStr
) -> TokenResponse:
    """One refresh grant; ``invalid_grant`` becomes :class:`DatevLoginExpired`."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token.get_secret_value()}
    if SEND_CLIENT_ID_IN_REFRESH_BODY:
        form["client_id"] = config.client_id
    status, body = await _post_token(http, config, form)
    if status == 400 and body.get("error") == "invalid_grant":
        raise DatevLoginExpired(str(body.get("error_description") or "refresh token rejected"))
    if status in (400, 401):
        raise DatevClientRejected(
            f"DATEV token endpoint refused the client ({_oauth_error(body)}); "
            "check the DATEV client id/secret with `ml-connector datev credentials`"
        )
    if status != 200:
        raise DatevServerError(f"DATEV token endpoint answered {status}: {_oauth_error(body)}")
    return TokenResponse.model_validate(body)


def check_id_token(id_token: str, nonce: str, config: OAuthConfig) -> dict[str, Any]:
    """Check nonce, audience and expiry; verify the signature only for HS256 (client secret).

    The id_token comes straight from the token endpoint over TLS, which OpenID Connect Core
    §3.1.3.7 accepts in place of a signature check; RS256 keys (JWKS) are not fetched.
    """
    try:
        head_b64, claims_b64, sig_b64 = id_token.split(".")
        header = orjson.loads(_unb64(head_b64))
        claims: dict[str, Any] = orjson.loads(_unb64(claims_b64))
    except (ValueError, orjson.JSONDecodeError):
        raise DatevLoginFailed("DATEV returned an id_token that is not a JWT") from None
    if header.get("alg") == "HS256":
        key = config.client_secret.get_secret_value().encode()
        expected = hmac.new(key, f"{head_b64}.{claims_b64}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(sig_b64)):
            raise DatevLoginFailed("the id_token signature is invalid; start the login again")
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise DatevLoginFailed("the id_token nonce does not match this login (replayed token?)")
    aud = claims.get("aud")
    if config.client_id not in (aud if isinstance(aud, list) else [aud]):
        raise DatevLoginFailed("the id_token was issued for a different client id")
    if int(claims.get("exp", 0)) < int(datetime.now(UTC).timestamp()) - 60:
        raise DatevLoginFailed("the id_token has expired; start the login again")
    return claims


async def _post_token(
    http: httpx.AsyncClient, config: OAuthConfig, form: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    auth = httpx.BasicAuth(config.client_id, config.client_secret.get_secret_value())
    try:
        resp = await http.post(config.token_url, data=form, auth=auth)
    except httpx.TransportError as exc:
        raise DatevServerError(
            f"cannot reach DATEV token endpoint {config.token_url}: {exc}"
        ) from None
    try:
        body = orjson.loads(resp.content) if resp.content else {}
    except orjson.JSONDecodeError:
        body = {}
    return resp.status_code, body if isinstance(body, dict) else {}


def _oauth_error(body: dict[str, Any]) -> str:
    return f"{body.get('error', 'error')}: {body.get('error_description', '')}".rstrip(": ")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
