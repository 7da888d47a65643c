"""Category 21 Buchungsstapel writer (format version 700, Formatversion 13, 125 columns)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from domain.booking import BookingLine
from domain.extf.columns import BUCHUNGSSTAPEL_HEADINGS, BUCHUNGSSTAPEL_TEXT_COLUMNS
from domain.extf.fields import amount, encode_file, text, ttmm, ttmmjjjj
from domain.extf.header import BUCHUNGSSTAPEL, header_fields
from domain.mapping import ClientMapping

MAX_LINES = 99_999
MAX_BYTES = 50_000_000  # DATEV's upload limit is 50 MB; decimal megabytes, the smaller reading
HEADER_ROOM = 8_192  # BOM, header and column headings, with room to spare
MAX_ROW_BYTES = 12_000  # a row with every text field full of 4-byte characters stays below
_GENERATION = re.compile(r"@g(\d+)")
_EMPTY_ROW = ['""' if i in BUCHUNGSSTAPEL_TEXT_COLUMNS else "" for i in range(1, 126)]


def booking_row(line: BookingLine) -> list[str]:
    """The 125 fields of one booking line."""
    row = _EMPTY_ROW.copy()
    # row[column - 1]: EXTF columns are numbered from 1 (an inner helper cost ~5 % of writing)
    row[0] = amount(line.amount)
    row[1] = text(line.debit_credit, free_text=False)
    row[2] = text("EUR", free_text=False)
    if line.foreign is not None:  # WKZ Umsatz, Kurs, Basis-Umsatz, WKZ Basis-Umsatz
        row[2] = text(line.foreign.currency, free_text=False)
        row[3] = format(line.foreign.kurs, "f").replace(".", ",")
        row[4] = amount(line.foreign.base_amount)
        row[5] = text("EUR", free_text=False)
    row[6] = str(line.account)
    row[7] = str(line.contra_account)
    row[8] = text(line.bu_key or "", free_text=False)
    row[9] = ttmm(line.document_date)
    row[10] = text(line.belegfeld1, 36, free_text=False)
    row[11] = text(line.belegfeld2, 36, free_text=False)
    row[13] = text(line.text, 60)
    if line.beleglink:
        row[19] = text(f'BEDI "{line.beleglink}"', 210, free_text=False)
    for i, (art, inhalt) in enumerate(line.beleginfo[:8]):
        row[20 + 2 * i] = text(art, 20)
        row[21 + 2 * i] = text(inhalt, 210)
    row[36] = text(line.kost1 or "", 36)
    row[37] = text(line.kost2 or "", 36)
    row[114] = ttmmjjjj(line.service_date)
    row[117] = text("1" if line.generalumkehr else "", free_text=False)
    return row


def _order(line: BookingLine) -> tuple[date, str, int, bool, str]:
    """Date, record, then version: a booking, its Storno, the rebooking (``@g2``), …"""
    gen = _GENERATION.search(line.line_id)
    version = int(gen.group(1)) if gen else 1
    return (
        line.document_date,
        line.source_ref,
        version,
        line.line_id.endswith("~storno"),
        line.line_id,
    )


def write_buchungsstapel(
    lines: Sequence[BookingLine],
    mapping: ClientMapping,
    *,
    created: datetime,
    label: str = "",
) -> bytes:
    """One EXTF Buchungsstapel file. Lines are sorted (date, record, line id), so the same
    lines and ``created`` stamp always give the same bytes.

    Raises ``ValueError`` if the lines span fiscal years or exceed 99,999 — split first with
    ``split_batches``.
    """
    if not lines:
        raise ValueError("a Buchungsstapel needs at least one line")
    if len(lines) > MAX_LINES:
        raise ValueError(f"{len(lines)} lines exceed DATEV's {MAX_LINES} per file")
    ordered = sorted(lines, key=_order)
    years = {mapping.fiscal_year_start(day) for day in {line.document_date for line in ordered}}
    if len(years) != 1:
        raise ValueError(f"lines span fiscal years starting {sorted(years)}; split the batch")
    header = header_fields(
        BUCHUNGSSTAPEL,
        mapping,
        created=created,
        fiscal_year_start=years.pop(),
        date_from=ordered[0].document_date,
        date_to=ordered[-1].document_date,
        label=label,
    )
    data = encode_file([header, list(BUCHUNGSSTAPEL_HEADINGS), *map(booking_row, ordered)])
    if len(data) >= MAX_BYTES:
        raise ValueError(f"{len(data)} bytes exceed DATEV's upload limit; split the batch")
    return data


def split_batches(
    lines: Sequence[BookingLine],
    mapping: ClientMapping,
    *,
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_BYTES,
    by_month: bool = True,
) -> list[list[BookingLine]]:
    """Split into files: one Buchungsperiode (calendar month of the Belegdatum) each, as DATEV
    recommends, ≤ ``max_lines`` rows and < ``max_bytes`` bytes (DATEV's upload limit).

    Lines of one record (same ``source_ref``) stay together unless the record alone is larger
    than a file. ``by_month=False`` splits by fiscal year only.
    """
    buckets: dict[tuple[date, str], list[BookingLine]] = {}
    for line in sorted(lines, key=_order):
        month = f"{line.document_date:%Y%m}" if by_month else ""
        buckets.setdefault((mapping.fiscal_year_start(line.document_date), month), []).append(line)
    budget = max_bytes - HEADER_ROOM
    out: list[list[BookingLine]] = []
    for key in sorted(buckets):
        current: list[BookingLine] = []
        size = 0
        # Below budget / largest possible row no file can reach the limit: skip measuring.
        measure = len(buckets[key]) * MAX_ROW_BYTES >= budget
        for group in _by_record(buckets[key]):
            sizes = [row_bytes(line) for line in group] if measure else [0] * len(group)
            if current and (len(current) + len(group) > max_lines or size + sum(sizes) > budget):
                out.append(current)
                current, size = [], 0
            for line, n in zip(group, sizes, strict=True):
                if current and (len(current) >= max_lines or size + n > budget):
                    out.append(current)
                    current, size = [], 0
                current.append(line)
                size += n
        if current:
            out.append(current)
    return out


def row_bytes(line: BookingLine) -> int:
    """Encoded size of the line's row, CRLF included."""
    return len(";".join(booking_row(line)).encode("utf-8")) + 2


def _by_record(lines: list[BookingLine]) -> list[list[BookingLine]]:
    groups: dict[str, list[BookingLine]] = {}
    for line in lines:
        groups.setdefault(line.source_ref, []).append(line)
    return list(groups.values())
