"""The booking lines of a document: Belegfeld 1, Buchungstext and the creditor line."""

from __future__ import annotations

from decimal import Decimal

from domain.booking import BookingLine, stable_line_id
from domain.derivation.pricing import DocumentDraft
from domain.text import (
    BUCHUNGSTEXT_MAX,
    FORMULA_START,
    belegfeld_base,
    belegfeld_unique,
    clean_text,
    truncate,
)

RAW_NUMBER = "Rechnungsnummer"  # Beleginfo-Art of the invoice number as Procore has it


def belegfeld1(draft: DocumentDraft) -> tuple[str, tuple[tuple[str, str], ...], str]:
    """Belegfeld 1, the Beleginfo pairs that keep the raw numbers traceable, and the raw number.

    The value is provisional: the client's ``BelegfeldRegistry`` (``domain.belegfeld``) makes it
    unique per creditor and fiscal year once the booking is decided.
    """
    info: list[tuple[str, str]] = [("Procore-ID", draft.source_ref)]
    raw = clean_text(draft.invoice_number or "")
    if not raw:
        draft.notes.append(f"no invoice number in Procore; Belegfeld 1 = {draft.fallback_number}")
        raw = draft.fallback_number
    value = belegfeld_unique(raw, draft.taken_belegfeld, draft.source_ref)
    base, shortened = belegfeld_base(raw)
    if value != raw:
        kept, cut = truncate(raw, 210)
        info.append((RAW_NUMBER, kept))
        if cut:
            draft.notes.append(f"invoice number shortened to 210 characters in Beleginfo: {kept!r}")
        if value != base:
            draft.notes.append(f"Belegfeld 1 {base!r} already used; using {value!r}")
        elif shortened:
            draft.notes.append(
                f"invoice number {raw!r} ({len(raw)} characters) is longer than DATEV's 36 for "
                f"Belegfeld 1; written as {value!r} (first 29 characters and a hash of the "
                "number), the full number is in Beleginfo 'Rechnungsnummer'"
            )
        else:
            draft.notes.append(f"invoice number {raw!r} written as Belegfeld 1 {value!r}")
    return value, tuple(info), raw


def booking_text(draft: DocumentDraft, project_label: str | None, invoice: str) -> str:
    """Vendor, project and invoice number in DATEV's 60 characters.

    When it must be shortened the invoice number and the vendor's short name stay: the project
    label goes first, then the end of the vendor name. A text that the EXTF writer must guard
    against spreadsheet formulas (leading ``= + - @``) gets one character less, so the guard's
    apostrophe never pushes a character out of the field. Every shortening is noted.
    """
    full = clean_text(" ".join(p for p in (draft.vendor_label, project_label or "", invoice) if p))
    limit = BUCHUNGSTEXT_MAX - 1 if full.startswith(FORMULA_START) else BUCHUNGSTEXT_MAX
    if len(full) <= limit:
        return full
    tail = clean_text(invoice)
    if len(tail) + 2 > limit:
        text = truncate(tail, limit)[0]
    else:
        head = " ".join(p for p in (draft.vendor_label, project_label or "") if p)
        text = f"{truncate(head, limit - len(tail) - 1)[0]} {tail}".strip()
    draft.notes.append(f"Buchungstext shortened to {text!r} (from {full!r})")
    return text


def creditor_line(
    draft: DocumentDraft,
    *,
    tag: str,
    credit: Decimal,
    contra: int,
    bu_key: str | None,
    beleg: str,
    info: tuple[tuple[str, str], ...],
    text: str,
    kost1: str | None,
    kost2: str | None,
) -> BookingLine:
    """A line on the creditor: ``credit`` > 0 credits the creditor (H), < 0 debits it (S)."""
    return BookingLine(
        line_id=stable_line_id(draft.source_ref, tag, contra, bu_key or "-", kost1, kost2),
        source_ref=draft.source_ref,
        amount=abs(credit),
        debit_credit="H" if credit > 0 else "S",
        account=draft.creditor,
        contra_account=contra,
        bu_key=bu_key,
        document_date=draft.document_date,
        belegfeld1=beleg,
        text=text,
        kost1=kost1,
        kost2=kost2,
        service_date=draft.service_date,
        beleglink=draft.beleglink,
        beleginfo=info,
    )
