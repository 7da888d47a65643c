"""SKR03 subset for construction purchasing (reference datev.md §3).

``confirmed=False`` marks accounts the reference lists as unconfirmed; check them against the
client's chart before relying on them.
"""

from __future__ import annotations

from decimal import Decimal

from domain.chart import Account
from domain.skr.bu_keys import PURCHASE_KEYS

SKR03: tuple[Account, ...] = (
    Account(number=3100, name="Fremdleistungen", kind="expense", bu_keys=PURCHASE_KEYS),
    Account(
        number=3106,
        name="Fremdleistungen 19 % Vorsteuer",
        kind="automatic",
        automatic_tax="input_vat",
        automatic_rate=Decimal("19"),
    ),
    Account(
        number=3110,
        name="Bauleistungen eines im Inland ansässigen Unternehmers 7 % VSt und 7 % USt",
        kind="automatic",
        automatic_tax="reverse_charge",
        automatic_rate=Decimal("7"),
        confirmed=False,
    ),
    Account(
        number=3120,
        name="Bauleistungen eines im Inland ansässigen Unternehmers 19 % VSt und 19 % USt",
        kind="automatic",
        automatic_tax="reverse_charge",
        automatic_rate=Decimal("19"),
    ),
    Account(
        number=3200, name="Wareneingang", kind="expense", bu_keys=PURCHASE_KEYS, confirmed=False
    ),
    Account(
        number=3300,
        name="Wareneingang 7 % Vorsteuer",
        kind="automatic",
        automatic_tax="input_vat",
        automatic_rate=Decimal("7"),
    ),
    Account(
        number=3400,
        name="Wareneingang 19 % Vorsteuer",
        kind="automatic",
        automatic_tax="input_vat",
        automatic_rate=Decimal("19"),
    ),
    Account(number=1571, name="Abziehbare Vorsteuer 7 %", kind="tax"),
    Account(number=1576, name="Abziehbare Vorsteuer 19 %", kind="tax"),
    Account(number=1577, name="Abziehbare Vorsteuer nach § 13b UStG 19 %", kind="tax"),
    Account(number=1787, name="Umsatzsteuer nach § 13b UStG 19 %", kind="tax"),
    Account(
        number=1600,
        name="Verbindlichkeiten aus Lieferungen und Leistungen",
        kind="creditor_collective",
    ),
    Account(
        number=1749,
        name="Verbindlichkeiten an das Finanzamt aus abzuführendem Bauabzugsbetrag",
        kind="liability",
        confirmed=False,
    ),
)
