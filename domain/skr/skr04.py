"""SKR04 subset for construction purchasing (reference datev.md §3).

``confirmed=False`` marks accounts the reference lists as unconfirmed; check them against the
client's chart before relying on them.
"""

from __future__ import annotations

from decimal import Decimal

from domain.chart import Account
from domain.skr.bu_keys import PURCHASE_KEYS

SKR04: tuple[Account, ...] = (
    Account(number=5900, name="Fremdleistungen", kind="expense", bu_keys=PURCHASE_KEYS),
    Account(
        number=5906,
        name="Fremdleistungen 19 % Vorsteuer",
        kind="automatic",
        automatic_tax="input_vat",
        automatic_rate=Decimal("19"),
    ),
    Account(
        number=5910,
        name="Bauleistungen eines im Inland ansässigen Unternehmers 7 % VSt und 7 % USt",
        kind="automatic",
        automatic_tax="reverse_charge",
        automatic_rate=Decimal("7"),
        confirmed=False,
    ),
    Account(
        number=5920,
        name="Bauleistungen eines im Inland ansässigen Unternehmers 19 % VSt und 19 % USt",
        kind="automatic",
        automatic_tax="reverse_charge",
        automatic_rate=Decimal("19"),
    ),
    Account(
        number=5200, name="Wareneingang", kind="expense", bu_keys=PURCHASE_KEYS, confirmed=False
    ),
    Account(
        number=5300,
        name="Wareneingang 7 % Vorsteuer",
        kind="automatic",
        automatic_tax="input_vat",
        automatic_rate=Decimal("7"),
    ),
    Account(
        number=5400,
        name="Wareneingang 19 % Vorsteuer",
        kind="automatic",
        automatic_tax="input_vat",
        automatic_rate=Decimal("19"),
    ),
    Account(number=1401, name="Abziehbare Vorsteuer 7 %", kind="tax"),
    Account(number=1406, name="Abziehbare Vorsteuer 19 %", kind="tax"),
    Account(number=1407, name="Abziehbare Vorsteuer nach § 13b UStG 19 %", kind="tax"),
    Account(number=3837, name="Umsatzsteuer nach § 13b UStG 19 %", kind="tax"),
    Account(
        number=3300,
        name="Verbindlichkeiten aus Lieferungen und Leistungen",
        kind="creditor_collective",
    ),
    Account(
        number=3726,
        name="Verbindlichkeiten an das Finanzamt aus abzuführendem Bauabzugsbetrag",
        kind="liability",
        confirmed=False,
    ),
)
