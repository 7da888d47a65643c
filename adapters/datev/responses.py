"""Turning DATEV's non-2xx answers into typed errors that quote DATEV's own words."""

from __future__ import annotations

import httpx

from adapters.backoff import parse_retry_after
from adapters.datev import errors as e
from adapters.datev import protocol as p


def error_for(resp: httpx.Response) -> e.DatevError:
    """The typed error for a non-2xx DATEV answer, quoting DATEV's problem text."""
    problem = e.Problem.from_body(resp.content)
    said = "; ".join(problem.messages()) if problem else resp.text[:200]
    where = f"{resp.request.method} {resp.request.url.path}"
    status = resp.status_code
    code = problem.code if problem else ""
    if status == 401:
        return e.DatevUnauthorized(
            f"DATEV refused the access token at {where}: {said}", problem=problem
        )
    if status == 403:
        return e.DatevForbidden(
            f"DATEV forbids {where} ({said}); check the login's rights for this client in "
            "DATEV Rechteverwaltung and that the data service is booked",
            problem=problem,
        )
    if status == 404:
        return e.DatevNotFound(f"DATEV has no {resp.request.url.path}: {said}", problem=problem)
    if status == 429:
        retry = parse_retry_after(resp.headers.get("Retry-After"))
        return e.DatevRateLimited(
            f"DATEV rate-limited {where}; retry after {retry} s",
            retry_after_s=retry,
            problem=problem,
        )
    if status >= 500:
        return e.DatevServerError(f"DATEV answered {status} at {where}: {said}", problem=problem)
    if code == p.DCO_DUPLICATE_FILE:
        return e.DatevDuplicateDocument(
            f"DUO already holds this file ({said}); rename it or change the document type",
            problem=problem,
        )
    if code == p.DCO_UNKNOWN_DOCUMENT_TYPE:
        return e.DatevUnknownDocumentType(
            f"DUO does not know the document type ({said}); check the document type mapping "
            "against `document_types()` of this client",
            problem=problem,
        )
    return e.DatevValidationFailed(f"DATEV rejected {where} ({status}): {said}", problem=problem)
