"""EXTF writers: header, columns, encoding, determinism, splitting, names, golden files."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.booking import BookingLine
from domain.chart import Chart
from domain.extf import (
    FILENAME_PATTERN,
    extf_filename,
    period_label,
    read_extf,
    split_batches,
    write_buchungsstapel,
)
from domain.extf.columns import BUCHUNGSSTAPEL_HEADINGS
from domain.mapping import ClientMapping
from tests.unit.domain.golden_batch import (
    CREATED,
    GUID,
    batch_lines,
    golden_buchungsstapel,
    golden_kreditoren,
)

GOLDEN = Path(__file__).parent / "golden"
D = Decimal


def _check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":  # regenerate deliberately, then review the diff
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from the golden file"


def test_golden_buchungsstapel(mapping: ClientMapping, chart: Chart) -> None:
    _check_golden("EXTF_Buchungsstapel.csv", golden_buchungsstapel(mapping, chart))


def test_golden_kreditoren(mapping: ClientMapping) -> None:
    _check_golden("EXTF_Debitoren_Kreditoren.csv", golden_kreditoren(mapping))


def test_buchungsstapel_header_matches_reference_layout(
    mapping: ClientMapping, chart: Chart
) -> None:
    data = golden_buchungsstapel(mapping, chart)
    first = data[3:].split(b"\r\n")[0].decode()
    assert first == (
        '"EXTF";700;21;"Buchungsstapel";13;20261102063000125;;"RE";"";"";29098;55003;20260101;4;'
        '20261015;20261031;"Procore 2026-10";"";1;0;0;"EUR";;"";;;"03";;;"";""'
    )


def test_kreditoren_header_matches_reference_layout(mapping: ClientMapping) -> None:
    first = golden_kreditoren(mapping)[3:].split(b"\r\n")[0].decode()
    assert first == (
        '"EXTF";700;16;"Debitoren/Kreditoren";5;20261102063000125;;"RE";"";"";29098;55003;'
        '20260101;4;;;"";"";;;;"";;"";;;"03";;;"";""'
    )


def test_file_encoding_rules(mapping: ClientMapping, chart: Chart) -> None:
    data = golden_buchungsstapel(mapping, chart)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    body = data[3:].decode("utf-8")
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    assert "Gerüst" in body and "Geru\u0308st" not in body  # NFC, no decomposed ü
    lines = body.split("\r\n")[:-1]
    assert len(lines[0]) <= 1000
    assert lines[1] == ";".join(BUCHUNGSSTAPEL_HEADINGS)
    for row in lines[2:]:
        assert row.count(";") >= 124


def test_rows_field_by_field(mapping: ClientMapping, chart: Chart) -> None:
    header, rows = read_extf(golden_buchungsstapel(mapping, chart))
    assert len(header) == 31 and all(len(r) == 125 for r in rows)
    rc = next(r for r in rows if r[10] == "RE-2026-0142")
    assert rc[:11] == [
        "15000,00",
        "H",
        "EUR",
        "",
        "",
        "",
        "70010",
        "3100",
        "94",
        "3110",
        "RE-2026-0142",
    ]
    assert rc[13] == "Bau Müller Kita Augsburg RE-2026-0142"
    assert rc[19] == f'BEDI "{GUID}"'
    assert rc[20:22] == ["Procore-ID", "4281379:20251:requisition:4401223"]
    assert rc[36] == "20251" and rc[114] == "31102026" and rc[117] == ""
    gross = sorted((r[0], r[8]) for r in rows if r[6] == "70020" and r[1] == "H")
    assert gross == [("267,50", "8"), ("3570,00", "9")]  # 250 + 7 %, 3000 + 19 %
    credit = next(r for r in rows if r[10] == "GS-17")
    assert (credit[0], credit[1], credit[8]) == ("142,80", "S", "9")
    steel = [r for r in rows if r[6] == "70030"]
    assert [(r[0], r[8], r[117]) for r in steel] == [
        ("49980,00", "", ""),
        ("49980,00", "", "1"),
        ("48790,00", "", ""),
    ]  # automatic account: no BU key; reversal via Generalumkehr, then the corrected booking
    formula = steel[0][13]
    assert not formula.startswith(("=", "+", "-", "@"))


def test_quoting_in_raw_bytes(mapping: ClientMapping, chart: Chart) -> None:
    body = golden_buchungsstapel(mapping, chart)[3:].decode()
    assert '"Rechnungsnummer";"Gerüst ""A-D"" 2026_7781"' in body
    assert f'"BEDI ""{GUID}"""' in body


