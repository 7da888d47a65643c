"""Procore list pagination: ``page``/``per_page`` with ``Total``, ``Per-Page`` and ``Link`` headers.

Not every endpoint sends every header, so the end of a list is decided in this order:
``Link`` present → follow ``rel="next"`` until it is missing; else ``Total`` present → read pages
until ``page × per_page ≥ Total``; else (neither) → read until a page comes back short or empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_REL = re.compile(r'rel\s*=\s*"?([^";]+)"?')


def parse_link_header(value: str | None) -> dict[str, str]:
    """``<url>; rel="next", <url>; rel="last"`` → ``{"next": url, "last": url}``."""
    links: dict[str, str] = {}
    if not value:
        return links
    for match in _LINK_PART.finditer(value):
        url, params = match.group(1), match.group(2)
        rel = _REL.search(params)
        if rel:
            for name in rel.group(1).split():
                links[name] = url
    return links


@dataclass(frozen=True)
class Page:
    """One page of a list response; ``items`` are the records as Procore sent them."""

    number: int
    items: list[dict[str, Any]]
    total_hint: int | None
    per_page: int | None
    next_url: str | None
    has_links: bool = False

    def more_by_number(self, requested_per_page: int) -> bool:
        """Without ``Link``: is there a page after this one (by ``Total``, else by a full page)?"""
        size = self.per_page or requested_per_page
        if self.total_hint is not None:
            return bool(self.items) and self.number * size < self.total_hint
        return len(self.items) >= size > 0


def page_from_response(
    number: int, body: Any, headers: Mapping[str, str], *, endpoint: str
) -> Page:
    """Build a page from a decoded list body (v1 array, or v2 ``{"data": [...]}``)."""
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body = body["data"]
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise ValueError(f"{endpoint}: expected a JSON array of objects, got {type(body).__name__}")

    def _int(name: str) -> int | None:
        try:
            return int(headers[name])
        except (KeyError, ValueError):
            return None

    links = parse_link_header(headers.get("link"))
    return Page(
        number=number,
        items=body,
        total_hint=_int("total"),
        per_page=_int("per-page"),
        next_url=links.get("next"),
        has_links=bool(links),
    )
