"""Small EXTF files built by hand (not with the connector's writer) for checker tests."""

from __future__ import annotations

CONSULTANT, CLIENT = 455148, 1


def header(
    *,
    category: int = 21,
    name: str = "Buchungsstapel",
    version: int = 13,
    consultant: int = CONSULTANT,
    client: int = CLIENT,
    date_from: str = "20260101",
    date_to: str = "20261231",
    account_length: int = 4,
    skr: str = "03",
    label: str = "Procore Jan",
) -> str:
    period = (date_from, date_to) if category == 21 else ("", "")
    fields = [
        '"EXTF"', "700", str(category), f'"{name}"', str(version), "20260130140440439", "",
        '"RE"', '""', '""', str(consultant), str(client), "20260101", str(account_length),
        period[0], period[1], f'"{label}"', '"WD"', "1", "0", "0", '"EUR"', "", '""', "", "",
        f'"{skr}"', "", "", '""', '""',
    ]  # fmt: skip
    return ";".join(fields)


def headings(columns: int = 125) -> str:
    first = ['"Umsatz (ohne Soll/Haben-Kz)"', '"Soll/Haben-Kennzeichen"', '"WKZ Umsatz"']
    return ";".join(first + [f'"Feld {n}"' for n in range(len(first) + 1, columns + 1)])


def booking(
    *,
    amount: str = "1190,00",
    sh: str = "H",
    konto: str = "70012",
    gegenkonto: str = "3100",
    bu: str = "9",
    belegdatum: str = "1501",
    belegfeld1: str = "RE-2026-0042",
    text: str = "Abschlag 1 Rohbau",
    kost1: str = "",
    columns: int = 125,
) -> str:
    fields = [""] * columns
    fields[0], fields[1], fields[2] = amount, f'"{sh}"', '"EUR"'
    fields[6], fields[7], fields[8], fields[9] = konto, gegenkonto, f'"{bu}"', belegdatum
    fields[10], fields[13] = f'"{belegfeld1}"', '"' + text.replace('"', '""') + '"'
    if columns > 36:
        fields[36] = f'"{kost1}"'
    return ";".join(fields)


def creditor(konto: str = "70012", name: str = "Rohbau Müller GmbH") -> str:
    fields = [""] * 254
    fields[0], fields[1], fields[6] = konto, f'"{name}"', "2"
    fields[44] = '"DE02120300000000202051"'
    return ";".join(fields)


def extf_file(rows: list[str], *, bom: bool = True, head: str | None = None) -> bytes:
    columns = 125 if (head or header()).split(";")[2] == "21" else 254
    lines = [head or header(), headings(columns), *rows]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def creditor_file(rows: list[str]) -> bytes:
    return extf_file(rows, head=header(category=16, name="Debitoren/Kreditoren", version=5))
