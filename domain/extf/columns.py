"""Column headings of the EXTF formats we write (positions are what DATEV reads)."""
# ruff: noqa: RUF005

from __future__ import annotations


def _pairs(art: str, inhalt: str, count: int) -> list[str]:
    out: list[str] = []
    for i in range(1, count + 1):
        out += [f"{art} {i}", f"{inhalt} {i}"]
    return out


BUCHUNGSSTAPEL_HEADINGS: tuple[str, ...] = tuple(
    [
        "Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "WKZ Umsatz", "Kurs",
        "Basis-Umsatz", "WKZ Basis-Umsatz", "Konto", "Gegenkonto (ohne BU-Schlüssel)",
        "BU-Schlüssel", "Belegdatum", "Belegfeld 1", "Belegfeld 2", "Skonto", "Buchungstext",
        "Postensperre", "Diverse Adressnummer", "Geschäftspartnerbank", "Sachverhalt",
        "Zinssperre", "Beleglink",
    ]
    + _pairs("Beleginfo - Art", "Beleginfo - Inhalt", 8)
    + [
        "KOST1 - Kostenstelle", "KOST2 - Kostenstelle", "Kost-Menge",
        "EU-Land u. UStID (Bestimmung)", "EU-Steuersatz (Bestimmung)", "Abw. Versteuerungsart",
        "Sachverhalt L+L", "Funktionsergänzung L+L", "BU 49 Hauptfunktionstyp",
        "BU 49 Hauptfunktionsnummer", "BU 49 Funktionsergänzung",
    ]
    + _pairs("Zusatzinformation - Art", "Zusatzinformation- Inhalt", 20)
    + [
        "Stück", "Gewicht", "Zahlweise", "Forderungsart", "Veranlagungsjahr",
        "Zugeordnete Fälligkeit", "Skontotyp", "Auftragsnummer", "Buchungstyp",
        "USt-Schlüssel (Anzahlungen)", "EU-Land (Anzahlungen)", "Sachverhalt L+L (Anzahlungen)",
        "EU-Steuersatz (Anzahlungen)", "Erlöskonto (Anzahlungen)", "Herkunft-Kz",
        "Buchungs GUID", "KOST-Datum", "SEPA-Mandatsreferenz", "Skontosperre",
        "Gesellschaftername", "Beteiligtennummer", "Identifikationsnummer", "Zeichnernummer",
        "Postensperre bis", "Bezeichnung SoBil-Sachverhalt", "Kennzeichen SoBil-Buchung",
        "Festschreibung", "Leistungsdatum", "Datum Zuord. Steuerperiode", "Fälligkeit",
        "Generalumkehr (GU)", "Steuersatz", "Land", "Abrechnungsreferenz", "BVV-Position",
        "EU-Land u. UStID (Ursprung)", "EU-Steuersatz (Ursprung)", "Abw. Skontokonto",
    ]
)  # fmt: skip

# Text-typed columns (1-based): written in quotes, "" when empty. Everything else is a number or
# date and is written bare (empty when unused).
BUCHUNGSSTAPEL_TEXT_COLUMNS: frozenset[int] = frozenset(
    [2, 3, 6, 9, 11, 12, 14, 16, 20, *range(21, 39), 40, 42, *range(48, 88), 91, 95, 96, 98]
    + [102, 103, 105, 107, 109, 110, 112, 118, 120, 121, 123]
)


def _bank(n: int) -> list[str]:
    return [
        f"Bankleitzahl {n}", f"Bankbezeichnung {n}", f"Bank-Kontonummer {n}",
        f"Länderkennzeichen {n}", f"IBAN-Nr. {n}", "Leerfeld", f"SWIFT-Code {n}",
        f"Abw. Kontoinhaber {n}", f"Kennz. Hauptbankverb. {n}", f"Bankverb {n} Gültig von",
        f"Bankverb {n} Gültig bis",
    ]  # fmt: skip


_ADDRESS = [
    "Abweichende Anrede", "Adressart", "Straße", "Postfach", "Postleitzahl", "Ort", "Land",
    "Versandzusatz", "Adresszusatz", "Abw. Zustellbezeichnung 1", "Abw. Zustellbezeichnung 2",
    "Adresse Gültig von", "Adresse Gültig bis",
]  # fmt: skip

