"""A Procore record's currency → DATEV's foreign-currency columns, or a parking reason.

EUR books as it always did. Another currency books with WKZ Umsatz (the record's currency),
Kurs and Basis-Umsatz/WKZ Basis-Umsatz (EUR) when the rate is known — from the record's own
``currency_configuration`` (when its base currency is EUR) or else from the client's configured
``[booking] exchange_rates`` — and is parked otherwise. Never booked as EUR silently.

Rates (ADR 012): Procore's ``currency_exchange_rate`` and our configured rates are read as EUR
per one unit of the record's currency (Basis-Umsatz = Umsatz × rate); DATEV's Kurs is the
inverse, units of the currency per EUR (Mengennotierung), with 6 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from domain.booking import DerivationResult, ForeignCurrency, Parked, Planned

HOME = "EUR"
KURS_PLACES = Decimal("0.000001")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RecordCurrency:
    """The record's currency and, when known, EUR per one unit of it."""

    code: str
    eur_rate: Decimal | None
    rate_field: str  # JSON path of the rate we looked for (named in the parking reason)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        rate = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return rate if rate.is_finite() and rate > 0 else None


def currency_of(record: Mapping[str, Any], rates: Mapping[str, Decimal]) -> RecordCurrency:
    """Read ``currency_configuration``; a record without one is in EUR (Procore's default for
    a company whose books are in EUR)."""
    config = record.get("currency_configuration")
    config = config if isinstance(config, dict) else {}
    code = str(config.get("currency_iso_code") or HOME).strip().upper()
    path = "$.currency_configuration.currency_exchange_rate"
    if code == HOME:
        return RecordCurrency(HOME, Decimal(1), path)
    base = str(config.get("base_currency_iso_code") or "").strip().upper()
    own = _decimal(config.get("currency_exchange_rate")) if base == HOME else None
    configured = _decimal(rates.get(code))
    return RecordCurrency(code, own or configured, path)


def apply_currency(
    result: DerivationResult,
    record: Mapping[str, Any],
    record_key: str,
    rates: Mapping[str, Decimal],
) -> DerivationResult:
    """Mark a planned foreign-currency booking's lines, or park it when no rate is known."""
    if not isinstance(result, Planned):
        return result
    currency = currency_of(record, rates)
    if currency.code == HOME:
        return result
    if currency.eur_rate is None:
        return Parked(
            reason=f"currency {currency.code} on {record_key}: no exchange rate",
            field=currency.rate_field,
            fix=f"set the exchange rate to EUR on the record in Procore, or configure "
            f'[booking] exchange_rates {currency.code} = "<EUR per 1 {currency.code}>"; '
            "then replay the record",
        )
    kurs = (Decimal(1) / currency.eur_rate).quantize(KURS_PLACES, rounding=ROUND_HALF_UP)
    lines = tuple(
        line.model_copy(
            update={
                "foreign": ForeignCurrency(
                    currency=currency.code,
                    kurs=kurs,
                    base_amount=(line.amount * currency.eur_rate).quantize(
                        CENT, rounding=ROUND_HALF_UP
                    ),
                )
            }
        )
        for line in result.lines
    )
    note = f"booked in {currency.code} at {currency.eur_rate} EUR per {currency.code}"
    return result.model_copy(update={"lines": lines, "notes": (*result.notes, note)})
