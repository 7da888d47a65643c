"""Creditors (any Sachkontenlänge, unique Kurzbezeichnung, no formula-guard corruption) and
texts (Buchungstext keeps invoice number and vendor; Storno names the original invoice)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domain.booking import BookingLine
from domain.chart import build_chart
from domain.creditor_registry import CreditorRegistry
from domain.derivation import derive_direct_cost_lines
from domain.extf import creditor_record, read_extf, write_buchungsstapel, write_kreditoren
from domain.extf.fields import text
from domain.mapping import ClientMapping
from domain.procore.records import Vendor
from domain.reversal import reverse_line
from emulators.datev.extf_check import ClientChart, check_extf
from tests.unit.domain.factories import GERUEST, ctx, dc_line, direct_cost, mapping_data, planned

CREATED = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
D = Decimal


def test_sachkontenlaenge_6_end_to_end() -> None:
    """Accounts of 6 digits, creditors of 7 (7000000–9999999): DATEV's check accepts both files."""
    data = mapping_data()
    data["client"]["account_length"] = 6
    data["cost_accounts"] = [{"cost_code": "*", "cost_type": "S", "account": 310000}]
    data["vendors"] = {"556699": {"creditor": 7000020, "exemption": "none"}}
    data["booking"] = {}
    data["extra_accounts"] = []
    m = ClientMapping.model_validate(data)
    chart = build_chart("03", 6)
    assert chart.creditor_range == (7_000_000, 9_999_999)
    res = planned(
        derive_direct_cost_lines(
            direct_cost([dc_line(1, "1000.00")]), ctx("direct_cost", 1, GERUEST, 7000020), m, chart
        )
    )
    datev = ClientChart(
        consultant_number=29098,
        client_number=55003,
        account_length=6,
        accounts=frozenset(str(a) for a in chart.accounts),
    )
    assert datev.creditor_range == (7_000_000, 9_999_999)
    bookings = write_buchungsstapel(res.lines, m, created=CREATED)
    creditors = write_kreditoren(
        [creditor_record(GERUEST, 7000020)],
        m,
        created=CREATED,
        fiscal_year_start=date(2026, 1, 1),
    )
    for data_ in (bookings, creditors):
        result = check_extf(data_, datev)
        assert result.findings == [], result.findings
    assert read_extf(bookings)[1][0][6:8] == ["7000020", "310000"]


def test_kurzbezeichnung_unique_per_creditor() -> None:
    registry = CreditorRegistry(client_id="29098-55003")
    registry.assign(vendor_id=1, account=70011)
    registry.assign(vendor_id=2, account=70012)
    first = registry.unique_short_name(70011, "KRANEU")
    registry.exported_version(vendor_id=1, content_hash="a", batch_id="b", short_name=first)
    second = registry.unique_short_name(70012, "KRANEU")
    assert (first, second) == ("KRANEU", "KRANEU 70012")
    assert registry.unique_short_name(70011, "KRANEU") == "KRANEU"  # its own stays
    registry.exported_version(
        vendor_id=1, content_hash="c", batch_id="b", short_name="Kranverleih Neu"
    )
    assert registry.unique_short_name(70012, "Kranverleih Neu") == "Kranverle 70012"


def test_phone_keeps_its_plus_and_formulas_are_still_guarded() -> None:
    rec = creditor_record(Vendor(id=1, name="Kran Neumann", business_phone="+49 828 123456"), 70011)
    m = ClientMapping.model_validate(mapping_data())
    _, rows = read_extf(
        write_kreditoren([rec], m, created=CREATED, fiscal_year_start=date(2026, 1, 1))
    )
    assert rows[0][28] == "+49 828 123456"
    evil = creditor_record(Vendor(id=1, name="X", business_phone="+cmd|' /C calc'!A0"), 70011)
    _, rows = read_extf(
        write_kreditoren([evil], m, created=CREATED, fiscal_year_start=date(2026, 1, 1))
    )
    assert rows[0][28].startswith("'+")


def test_60_character_text_starting_with_dash_keeps_its_last_character() -> None:
    vendor = GERUEST.model_copy(
        update={"abbreviated_name": "-Gerüstbau Nord Kiel Verleih und Montage"}
    )
    m = ClientMapping.model_validate(mapping_data())
    from tests.unit.domain.factories import make_chart

    dc = direct_cost([dc_line(1, "1000.00")], invoice_number="RE-2026-0142-A")
    res = planned(
        derive_direct_cost_lines(dc, ctx("direct_cost", 1, vendor, 70020), m, make_chart(m))
    )
    (line,) = res.lines
    assert line.text.endswith("RE-2026-0142-A") and len(line.text) == 59
    written = text(line.text, 60)[1:-1]
    assert written == "'" + line.text and len(written) == 60  # nothing cut by the guard
    assert any("Buchungstext shortened" in n for n in res.notes)


