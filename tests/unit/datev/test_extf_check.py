"""The emulator's independent EXTF checker on hand-built good and bad files."""

from __future__ import annotations

import pytest

from emulators.datev.extf_check import (
    CODE_AUTOMATIC,
    CODE_FILE,
    CODE_HEADER,
    ClientChart,
    check_extf,
)
from emulators.datev.state import SKR03_DEMO_ACCOUNTS, SKR03_DEMO_AUTOMATIC
from tests.unit.datev.extf_samples import booking, creditor, creditor_file, extf_file, header

CHART = ClientChart(
    consultant_number=455148,
    client_number=1,
    accounts=SKR03_DEMO_ACCOUNTS,
    automatic_accounts=SKR03_DEMO_AUTOMATIC,
)


def reasons(data: bytes) -> list[str]:
    return [f"{f.code} {f.name}: {f.reason}" for f in check_extf(data, CHART).findings]


def test_good_booking_file_is_accepted_with_its_bookings() -> None:
    result = check_extf(extf_file([booking(), booking(amount="50,00", sh="S")]), CHART)
    assert result.ok, result.findings
    assert result.category == 21
    assert [b["amount"] for b in result.bookings] == ["1190.00", "50.00"]
    assert result.bookings[0]["belegdatum"] == "2026-01-15"
    assert result.bookings[0]["konto"] == "70012"


def test_utf8_with_bom_keeps_umlauts_and_without_bom_reads_cp1252() -> None:
    row = booking(text="Fliesen Müller €")
    with_bom = check_extf(extf_file([row]), CHART)
    without_bom = check_extf(extf_file([row], bom=False), CHART)
    assert with_bom.bookings[0]["buchungstext"] == "Fliesen Müller €"
    assert without_bom.bookings[0]["buchungstext"] != "Fliesen Müller €"
    assert "Ã¼" in without_bom.bookings[0]["buchungstext"]  # what DATEV would show


def test_good_creditor_file() -> None:
    result = check_extf(creditor_file([creditor()]), CHART)
    assert result.ok, result.findings
    assert result.creditors == [
        {"konto": "70012", "name": "Rohbau Müller GmbH", "iban": "DE02120300000000202051"}
    ]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (header().rsplit(";", 1)[0], "expected 31 fields"),
        (header(version=5), "do not fit together"),
        (header(category=16, name="Buchungsstapel", version=13), "do not fit together"),
        (header(consultant=29098), "Beraternummer"),
        (header(client=2), "Mandantennummer"),
        (header(date_from="20261231", date_to="20260101"), "DateFrom is after DateTo"),
        (header(account_length=5), "Sachkontenlänge"),
        (header(skr="04"), "Sachkontenrahmen"),
        (header(label="x" * 990), "over 1000 chars"),
    ],
)
def test_header_problems_are_1008834(head: str, expected: str) -> None:
    found = reasons(extf_file([booking()], head=head))
    assert any(r.startswith(CODE_HEADER) and expected in r for r in found), found


def test_wrong_column_count() -> None:
    found = reasons(extf_file([booking(columns=124)]))
    assert any("expected 125 fields, found 124" in r for r in found), found
    data = extf_file([booking()]).replace(b'"Feld 125"', b'"Feld 125";"extra"')
    assert any("column headings" in r for r in reasons(data))


def test_empty_and_badly_encoded_files() -> None:
    assert reasons(b"")[0].startswith(CODE_FILE)
    assert "bad encoding" in reasons(b"\xef\xbb\xbf\xff\xfe broken")[0]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (booking(amount="1190.00"), "Umsatz"),
        (booking(amount="0,00"), "Umsatz"),
        (booking(amount="-5,00"), "Umsatz"),
        (booking(amount="12345678901,00"), "Umsatz"),
        (booking(sh="X"), "Soll/Haben"),
        (booking(gegenkonto="4999"), "not in the client's chart"),
        (booking(konto="9999999999"), "at most 9 digits"),
        (booking(konto="123456"), "account length 4"),
        (booking(konto="5000", gegenkonto="3100"), "not in the client's chart"),
        (booking(belegdatum="3101", bu="9"), ""),  # valid control row, see below
        (booking(belegdatum="101"), "Belegdatum"),
        (booking(belegdatum="3102"), "Belegdatum"),
        (booking(belegfeld1="RE 2026_1"), "Belegfeld 1"),
        (booking(belegfeld1="A" * 37), "Belegfeld 1"),
        (booking(text="x" * 61), "Buchungstext"),
        (booking(kost1="K" * 37), "KOST1"),
        (booking(bu="12345"), "BU-Schlüssel"),
    ],
)
def test_row_problems(row: str, expected: str) -> None:
    found = reasons(extf_file([row]))
    if not expected:
        assert found == []
    else:
        assert any(expected in r for r in found), found


def test_belegdatum_outside_header_period() -> None:
    head = header(date_from="20260201", date_to="20260228")
    found = reasons(extf_file([booking(belegdatum="1501")], head=head))
    assert any("Belegdatum" in r for r in found), found


def test_bu_key_on_automatic_account_is_rew00305() -> None:
    found = reasons(extf_file([booking(gegenkonto="3106", bu="9")]))
    assert any(r.startswith(CODE_AUTOMATIC) and "automatic account 3106" in r for r in found)
    assert reasons(extf_file([booking(gegenkonto="3106", bu="")])) == []


def test_personal_accounts_must_be_in_creditor_or_debitor_range() -> None:
    narrow = ClientChart(
        consultant_number=455148,
        client_number=1,
        accounts=SKR03_DEMO_ACCOUNTS,
        creditor_range=(70000, 79999),
        debitor_range=(10000, 19999),
    )
    result = check_extf(extf_file([booking(konto="80001")]), narrow)
    assert any("outside the client's creditor" in f.reason for f in result.findings)
    result = check_extf(creditor_file([creditor(konto="3100")]), narrow)
    assert any("not a personal account" in f.reason for f in result.findings)
