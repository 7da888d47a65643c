"""Category 16 Debitoren/Kreditoren writer (Formatversion 5, 254 columns) for creditors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.extf.columns import DEBITOREN_KREDITOREN_HEADINGS
from domain.extf.fields import encode_file, phone, text
from domain.extf.header import DEBITOREN_KREDITOREN, header_fields
from domain.mapping import ClientMapping
from domain.procore.records import Vendor
from domain.text import truncate

_VAT_ID = re.compile(r"^([A-Z]{2})([0-9A-Z+*.]{2,13})$")


class CreditorRecord(BaseModel):
    """Master data of one creditor, as written to category 16."""

    model_config = ConfigDict(frozen=True)

    account: int
    name: str = Field(max_length=50)
    short_name: str = Field(default="", max_length=15)
    eu_country: str = ""
    eu_vat_id: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""
    iban: str = ""
    bic: str = ""
    foreign_id: str = Field(default="", max_length=15, description="Procore vendor id")


def creditor_record(
    vendor: Vendor, account: int, *, iban: str | None = None, bic: str | None = None
) -> CreditorRecord:
    """Creditor master data from a Procore vendor and its assigned creditor number.

    The USt-IdNr. is taken from ``business_id`` when it looks like one (``DE123456789``) and is
    split into country (col 9) and number (col 10).
    """
    vat = re.sub(r"\s", "", (vendor.business_id or "").upper())
    m = _VAT_ID.fullmatch(vat)
    return CreditorRecord(
        account=account,
        name=truncate(vendor.legal_name or vendor.name, 50)[0],
        short_name=truncate(vendor.abbreviated_name or "", 15)[0],
        eu_country=m.group(1) if m else "",
        eu_vat_id=m.group(2) if m else "",
        street=vendor.address or "",
        postal_code=vendor.zip or "",
        city=vendor.city or "",
        country=(vendor.country_code or "").upper()[:2],
        phone=vendor.business_phone or "",
        email=vendor.email_address or "",
        iban=re.sub(r"\s", "", (iban or "").upper()),
        bic=(bic or "").upper(),
        foreign_id=str(vendor.id),
    )


def creditor_row(rec: CreditorRecord) -> list[str]:
    row = [""] * 254

    def put(col: int, value: str) -> None:
        row[col - 1] = value

    put(1, str(rec.account))
    put(2, text(rec.name, 50))
    put(7, text("2", free_text=False))  # Adressattyp: Unternehmen
    if rec.short_name:
        put(8, text(rec.short_name, 15))
    if rec.eu_vat_id:
        put(9, text(rec.eu_country, free_text=False))
        put(10, text(rec.eu_vat_id, free_text=False))
    if rec.street or rec.city:
        put(15, text("STR", free_text=False))  # Adressart: Straße
        put(16, text(rec.street, 36))
        put(18, text(rec.postal_code, 10))
        put(19, text(rec.city, 30))
        put(20, text(rec.country, free_text=False))
    if rec.phone:
        put(29, phone(rec.phone, 60))
    if rec.email:
        put(33, text(rec.email, 60))
    if rec.iban:
        put(44, text(rec.iban[:2], free_text=False))
        put(45, text(rec.iban, 34, free_text=False))
        put(47, text(rec.bic, 11, free_text=False))
        put(49, text("1", free_text=False))  # Hauptbankverbindung
    put(220, text(rec.foreign_id, 15, free_text=False))
    return row


def write_kreditoren(
    records: Sequence[CreditorRecord],
    mapping: ClientMapping,
    *,
    created: datetime,
    fiscal_year_start: date,
) -> bytes:
    """One category-16 file; records sorted by account, so output is deterministic."""
    if not records:
        raise ValueError("a Debitoren/Kreditoren file needs at least one record")
    header = header_fields(
        DEBITOREN_KREDITOREN, mapping, created=created, fiscal_year_start=fiscal_year_start
    )
    rows = [creditor_row(r) for r in sorted(records, key=lambda r: r.account)]
    return encode_file([header, list(DEBITOREN_KREDITOREN_HEADINGS), *rows])
