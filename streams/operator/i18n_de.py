"""German texts of the operator pages, keyed by their English text."""

from __future__ import annotations

MESSAGES: dict[str, str] = {}
