"""Field encoding for EXTF: quoting, decimal comma, DATEV date forms, CSV safety."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from decimal import Decimal

from domain.money import to_cents
from domain.text import FORMULA_START, clean_text

_FORMULA_START = FORMULA_START
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]*$")


# Most values repeat line after line (currency, S/H, BU key, KOST1, Beleginfo kinds, texts).
@functools.lru_cache(maxsize=8192)
def text(value: str | None, limit: int | None = None, *, free_text: bool = True) -> str:
    """A quoted text field: NFC, no control characters, inner ``"`` doubled.

    Free text (names, Buchungstext) that would start a spreadsheet formula gets a leading
    apostrophe, so opening the file in Excel cannot run it (pitfall 28 users do open them).
    """
    if not value:
        return '""'
    body = clean_text(value)
    if free_text and body.startswith(_FORMULA_START):
        body = "'" + body
    if limit is not None:
        body = body[:limit]
    return '"' + body.replace('"', '""') + '"'


def phone(value: str | None, limit: int) -> str:
    """A phone number keeps its leading ``+`` (it cannot run as a formula: digits only);
    anything else in the field is guarded like free text."""
    body = clean_text(value or "")
    return text(body, limit, free_text=not _PHONE.fullmatch(body))


def amount(value: Decimal) -> str:
    """``1190,00``: two decimals, decimal comma, no sign, no thousands separator."""
    if value <= 0:
        raise ValueError(f"EXTF amounts must be > 0, got {value}")
    return format(to_cents(value), "f").replace(".", ",")


def ttmm(day: date) -> str:
    return f"{day.day:02d}{day.month:02d}"


def ttmmjjjj(day: date | None) -> str:
    return "" if day is None else f"{day.day:02d}{day.month:02d}{day.year:04d}"


def yyyymmdd(day: date | None) -> str:
    return "" if day is None else f"{day.year:04d}{day.month:02d}{day.day:02d}"


def created_stamp(moment: datetime) -> str:
    """Header field 6 'Erzeugt am': ``YYYYMMDDHHMMSSFFF``."""
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def encode_file(lines: list[list[str]]) -> bytes:
    """Join fields with ``;`` and lines with CRLF; UTF-8 with BOM (DATEV reads the BOM)."""
    body = "".join(";".join(fields) + "\r\n" for fields in lines)
    return b"\xef\xbb\xbf" + body.encode("utf-8")
