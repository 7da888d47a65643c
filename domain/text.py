"""Text rules for DATEV fields: NFC, grapheme-safe truncation, Belegfeld sanitizing."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection

BELEGFELD_MAX = 36
BUCHUNGSTEXT_MAX = 60
FORMULA_START = ("=", "+", "-", "@")  # text starting so is guarded by the EXTF writer
_BELEGFELD_ALLOWED = re.compile(r"[^A-Za-z0-9$&%*+\-/]")
_TRANSLIT = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}
_SPACES = re.compile(r" {2,}")


def clean_text(value: str) -> str:
    """NFC-normalise, turn control characters (CR, LF, TAB, …) into single spaces, trim."""
    if value.isascii() and value.isprintable():  # fast path (EXTF writer): NFC/controls no-op
        return (_SPACES.sub(" ", value) if "  " in value else value).strip()
    text = unicodedata.normalize("NFC", value)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _cluster_ends(text: str) -> list[int]:
    """Indexes after which a cut does not split a grapheme (base + combining marks/joiners)."""
    ends: list[int] = []
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch in _JOINERS or ch == "\u200d":
            continue
        if nxt and (unicodedata.combining(nxt) or nxt in _JOINERS):
            continue
        ends.append(i + 1)
    return ends


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """Cut cleaned ``text`` to at most ``limit`` characters at a grapheme boundary.

    Returns ``(text, shortened)`` so callers can note the shortening in the audit trail.
    """
    text = clean_text(text)
    if len(text) <= limit:
        return text, False
    cut = max((e for e in _cluster_ends(text) if e <= limit), default=0)
    return text[:cut].rstrip(), True


def _belegfeld_chars(raw: str) -> str:
    text = clean_text(raw)
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[_\s.,#:;]+", "-", text)
    text = _BELEGFELD_ALLOWED.sub("", text)
    return re.sub(r"-{2,}", "-", text).strip("-")


def sanitize_belegfeld(raw: str) -> str:
    """Map an invoice number to DATEV's Belegfeld alphabet (``A-Za-z0-9$&%*+-/``), ≤36 chars.

    Umlauts are transliterated (ä→ae), ``_``, space, ``.``, ``,``, ``#``, ``:`` and ``;`` become
    ``-``, every other character is dropped; runs of ``-`` collapse. Deterministic. Cuts at 36;
    for a Belegfeld 1 use ``belegfeld_base``, which never cuts silently.
    """
    return _belegfeld_chars(raw)[:BELEGFELD_MAX]


def raw_digest(*parts: str) -> str:
    """Upper-case hex SHA-256 of the cleaned parts (stable suffixes for Belegfeld values)."""
    joined = "|".join(clean_text(p) for p in parts)
    return hashlib.sha256(joined.encode()).hexdigest().upper()


def belegfeld_base(raw: str) -> tuple[str, bool]:
    """The Belegfeld 1 for an invoice number and whether it had to be shortened.

    A mapped number longer than 36 characters keeps its first 29 and gets ``-<6 hex>`` of the
    raw number, so two long numbers that share their first 36 characters stay apart.
    """
    chars = _belegfeld_chars(raw)
    if len(chars) <= BELEGFELD_MAX:
        return chars, False
    return f"{chars[: BELEGFELD_MAX - 7]}-{raw_digest(raw)[:6]}", True


def belegfeld_unique(raw: str, taken: Collection[str], salt: str = "") -> str:
    """Belegfeld 1 for ``raw`` that does not collide with ``taken`` (other invoices' values).

    On a collision (or an empty result) a stable suffix from the hash of the raw number (and
    ``salt``, e.g. the record that claims it) is added: ``<prefix>-<6 hex>``; the same input
    always yields the same value, on every install.
    """
    base, _ = belegfeld_base(raw)
    if base and base not in taken:
        return base
    digest = raw_digest(raw, salt) if salt else raw_digest(raw)
    for width in (6, 8, 10, 12):
        suffix = digest[:width]
        candidate = f"{base[: BELEGFELD_MAX - width - 1]}-{suffix}" if base else suffix
        if candidate not in taken:
            return candidate
    raise ValueError(f"cannot build a unique Belegfeld 1 for {raw!r}")
