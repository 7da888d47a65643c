"""Posted is posted: a changed or deleted record yields reversals plus new lines, never edits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Literal

from domain.booking import BookingLine
from domain.derivation.lines import RAW_NUMBER
from domain.text import truncate

ReversalMethod = Literal["generalumkehr", "opposite"]
_GEN = re.compile(r"@g(\d+)$")
STORNO_OF = "Storno zu"  # Beleginfo-Art: the invoice number and Belegfeld 1 reversed


def reverse_line(
    line: BookingLine, method: ReversalMethod = "generalumkehr", on: date | None = None
) -> BookingLine:
    """The Storno of ``line``: same accounts and the SAME BU key.

    ``generalumkehr`` keeps S/H and sets the GU flag (DATEV reverses it, and the tax with it);
    ``opposite`` flips S/H instead. Belegfeld 1 stays the same so the open item nets to zero.
    Text and the "Storno zu" Beleginfo name the original invoice number and Belegfeld 1, so the
    accountant finds the booking it reverses.
    """
    invoice = _invoice(line)
    reference = (
        invoice if invoice == line.belegfeld1 else f"{invoice} (Belegfeld {line.belegfeld1})"
    )
    info = line.beleginfo
    if len(info) < 8 and not any(a == STORNO_OF for a, _ in info):
        info = (*info, (STORNO_OF, truncate(reference, 210)[0]))
    return line.model_copy(
        update={
            "line_id": f"{line.line_id}~storno",
            "debit_credit": line.debit_credit
            if method == "generalumkehr"
            else ("S" if line.debit_credit == "H" else "H"),
            "generalumkehr": method == "generalumkehr",
            "text": storno_text(line)[0],
            "document_date": on or line.document_date,
            "beleginfo": info,
        }
    )


def _invoice(line: BookingLine) -> str:
    return next((v for a, v in line.beleginfo if a == RAW_NUMBER), line.belegfeld1)


def storno_text(line: BookingLine) -> tuple[str, bool]:
    """The Storno's Buchungstext (invoice number first) and whether it had to be shortened."""
    invoice = _invoice(line)
    rest = line.text.removesuffix(invoice).removesuffix(line.belegfeld1).strip()
    return truncate(f"Storno {invoice} {rest}", 60)


def storno_notes(posted_lines: Sequence[BookingLine]) -> list[str]:
    """Audit notes for every Storno text that had to be shortened to DATEV's 60 characters."""
    notes = []
    for line in posted_lines:
        text, shortened = storno_text(line)
        if shortened:
            notes.append(f"Storno text of {line.belegfeld1} shortened to 60 characters: {text!r}")
    return notes


def plan_rebooking(
    posted_lines: Sequence[BookingLine],
    new_lines: Sequence[BookingLine],
    *,
    method: ReversalMethod = "generalumkehr",
    reversal_date: date | None = None,
) -> list[BookingLine]:
    """Lines to emit for a record whose effective posted lines are ``posted_lines``.

    * unchanged (same bookings, order ignored) → ``[]``
    * changed → reversal of every posted line, then the new lines (ids suffixed ``@g<n>`` so a
      later version never reuses an earlier line id)
    * deleted (``new_lines`` empty) → reversal of every posted line
    """
    if sorted(map(_key, posted_lines)) == sorted(map(_key, new_lines)):
        return []
    reversals = [reverse_line(line, method, reversal_date) for line in posted_lines]
    if not posted_lines:
        return list(new_lines)
    generation = 1 + max((_generation(line.line_id) for line in posted_lines), default=1)
    renamed = [
        line.model_copy(update={"line_id": f"{_GEN.sub('', line.line_id)}@g{generation}"})
        for line in new_lines
    ]
    return reversals + renamed


def _generation(line_id: str) -> int:
    m = _GEN.search(line_id)
    return int(m.group(1)) if m else 1


def _key(line: BookingLine) -> tuple[str, ...]:
    return tuple(str(x) for x in line.content_key())
