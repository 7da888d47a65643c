"""Booking lines (one EXTF Buchungsstapel row each) and the outcome of deriving them."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from domain.text import BELEGFELD_MAX, BUCHUNGSTEXT_MAX

Amount = Annotated[
    Decimal,
    Field(gt=0, max_digits=12, decimal_places=2),
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
]
_BELEGFELD = r"^[A-Za-z0-9$&%*+\-/]{0,36}$"


class ForeignCurrency(BaseModel):
    """A line booked in a foreign currency: ``amount`` is in ``currency``; DATEV's Kurs is
    units of ``currency`` per 1 EUR and ``base_amount`` the EUR amount (Basis-Umsatz)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: str = Field(pattern=r"^[A-Z]{3}$")
    kurs: Decimal = Field(gt=0, max_digits=10, decimal_places=6)
    base_amount: Amount


class BookingLine(BaseModel):
    """One booking as DATEV sees it: Umsatz > 0, direction from ``debit_credit`` seen from
    ``account`` (the creditor), ``contra_account`` the expense/liability account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line_id: str = Field(min_length=1, max_length=200)
    source_ref: str = Field(description="RecordRef.key of the Procore record")
    amount: Amount
    debit_credit: Literal["S", "H"]
    account: int = Field(ge=1, le=999_999_999)
    contra_account: int = Field(ge=1, le=999_999_999)
    bu_key: str | None = Field(default=None, pattern=r"^[0-9]{1,4}$")
    document_date: date
    belegfeld1: str = Field(pattern=_BELEGFELD, max_length=BELEGFELD_MAX)
    belegfeld2: str = Field(default="", pattern=_BELEGFELD, max_length=BELEGFELD_MAX)
    text: str = Field(default="", max_length=BUCHUNGSTEXT_MAX)
    kost1: str | None = Field(default=None, max_length=36)
    kost2: str | None = Field(default=None, max_length=36)
    service_date: date | None = None
    beleglink: str | None = Field(
        default=None, description="DUO document GUID; written as BEDI link", max_length=200
    )
    beleginfo: tuple[tuple[str, str], ...] = Field(default=(), max_length=8)
    generalumkehr: bool = False
    foreign: ForeignCurrency | None = Field(
        default=None, description="set when the record is not in EUR (WKZ/Kurs/Basis-Umsatz)"
    )

    @field_validator("beleginfo")
    @classmethod
    def _beleginfo_limits(cls, value: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        for art, inhalt in value:
            if len(art) > 20 or len(inhalt) > 210:
                raise ValueError(f"Beleginfo {art!r} exceeds 20/210 characters")
        return value

    @property
    def signed_amount(self) -> Decimal:
        """Amount as seen from ``account``: S positive, H negative (for totals and netting)."""
        return self.amount if self.debit_credit == "S" else -self.amount

    def content_key(self) -> tuple[object, ...]:
        """What DATEV would book (no ids): used to tell an unchanged record from a changed one."""
        return (
            self.amount,
            self.debit_credit,
            self.account,
            self.contra_account,
            self.bu_key,
            self.document_date,
            self.belegfeld1,
            self.text,
            self.kost1,
            self.kost2,
            self.service_date,
            self.generalumkehr,
            self.foreign,
        )


def stable_line_id(source_ref: str, *parts: object) -> str:
    """Deterministic line id from the record reference and what identifies the line in it."""
    digest = hashlib.sha256("|".join(map(str, (source_ref, *parts))).encode()).hexdigest()
    return f"{source_ref}/{digest[:12]}"


class BelegfeldClaim(BaseModel):
    """The Belegfeld 1 a document asks for, in the scope where it must be unique."""

    model_config = ConfigDict(frozen=True)
    creditor: int
    fiscal_year_start: date
    raw: str = Field(description="the invoice number as Procore has it (or the fallback)")
    value: str = Field(description="the provisional Belegfeld 1 written on the lines")


class WithholdingClaim(BaseModel):
    """§ 48 EStG withholding a document would carry, before the small-amount limit is applied."""

    model_config = ConfigDict(frozen=True)
    vendor_id: int
    year: int = Field(description="calendar year of the Belegdatum")
    base: Decimal = Field(description="the document's gross consideration (Gegenleistung)")
    line_id: str = Field(description="the withholding line the limit may drop")
    limit: Decimal = Field(description="5,000 or 15,000 EUR per supplier and calendar year")


class Planned(BaseModel):
    """The record books as ``lines``; ``notes`` say what was shortened, dropped or assumed."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["planned"] = "planned"
    lines: tuple[BookingLine, ...]
    notes: tuple[str, ...] = ()
    belegfeld: BelegfeldClaim | None = Field(
        default=None, description="resolved by the client's BelegfeldRegistry"
    )
    withholding: WithholdingClaim | None = Field(
        default=None, description="checked against the supplier's year by WithholdingYear"
    )


class Parked(BaseModel):
    """The record cannot be booked until a human fixes ``field``; nothing was guessed."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["parked"] = "parked"
    reason: str
    field: str
    fix: str


class Ignored(BaseModel):
    """A rule says this record is not booked (e.g. status, commitments off); kept for audit."""

    model_config = ConfigDict(frozen=True)
    kind: Literal["ignored"] = "ignored"
    reason: str


DerivationResult = Planned | Parked | Ignored
