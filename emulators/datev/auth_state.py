"""OAuth state of the emulated DATEV login: codes, access tokens, rotating refresh tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import orjson

from emulators.datev.clock import EmulatorClock

ACCESS_TOKEN_TTL = timedelta(minutes=15)
CODE_TTL = timedelta(minutes=1)
REFRESH_TTL_OFFLINE = timedelta(days=730)  # with offline_access
REFRESH_TTL_SHORT = timedelta(hours=11)


class GrantError(Exception):
    """Maps to an OAuth error body ``{"error": code, "error_description": message}``."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass
class _Code:
    redirect_uri: str
    challenge: str
    nonce: str
    scope: str
    expires_at: datetime


@dataclass
class _Refresh:
    scope: str
    expires_at: datetime
    used: bool = False
    revoked: bool = False


@dataclass
class AuthState:
    clock: EmulatorClock
    client_id: str
    client_secret: str = field(repr=False)
    subject: str = "emulated-datev-user"
    codes: dict[str, _Code] = field(default_factory=dict, repr=False)
    # token -> (expiry, scope)
    access: dict[str, tuple[datetime, str]] = field(default_factory=dict, repr=False)
    refresh: dict[str, _Refresh] = field(default_factory=dict, repr=False)
    refresh_grants: int = 0  # how many refresh_token grants succeeded
    # Redirect URIs registered for the app; DATEV compares them exactly. ``loopback_any_port``
    # is the sandbox's reported leniency for http://127.0.0.1|localhost:<any port><path>.
    redirect_uris: tuple[str, ...] = ("http://127.0.0.1:8788/callback",)
    loopback_any_port: bool = True
    last_authorize: dict[str, str] = field(default_factory=dict, repr=False)

    def redirect_allowed(self, uri: str) -> bool:
        if uri in self.redirect_uris:
            return True
        if not self.loopback_any_port:
            return False
        parts = urlsplit(uri)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
            return False
        return (
            any(
                urlsplit(r).path == parts.path
                and urlsplit(r).hostname in ("127.0.0.1", "localhost")
                for r in self.redirect_uris
            )
            and not parts.query
            and not parts.fragment
        )

    def issue_code(self, redirect_uri: str, challenge: str, nonce: str, scope: str) -> str:
        code = secrets.token_urlsafe(24)
        expires = self.clock.now() + CODE_TTL
        self.codes[code] = _Code(redirect_uri, challenge, nonce, scope, expires)
        return code

    def redeem_code(self, code: str, redirect_uri: str, verifier: str) -> dict[str, object]:
        entry = self.codes.pop(code, None)  # single use
        if entry is None:
            raise GrantError("invalid_grant", "authorization code is unknown or already used")
        if self.clock.now() > entry.expires_at:
            raise GrantError("invalid_grant", "authorization code expired")
        if entry.redirect_uri != redirect_uri:
            raise GrantError("invalid_grant", "redirect_uri does not match the authorize request")
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        if _b64(digest) != entry.challenge:
            raise GrantError("invalid_grant", "PKCE verification failed (code_verifier)")
        return self._tokens(entry.scope, entry.nonce)

    def redeem_refresh(self, token: str) -> dict[str, object]:
        entry = self.refresh.get(token)
        if entry is None or entry.used:
            raise GrantError("invalid_grant", "refresh token is unknown or was already used")
        if entry.revoked:
            raise GrantError("invalid_grant", "refresh token was revoked")
        if self.clock.now() > entry.expires_at:
            raise GrantError("invalid_grant", "refresh token expired")
        entry.used = True  # rotation: the old token dies with this grant
        self.refresh_grants += 1
        return self._tokens(entry.scope, nonce=None)

    def check_access(self, token: str) -> str | None:
        """The token's scope if valid now, else None."""
        entry = self.access.get(token)
        if entry is None or self.clock.now() >= entry[0]:
            return None
        return entry[1]

    def expire_refresh_tokens(self) -> None:
        for entry in self.refresh.values():
            entry.expires_at = self.clock.now() - timedelta(seconds=1)

    def revoke_refresh_tokens(self) -> None:
        for entry in self.refresh.values():
            entry.revoked = True

    def revoke_grant(self) -> None:
        """The advisor withdraws the app's access: refresh and access tokens stop working."""
        self.revoke_refresh_tokens()
        self.access.clear()

    def live_refresh_tokens(self) -> int:
        now = self.clock.now()
        return sum(
            1 for e in self.refresh.values() if not e.used and not e.revoked and e.expires_at >= now
        )

    def _tokens(self, scope: str, nonce: str | None) -> dict[str, object]:
        now = self.clock.now()
        access = secrets.token_urlsafe(32)
        refresh = secrets.token_urlsafe(32)
        self.access[access] = (now + ACCESS_TOKEN_TTL, scope)
        ttl = REFRESH_TTL_OFFLINE if "offline_access" in scope.split() else REFRESH_TTL_SHORT
        self.refresh[refresh] = _Refresh(scope=scope, expires_at=now + ttl)
        body: dict[str, object] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_TTL.total_seconds()),
            "refresh_token": refresh,
            "scope": scope,
        }
        if nonce is not None and "openid" in scope.split():
            body["id_token"] = self._id_token(nonce, now)
        return body

    def _id_token(self, nonce: str, now: datetime) -> str:
        """An HS256 JWT signed with the client secret (real DATEV signs with its own keys)."""
        header = _b64(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
        claims = {
            "iss": "datev-emulator",
            "sub": self.subject,
            "aud": self.client_id,
            "iat": int(now.timestamp()),
            "exp": int((now + ACCESS_TOKEN_TTL).timestamp()),
            "nonce": nonce,
        }
        payload = _b64(orjson.dumps(claims))
        signing_input = f"{header}.{payload}".encode("ascii")
        sig = hmac.new(self.client_secret.encode(), signing_input, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(sig)}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
