"""Typed DATEV errors: what went wrong, where, whether a retry can help, and what to do.

DATEV's platform APIs answer errors as RFC 7807 problem details
(``type, title, detail, status, request_id, affected_elements[{name, reason}]``); the documents
API (DUO) answers ``{error, error_description, error_uri, request_id}`` with ``#DCO…`` codes.
Both are parsed into :class:`Problem` so a message can quote DATEV's own words.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson
from pydantic import BaseModel, ConfigDict, Field

LOGIN_HINT = "run `ml-connector datev login`"


class AffectedElement(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = ""
    reason: str = ""


class Problem(BaseModel):
    """An RFC 7807 problem (platform APIs) or a DUO error body, normalised."""

    model_config = ConfigDict(extra="allow")

    type: str = ""
    title: str = ""
    detail: str = ""
    status: int | None = None
    request_id: str = ""
    affected_elements: list[AffectedElement] = Field(default_factory=list)
    error: str = ""  # DUO: e.g. "#DCO01253"
    error_description: str = ""

    @classmethod
    def from_body(cls, body: bytes) -> Problem | None:
        try:
            data: Any = orjson.loads(body) if body else None
        except orjson.JSONDecodeError:
            return None
        return cls.model_validate(data) if isinstance(data, dict) else None

    @property
    def code(self) -> str:
        """DATEV's error code if it names one (DUO ``#DCO…`` or a numeric validation code)."""
        if self.error:
            return self.error.lstrip("#")
        last = self.type.rstrip("/").rsplit("/", 1)[-1]
        return last.rsplit(":", 1)[-1] if last else ""

    def messages(self) -> list[str]:
        """Human-readable lines, most specific first."""
        lines = [f"{e.name}: {e.reason}" for e in self.affected_elements]
        head = self.detail or self.title
        if self.error:
            head = f"{self.error} {self.error_description}".strip()
        return ([head] if head else []) + lines


class DatevError(Exception):
    """Base class; ``retryable`` says whether the same call may succeed later unchanged."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, problem: Problem | None = None) -> None:
        super().__init__(message)
        self.problem = problem

    @property
    def messages(self) -> list[str]:
        return self.problem.messages() if self.problem else [str(self)]


class DatevLoginExpired(DatevError):
    """The stored refresh token is missing, expired or revoked: a person must log in again."""

    def __init__(self, reason: str, *, problem: Problem | None = None) -> None:
        super().__init__(f"DATEV login expired — {LOGIN_HINT} ({reason})", problem=problem)


class DatevLoginFailed(DatevError):
    """The interactive login did not complete (consent denied, wrong state, bad code)."""


class DatevClientRejected(DatevLoginFailed):
    """The token endpoint refused the app itself (``invalid_client``: wrong id or secret)."""


class DatevUnauthorized(DatevError):
    """DATEV refused the access token (401); mint a fresh one and retry once."""

    retryable = True


class DatevForbidden(DatevError):
    """403: the login lacks a scope or the right for this DATEV client; a person must fix it."""


class DatevNotFound(DatevError):
    """404: the client, job or document does not exist (or is not visible to this login)."""


class DatevClientNotVisible(DatevError):
    """The login does not see this DATEV client: work for it waits (retried with backoff)."""

    retryable = True


class DatevValidationFailed(DatevError):
    """DATEV rejected the request or file content; fix the data, then resubmit."""


class DatevDuplicateFile(DatevValidationFailed):
    """A different file was already accepted under the same name for this client."""


class DatevDuplicateDocument(DatevValidationFailed):
    """DUO already holds this file (#DCO01253); rename it or change the document type."""


class DatevUnknownDocumentType(DatevValidationFailed):
    """DUO does not know the document type (#DCO01010); check the client's mapping."""


class DatevRateLimited(DatevError):
    """429: wait ``retry_after_s`` seconds, then retry."""

    retryable = True

    def __init__(
        self, message: str, *, retry_after_s: float | None, problem: Problem | None = None
    ) -> None:
        super().__init__(message, problem=problem)
        self.retry_after_s = retry_after_s


class DatevServerError(DatevError):
    """5xx or a broken connection on DATEV's side; retry with backoff."""

    retryable = True
