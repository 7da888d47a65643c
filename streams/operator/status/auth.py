"""Who may see the status page: a configured token, or nobody-but-loopback in demo mode.

The token travels as ``Authorization: Bearer <token>`` (Prometheus, scripts) or as a session
cookie set by the login form. A session is ``issued.nonce.mac``: the MAC is keyed by the token,
so changing the token ends every session, and a session older than :data:`SESSION_TTL_S` is
refused. The cookie is HttpOnly and SameSite=Strict; state-changing POSTs must come from the
page's own origin. Wrong tokens are counted per client address (:class:`LoginThrottle`):
slowed down after a few, then locked out for a while. In demo mode (no token, loopback only)
the Host header must name the loopback server, so a page served under a foreign name that
resolves to 127.0.0.1 (DNS rebinding) gets no access.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streams.config.settings import Settings

COOKIE = "mlc_status"
SESSION_TTL_S = 8 * 3600  # a working day; then sign in again
_CONTEXT = b"ml-connector status session v2"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_access(settings: Settings) -> bool:
    """No token needed: demo mode on a loopback-only server."""
    return settings.demo_mode and is_loopback(settings.web_host)


def host_allowed(settings: Settings, headers: Mapping[str, str]) -> bool:
    """In open access, the request must be addressed to the loopback server by name or IP."""
    if not open_access(settings):
        return True
    host = urlsplit(f"//{headers.get('Host', '')}").hostname or ""
    return host == "localhost" or host.endswith(".localhost") or is_loopback(host)


def _token(settings: Settings) -> bytes | None:
    token = settings.status_token
    if token is None or not token.get_secret_value():
        return None
    return token.get_secret_value().encode()


def _mac(secret: bytes, issued: str, nonce: str) -> str:
    message = b"|".join([_CONTEXT, issued.encode(), nonce.encode()])
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def new_session(settings: Settings, now: float | None = None) -> str | None:
    """A fresh session cookie value, or None when no token is configured."""
    secret = _token(settings)
    if secret is None:
        return None
    issued, nonce = str(int(time.time() if now is None else now)), secrets.token_hex(8)
    return f"{issued}.{nonce}.{_mac(secret, issued, nonce)}"


def session_valid(settings: Settings, value: str, now: float | None = None) -> bool:
    """Made with the current token and younger than :data:`SESSION_TTL_S`."""
    secret = _token(settings)
    issued, _, rest = value.partition(".")
    nonce, _, mac = rest.partition(".")
    if secret is None or not issued.isdigit() or not nonce or not mac:
        return False
    age = (time.time() if now is None else now) - int(issued)
    if not 0 <= age < SESSION_TTL_S + 60:  # a minute of clock slack, never the future
        return False
    return hmac.compare_digest(mac.encode(), _mac(secret, issued, nonce).encode())


def token_matches(settings: Settings, offered: str) -> bool:
    secret = _token(settings)
    return secret is not None and hmac.compare_digest(offered.encode(), secret)


def bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, offered = headers.get("Authorization", "").partition(" ")
    return offered.strip() if scheme.lower() == "bearer" else None


def authorized(settings: Settings, headers: Mapping[str, str], cookies: Mapping[str, str]) -> bool:
    if open_access(settings):
        return host_allowed(settings, headers)
    offered = bearer(headers)
    if offered is not None and token_matches(settings, offered):
        return True
    return session_valid(settings, cookies.get(COOKIE, ""))


def same_origin(headers: Mapping[str, str]) -> bool:
    """A POST's Origin (or Referer) names our own host; absent headers count as same origin."""
    source = headers.get("Origin") or headers.get("Referer")
    if not source:
        return True
    return urlsplit(source).netloc == headers.get("Host", "")


def configured(settings: Settings) -> bool:
    return open_access(settings) or _token(settings) is not None


@dataclass
class _Failures:
    count: int = 0
    first: float = 0.0
    locked_until: float = 0.0


@dataclass
class LoginThrottle:
    """Wrong tokens per client address: free at first, then slowed, then locked out.

    After ``free`` failures each further attempt waits ``base_delay_s`` doubling up to
    ``max_delay_s``; at ``lock_after`` failures the address is locked out for ``lockout_s``
    (every attempt, right or wrong, gets 429). Failures older than ``window_s`` are forgotten;
    a success resets the address. At most ``max_addresses`` are remembered (oldest dropped).
    """

    free: int = 5
    lock_after: int = 10
    base_delay_s: float = 1.0
    max_delay_s: float = 8.0
    lockout_s: float = 15 * 60
    window_s: float = 15 * 60
    max_addresses: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, _Failures] = field(default_factory=dict)

    def _entry(self, address: str) -> _Failures | None:
        entry = self._seen.get(address)
        now = self.clock()
        if entry is not None and entry.locked_until <= now and now - entry.first > self.window_s:
            del self._seen[address]
            return None
        return entry

    def locked_for(self, address: str) -> float:
        """Seconds this address is still locked out (0 if it may try)."""
        entry = self._entry(address)
        return max(0.0, entry.locked_until - self.clock()) if entry else 0.0

    def delay_for(self, address: str) -> float:
        """Seconds to hold back the answer to this address's latest wrong attempt."""
        entry = self._entry(address)
        if entry is None or entry.count <= self.free:
            return 0.0
        extra = entry.count - self.free - 1
        return float(min(self.max_delay_s, self.base_delay_s * 2**extra))

    def failed(self, address: str) -> None:
        entry = self._entry(address)
        if entry is None:
            if len(self._seen) >= self.max_addresses:
                self._seen.pop(next(iter(self._seen)))
            entry = self._seen[address] = _Failures(first=self.clock())
        entry.count += 1
        if entry.count >= self.lock_after:
            entry.locked_until = self.clock() + self.lockout_s

    def succeeded(self, address: str) -> None:
        self._seen.pop(address, None)
