"""Every error body and status the emulator sends, in one place (easy to correct).

Where Procore's documentation is silent (marked *unconfirmed* in the shared reference), the most
plausible choice is made here: missing company header → 400, not-found bodies → ``errors``.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from aiohttp import web

from emulators.procore.limits import RATE_LIMIT_TEXT

MISSING_COMPANY = "Missing Procore-Company-Id header!"
MISSING_COMPANY_STATUS = 400  # unconfirmed
APP_NOT_CONNECTED = "App is not connected to this company"
NO_PERMISSION = "You do not have access to this project or tool"


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    all_headers = {"X-Request-Id": secrets.token_hex(8), **(headers or {})}
    return web.Response(
        body=orjson.dumps(data), status=status, content_type="application/json", headers=all_headers
    )


class ApiError(Exception):
    """Raised by handlers to answer with an error response."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def missing_company_header() -> web.Response:
    return json_response({"message": MISSING_COMPANY}, MISSING_COMPANY_STATUS)


def unauthorized(description: str) -> web.Response:
    header = f'Bearer realm="Doorkeeper", error="invalid_token", error_description="{description}"'
    return json_response(
        {"error": "invalid_token", "error_description": description},
        401,
        {"WWW-Authenticate": header},
    )


def forbidden(message: str = NO_PERMISSION) -> web.Response:
    return json_response({"message": message}, 403)


def not_found(what: str = "Resource not found") -> web.Response:
    return json_response({"errors": what}, 404)


def bad_request(field: str, problem: str) -> web.Response:
    return json_response({"errors": {field: [problem]}}, 400)


def rate_limited(limit: int, reset_at: int) -> web.Response:
    return web.Response(
        text=RATE_LIMIT_TEXT,
        status=429,
        headers={
            "X-Rate-Limit-Limit": str(limit),
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(reset_at),
            "X-Request-Id": secrets.token_hex(8),
        },
    )


def server_error(status: int, retry_after_503_s: float | None) -> web.Response:
    headers = {"X-Request-Id": secrets.token_hex(8)}
    if status == 503 and retry_after_503_s is not None:
        headers["Retry-After"] = str(int(retry_after_503_s))
    text = "Service Unavailable" if status == 503 else "Internal Server Error"
    return json_response({"message": text}, status, headers)


def malformed(original: web.StreamResponse) -> web.Response:
    """Same status and headers, body cut in half (as a proxy dropping the tail would)."""
    body = original.body if isinstance(original, web.Response) else b"{}"
    raw = bytes(body) if isinstance(body, bytes | bytearray) else b"{}"
    cut = raw[: max(1, len(raw) // 2)]
    headers = {k: v for k, v in original.headers.items() if k.lower() != "content-length"}
    return web.Response(body=cut, status=original.status, headers=headers)
