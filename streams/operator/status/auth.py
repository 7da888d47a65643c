"""Who may see the status page: a configured token, or nobody-but-loopback in demo mode.

The token travels as ``Authorization: Bearer <token>`` (Prometheus, scripts) or as a cookie set
by the login form. The cookie holds an HMAC of the token, never the token itself; comparisons use
``hmac.compare_digest``. The cookie is HttpOnly and SameSite=Strict, and state-changing POSTs
must come from the page's own origin.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from streams.config.settings import Settings

COOKIE = "mlc_status"


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


def session_value(settings: Settings) -> str | None:
    token = settings.status_token
    if token is None or not token.get_secret_value():
        return None
    secret = token.get_secret_value().encode()
    return hmac.new(secret, b"ml-connector status session", hashlib.sha256).hexdigest()


def token_matches(settings: Settings, offered: str) -> bool:
    token = settings.status_token
    if token is None or not token.get_secret_value():
        return False
    return hmac.compare_digest(offered.encode(), token.get_secret_value().encode())


def authorized(settings: Settings, headers: Mapping[str, str], cookies: Mapping[str, str]) -> bool:
    if open_access(settings):
        return True
    scheme, _, offered = headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token_matches(settings, offered.strip()):
        return True
    expected = session_value(settings)
    cookie = cookies.get(COOKIE, "")
    return expected is not None and hmac.compare_digest(cookie.encode(), expected.encode())


def same_origin(headers: Mapping[str, str]) -> bool:
    """A POST's Origin (or Referer) names our own host; absent headers count as same origin."""
    source = headers.get("Origin") or headers.get("Referer")
    if not source:
        return True
    return urlsplit(source).netloc == headers.get("Host", "")


def configured(settings: Settings) -> bool:
    return open_access(settings) or session_value(settings) is not None
