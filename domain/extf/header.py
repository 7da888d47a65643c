"""The EXTF header line (line 1, 31 fields), format version 700."""

from __future__ import annotations

from datetime import date, datetime

from domain.extf.fields import created_stamp, text, yyyymmdd
from domain.mapping import ClientMapping

BUCHUNGSSTAPEL = (21, "Buchungsstapel", 13)
DEBITOREN_KREDITOREN = (16, "Debitoren/Kreditoren", 5)


def q(value: str) -> str:
    """A quoted header text field (no formula guard: header values are ours)."""
    return text(value, free_text=False)


def header_fields(
    kind: tuple[int, str, int],
    mapping: ClientMapping,
    *,
    created: datetime,
    fiscal_year_start: date,
    date_from: date | None = None,
    date_to: date | None = None,
    label: str = "",
    origin: str = "RE",
) -> list[str]:
    """The 31 header fields, laid out like DATEV's published examples."""
    category, name, version = kind
    booking = category == 21
    return [
        q("EXTF"),
        "700",
        str(category),
        q(name),
        str(version),
        created_stamp(created),
        "",  # 7 Importiert: empty
        q(origin),  # 8 Herkunft
        q(""),  # 9 Exportiert von
        q(""),  # 10 Importiert von
        str(mapping.client.advisor_number),
        str(mapping.client.client_number),
        yyyymmdd(fiscal_year_start),
        str(mapping.client.account_length),
        yyyymmdd(date_from) if booking else "",
        yyyymmdd(date_to) if booking else "",
        text(label, 30, free_text=False) if booking else q(""),
        q(""),  # 18 Diktatkürzel
        "1" if booking else "",  # 19 Buchungstyp: Finanzbuchführung
        "0" if booking else "",  # 20 Rechnungslegungszweck: unabhängig
        "0" if booking else "",  # 21 Festschreibung: stays editable
        q("EUR") if booking else q(""),
        "",  # 23 reserved
        q(""),  # 24 Derivatskennzeichen: empty
        "",
        "",
        q(mapping.client.skr),
        "",  # 28 Branchenlösung
        "",
        q(""),
        q(""),  # 31 Anwendungsinformation
    ]