DEBITOREN_KREDITOREN_HEADINGS: tuple[str, ...] = tuple(
    [
        "Konto", "Name (Adressattyp Unternehmen)", "Unternehmensgegenstand",
        "Name (Adressattyp natürl. Person)", "Vorname (Adressattyp natürl. Person)",
        "Name (Adressattyp keine Angabe)", "Adressattyp", "Kurzbezeichnung", "EU-Land",
        "EU-UStID", "Anrede", "Titel/Akad. Grad", "Adelstitel", "Namensvorsatz", "Adressart",
        "Straße", "Postfach", "Postleitzahl", "Ort", "Land", "Versandzusatz", "Adresszusatz",
        "Abweichende Anrede", "Abw. Zustellbezeichnung 1", "Abw. Zustellbezeichnung 2",
        "Kennz. Korrespondenzadresse", "Adresse Gültig von", "Adresse Gültig bis", "Telefon",
        "Bemerkung (Telefon)", "Telefon GL", "Bemerkung (Telefon GL)", "E-Mail",
        "Bemerkung (E-Mail)", "Internet", "Bemerkung (Internet)", "Fax", "Bemerkung (Fax)",
        "Sonstige", "Bemerkung (Sonstige)",
    ]
    + [h for n in range(1, 6) for h in _bank(n)]
    + [
        "Leerfeld", "Briefanrede", "Grußformel", "Kunden-/Lief.-Nr.", "Steuernummer", "Sprache",
        "Ansprechpartner", "Vertreter", "Sachbearbeiter", "Diverse-Konto", "Ausgabeziel",
        "Währungssteuerung", "Kreditlimit (Debitor)", "Zahlungsbedingung",
        "Fälligkeit in Tagen (Debitor)", "Skonto in Prozent (Debitor)", "Kreditoren-Ziel 1 Tg.",
        "Kreditoren-Skonto 1 %", "Kreditoren-Ziel 2 Tg.", "Kreditoren-Skonto 2 %",
        "Kreditoren-Ziel 3 Brutto Tg.", "Kreditoren-Ziel 4 Tg.", "Kreditoren-Skonto 4 %",
        "Kreditoren-Ziel 5 Tg.", "Kreditoren-Skonto 5 %", "Mahnung", "Kontoauszug",
        "Mahntext 1", "Mahntext 2", "Mahntext 3", "Kontoauszugstext", "Mahnlimit Betrag",
        "Mahnlimit %", "Zinsberechnung", "Mahnzinssatz 1", "Mahnzinssatz 2", "Mahnzinssatz 3",
        "Lastschrift", "Leerfeld", "Mandantenbank", "Zahlungsträger",
    ]
    + [f"Indiv. Feld {i}" for i in range(1, 16)]
    + [f"{h} (Rechnungsadresse)" for h in _ADDRESS]
    + [h for n in range(6, 11) for h in _bank(n)]
    + ["Nummer Fremdsystem", "Insolvent"]
    + [f"SEPA-Mandatsreferenz {i}" for i in range(1, 11)]
    + [
        "Verknüpftes OPOS-Konto", "Mahnsperre bis", "Lastschriftsperre bis",
        "Zahlungssperre bis", "Gebührenberechnung", "Mahngebühr 1", "Mahngebühr 2",
        "Mahngebühr 3", "Pauschalenberechnung", "Verzugspauschale 1", "Verzugspauschale 2",
        "Verzugspauschale 3", "Alternativer Suchname", "Status",
        "Anschrift manuell geändert (Korrespondenzadresse)",
        "Anschrift individuell (Korrespondenzadresse)",
        "Anschrift manuell geändert (Rechnungsadresse)",
        "Anschrift individuell (Rechnungsadresse)", "Fristberechnung bei Debitor",
        "Mahnfrist 1", "Mahnfrist 2", "Mahnfrist 3", "Letzte Frist",
    ]
)  # fmt: skip

assert len(BUCHUNGSSTAPEL_HEADINGS) == 125
assert len(DEBITOREN_KREDITOREN_HEADINGS) == 254
