"""Read our own EXTF output back (round trips, status page)."""

from __future__ import annotations

import csv

from domain.extf.columns import BUCHUNGSSTAPEL_HEADINGS, DEBITOREN_KREDITOREN_HEADINGS

_HEADINGS = {"21": BUCHUNGSSTAPEL_HEADINGS, "16": DEBITOREN_KREDITOREN_HEADINGS}


class ExtfFormatError(ValueError):
    """The bytes are not an EXTF file as we write it."""


def read_extf(data: bytes) -> tuple[list[str], list[list[str]]]:
    """``(header fields, data rows)`` with quotes removed; checks BOM, CRLF and column counts."""
    if not data.startswith(b"\xef\xbb\xbf"):
        raise ExtfFormatError("missing UTF-8 byte-order mark")
    body = data[3:].decode("utf-8")
    if not body.endswith("\r\n") or "\n" in body.replace("\r\n", ""):
        raise ExtfFormatError("lines must end with CRLF")
    records = list(csv.reader(body.split("\r\n")[:-1], delimiter=";", quotechar='"'))
    if len(records) < 2:
        raise ExtfFormatError("need a header line and a column headings line")
    header, headings, rows = records[0], records[1], records[2:]
    if len(header) != 31 or header[0] != "EXTF":
        raise ExtfFormatError(f"header has {len(header)} fields / starts {header[:1]}")
    expected = _HEADINGS.get(header[2])
    if expected is None or tuple(headings) != expected:
        raise ExtfFormatError(f"unexpected column headings for category {header[2]}")
    for n, row in enumerate(rows, start=3):
        if len(row) != len(expected):
            raise ExtfFormatError(f"line {n} has {len(row)} fields, expected {len(expected)}")
    return header, rows
