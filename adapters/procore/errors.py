"""Typed Procore errors: what failed (status, method + endpoint), Procore's message, and the fix."""

from __future__ import annotations

from typing import Any

import orjson


class ProcoreError(Exception):
    """A Procore API call failed.

    ``retryable`` tells the retry policy (and callers) whether trying again later can help.
    ``endpoint`` is the path without query string, never carrying tokens or secrets.
    """

    default_retryable = False
    hint = ""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str = "",
        endpoint: str = "",
        request_id: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.procore_message = message
        self.status = status
        self.method = method
        self.endpoint = endpoint
        self.request_id = request_id
        self.retryable = self.default_retryable if retryable is None else retryable
        self.retry_after = retry_after
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f"{self.method} {self.endpoint}".strip()
        status = f"HTTP {self.status}" if self.status is not None else "no response"
        text = f"Procore {where} failed ({status}): {self.procore_message}"
        if self.request_id:
            text += f" [X-Request-Id {self.request_id}]"
        if self.hint:
            text += f". {self.hint}"
        return text


class ProcoreAuthError(ProcoreError):
    """401 or a failed token request: credentials wrong, revoked, or the app uninstalled."""

    hint = (
        "Check the DMSA client_id/client_secret and that the app is still installed "
        "for this company"
    )


class ProcorePermissionError(ProcoreError):
    """403: a configuration problem (tool permission, permitted project), not a transient one."""

    hint = (
        "Configuration problem: give the service account (DMSA) at least read permission on "
        "this tool and add the project to its permitted projects in Procore's Company Admin, "
        "then re-drive the work"
    )


class ProcoreNotFoundError(ProcoreError):
    """404: wrong id, deleted record, or not visible to the service account."""


class ProcoreRateLimitedError(ProcoreError):
    """429: the hourly or spike limit is used up; wait until ``X-Rate-Limit-Reset``."""

    default_retryable = True


class ProcoreServerError(ProcoreError):
    """5xx, a timeout, a dropped connection or a malformed body: transient, retried with backoff."""

    default_retryable = True


class ProcoreRequestError(ProcoreError):
    """Any other 4xx (400, 408, 409, 422, ...): the request itself is wrong; never retried."""


class MissingCompanyContext(ValueError):
    """Raised before sending: every Procore call needs a company (``Procore-Company-Id``)."""


def procore_message(body: bytes) -> str:
    """Extract Procore's human message from an error body (JSON shapes vary, or plain text)."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return text[:300] or "(empty body)"
    if isinstance(data, dict):
        for key in ("message", "errors", "error", "reason"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, list | dict) and value:
                return orjson.dumps(value).decode()[:300]
    return text[:300]


def error_for_status(
    status: int,
    body: bytes,
    *,
    method: str,
    endpoint: str,
    request_id: str | None,
    retry_after: float | None = None,
) -> ProcoreError:
    """Map an HTTP error response to the matching typed error."""
    cls: type[ProcoreError]
    if status == 401:
        cls = ProcoreAuthError
    elif status == 403:
        cls = ProcorePermissionError
    elif status == 404:
        cls = ProcoreNotFoundError
    elif status == 429:
        cls = ProcoreRateLimitedError
    elif status >= 500:
        cls = ProcoreServerError
    else:
        cls = ProcoreRequestError
    return cls(
        procore_message(body),
        status=status,
        method=method,
        endpoint=endpoint,
        request_id=request_id,
        retry_after=retry_after,
    )