def test_same_batch_same_bytes_any_order(mapping: ClientMapping, chart: Chart) -> None:
    lines = batch_lines(mapping, chart)
    a = write_buchungsstapel(lines, mapping, created=CREATED)
    b = write_buchungsstapel(list(reversed(lines)), mapping, created=CREATED)
    assert a == b
    assert write_buchungsstapel(lines, mapping, created=CREATED + timedelta(seconds=1)) != a


def _line(day: date, n: int, ref: str = "r") -> BookingLine:
    return BookingLine(
        line_id=f"{ref}/{n}",
        source_ref=ref,
        amount=D("1.00"),
        debit_credit="H",
        account=70010,
        contra_account=3100,
        bu_key="9",
        document_date=day,
        belegfeld1=f"R{n}",
    )


def test_split_by_fiscal_year_and_size(mapping: ClientMapping) -> None:
    lines = [
        _line(date(2025, 12, 31), 1, "a"),
        _line(date(2026, 1, 2), 2, "b"),
        _line(date(2026, 1, 3), 3, "b"),
    ]
    parts = split_batches(lines, mapping)
    assert [[ln.line_id for ln in p] for p in parts] == [["a/1"], ["b/2", "b/3"]]
    with pytest.raises(ValueError, match="fiscal years"):
        write_buchungsstapel(lines, mapping, created=CREATED)
    small = split_batches(
        [_line(date(2026, 1, 1), i, f"r{i}") for i in range(5)], mapping, max_lines=2
    )
    assert [len(p) for p in small] == [2, 2, 1]
    monthly = split_batches(
        [_line(date(2026, 1, 31), 1), _line(date(2026, 2, 1), 2, "x")], mapping, by_month=True
    )
    assert len(monthly) == 2


def test_header_dates_come_from_lines(mapping: ClientMapping) -> None:
    data = write_buchungsstapel(
        [_line(date(2026, 3, 9), 1), _line(date(2026, 3, 2), 2)], mapping, created=CREATED
    )
    header, rows = read_extf(data)
    assert header[14:16] == ["20260302", "20260309"]
    assert [r[9] for r in rows] == ["0203", "0903"]  # TTMM, sorted by date


def test_filename() -> None:
    sha = hashlib.sha256(b"x").hexdigest()
    name = extf_filename(
        "29098-55003", "Buchungsstapel", period_label(date(2026, 10, 1), date(2026, 11, 30)), sha
    )
    assert FILENAME_PATTERN.fullmatch(name) and len(name) == 5 + 51 + 4
    assert name.startswith("EXTF_Buchungsstapel_29098-55003_202610-202611_")
    assert extf_filename("a b", "K", "2026", sha).startswith("EXTF_K_a_b_2026_")
    assert re.fullmatch(r"EXTF_[A-Za-z0-9_-]+\.csv", name)


def test_kreditoren_fields(mapping: ClientMapping) -> None:
    _header, rows = read_extf(golden_kreditoren(mapping))
    assert len(rows) == 3 and all(len(r) == 254 for r in rows)
    m = rows[0]
    assert (m[0], m[1], m[6], m[7], m[8], m[9]) == (
        "70010",
        "Bau Müller GmbH",
        "2",
        "Bau Müller",
        "DE",
        "123456789",
    )
    assert (m[15], m[17], m[18], m[19]) == ("Hauptstraße 12", "86150", "Augsburg", "DE")
    assert (m[44], m[46], m[219]) == ("DE89370400440532013000", "COBADEFFXXX", "556677")
    assert rows[1][44] == "" and rows[1][219] == "556699"


def test_golden_files_pass_the_datev_check(mapping: ClientMapping, chart: Chart) -> None:
    """The golden files as the DATEV emulator's independent validator reads them."""
    from emulators.datev.extf_check import ClientChart, check_extf

    datev = ClientChart(
        consultant_number=mapping.client.advisor_number,
        client_number=mapping.client.client_number,
        accounts=frozenset(str(a) for a in chart.accounts),
        automatic_accounts=frozenset(
            str(a.number) for a in chart.accounts.values() if a.is_automatic
        ),
    )
    for name in ("EXTF_Buchungsstapel.csv", "EXTF_Debitoren_Kreditoren.csv"):
        result = check_extf((GOLDEN / name).read_bytes(), datev)
        assert result.findings == [], (name, result.findings[:3])
