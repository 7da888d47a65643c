"""BU keys for purchases (reference datev.md §3). Same codes in SKR03 and SKR04."""

from __future__ import annotations

from decimal import Decimal

from domain.chart import BuKey

BU_KEYS: tuple[BuKey, ...] = (
    BuKey(code="9", meaning="Vorsteuer 19 %", tax_kind="input_vat", rate=Decimal("19")),
    BuKey(code="8", meaning="Vorsteuer 7 %", tax_kind="input_vat", rate=Decimal("7")),
    BuKey(code="7", meaning="Vorsteuer 16 % (2020)", tax_kind="input_vat", rate=Decimal("16")),
    BuKey(code="6", meaning="Vorsteuer 5 % (2020)", tax_kind="input_vat", rate=Decimal("5")),
    BuKey(
        code="94",
        meaning="§ 13b Leistungsempfänger 19 % USt und 19 % VSt (Bauleistungen)",
        tax_kind="reverse_charge",
        rate=Decimal("19"),
    ),
    BuKey(
        code="95",
        meaning="§ 13b 19 % USt ohne Vorsteuerabzug",
        tax_kind="reverse_charge",
        rate=Decimal("19"),
    ),
    BuKey(
        code="91",
        meaning="§ 13b 7 % USt und 7 % VSt",
        tax_kind="reverse_charge",
        rate=Decimal("7"),
        confirmed=False,
    ),
    BuKey(
        code="92",
        meaning="§ 13b 7 % USt ohne Vorsteuerabzug",
        tax_kind="reverse_charge",
        rate=Decimal("7"),
        confirmed=False,
    ),
    BuKey(
        code="19",
        meaning="innergemeinschaftlicher Erwerb 19 % USt und VSt",
        tax_kind="eu_acquisition",
        rate=Decimal("19"),
    ),
    BuKey(
        code="18",
        meaning="innergemeinschaftlicher Erwerb 7 % USt und VSt",
        tax_kind="eu_acquisition",
        rate=Decimal("7"),
    ),
)

PURCHASE_KEYS: frozenset[str] = frozenset(k.code for k in BU_KEYS)