def test_buchungstext_keeps_invoice_number_and_vendor_short_name() -> None:
    m = ClientMapping.model_validate(mapping_data())
    from tests.unit.domain.factories import make_chart

    data = mapping_data()
    data["projects"]["20251"]["name"] = "Kindertagesstätte Augsburg-Hochzoll Neubau 2. Bauabschnitt"
    m = ClientMapping.model_validate(data)
    dc = direct_cost([dc_line(1, "1000.00")], invoice_number="2026-000777")
    vendor = GERUEST.model_copy(update={"abbreviated_name": "Gerüstbau Nord"})
    (line,) = planned(
        derive_direct_cost_lines(dc, ctx("direct_cost", 1, vendor, 70020), m, make_chart(m))
    ).lines
    assert line.text.startswith("Gerüstbau Nord Kindertagesst") and line.text.endswith(
        " 2026-000777"
    )
    assert len(line.text) <= 60


def test_storno_names_the_original_invoice_and_belegfeld() -> None:
    line = BookingLine(
        line_id="r/1",
        source_ref="r",
        amount=D("1190.00"),
        debit_credit="H",
        account=70020,
        contra_account=3100,
        bu_key="9",
        document_date=date(2026, 10, 28),
        belegfeld1="RE-2026/0142-AE-1",
        text="Gerüstbau Nord Kita Augsburg RE 2026/0142#Ä.1",
        beleginfo=(("Procore-ID", "r"), ("Rechnungsnummer", "RE 2026/0142#Ä.1")),
    )
    storno = reverse_line(line)
    assert storno.text.startswith("Storno RE 2026/0142#Ä.1 Gerüstbau Nord")
    assert ("Storno zu", "RE 2026/0142#Ä.1 (Belegfeld RE-2026/0142-AE-1)") in storno.beleginfo
    assert storno.belegfeld1 == line.belegfeld1


def test_master_data_re_sent_when_name_address_or_bank_data_change() -> None:
    from uuid import uuid4

    from domain.sealing import creditor_rows
    from domain.source_document import SourceDocument

    registry = CreditorRegistry(client_id="29098-55003")
    registry.assign(vendor_id=GERUEST.id, account=70020)
    line = creditor_line(70020)
    doc = SourceDocument(key="4281379:20251:direct_cost:1", resource="direct_cost")

    def rows(vendor: Vendor) -> list[str]:
        doc.context = {"vendor": vendor.model_dump(mode="json")}
        return [r.name for r in creditor_rows([line], {"k": doc}, registry, uuid4())]

    assert rows(GERUEST) == ["Gerüstbau Nord KG"]
    assert rows(GERUEST) == []  # unchanged: not sent again
    assert rows(GERUEST.model_copy(update={"name": "Gerüstbau Nord GmbH"})) == [
        "Gerüstbau Nord GmbH"
    ]
    moved = GERUEST.model_copy(update={"name": "Gerüstbau Nord GmbH", "address": "Kai 1"})
    assert rows(moved) == ["Gerüstbau Nord GmbH"]
    assert rows(moved) == []


def test_shortened_creditor_name_and_changed_kurzbezeichnung_are_noted_on_the_record() -> None:
    from uuid import uuid4

    from domain.sealing import creditor_rows
    from domain.source_document import SourceDocument

    registry = CreditorRegistry(client_id="29098-55003")
    registry.assign(vendor_id=1, account=70011)
    registry.assign(vendor_id=2, account=70012)
    registry.exported_version(vendor_id=1, content_hash="a", batch_id="b", short_name="KRANEU")
    long_name = "Kranverleih und Baumaschinenhandel Neumann Nord GmbH & Co. KG Lübeck"  # 68
    vendor = GERUEST.model_copy(update={"id": 2, "name": long_name, "abbreviated_name": "KRANEU"})
    line = creditor_line(70012)
    doc = SourceDocument(key="4281379:20251:direct_cost:1", resource="direct_cost")
    doc.context = {"vendor": vendor.model_dump(mode="json")}
    notes: dict[str, list[str]] = {}
    (row,) = creditor_rows([line], {"k": doc}, registry, uuid4(), notes)
    assert len(row.name) <= 50 and row.short_name == "KRANEU 70012"
    assert notes[doc.key] == [
        f"creditor 70012: name shortened to 50 characters: {row.name!r}",
        "creditor 70012: Kurzbezeichnung 'KRANEU' became 'KRANEU 70012'",
    ]


def creditor_line(account: int) -> BookingLine:
    """A one-euro line on ``account`` from record ``k``, for the creditor-row tests."""
    return BookingLine(
        line_id="k/1",
        source_ref="k",
        amount=D("1.00"),
        debit_credit="H",
        account=account,
        contra_account=3100,
        document_date=date(2026, 10, 1),
        belegfeld1="R1",
    )
