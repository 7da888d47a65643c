"""An independent EXTF validator, written from the reference (not from the connector's writer).

The emulator runs it on every uploaded file, so a bug in the writer cannot hide behind a checker
that shares its code. Rules follow ``reference/datev.md`` §1–2; where DATEV only warns (text
longer than its field), this checker fails the job: the connector must shorten on purpose.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Validation codes of the extf-files API (reference §4).
CODE_FILE = "1008833"  # empty, too many postings, bad encoding
CODE_HEADER = "1008834"  # header problems
CODE_ROW = (
    "EMU-ROW"  # emulator's own code for row errors: DATEV's row codes are not in the reference
)
CODE_AUTOMATIC = "REW00305"  # DATEV's import error for a BU key on an Automatikkonto

BOOKING_COLUMNS = 125
CREDITOR_COLUMNS = 254
MAX_POSTINGS = 99_999
FORMATS = {(21, "Buchungsstapel", 13), (16, "Debitoren/Kreditoren", 5)}

_AMOUNT = re.compile(r"^\d{1,10},\d{2}$")
_BELEGFELD = re.compile(r"^[A-Za-z0-9$&%*+\-/]{0,36}$")
_DIGITS = re.compile(r"^\d+$")
_DATE8 = re.compile(r"^\d{8}$")


@dataclass(frozen=True)
class ClientChart:
    """What the emulated DATEV client knows: numbers, account length, SKR and declared accounts."""

    consultant_number: int
    client_number: int
    account_length: int = 4
    skr: str = "03"
    accounts: frozenset[str] = frozenset()
    automatic_accounts: frozenset[str] = frozenset()
    creditor_range: tuple[int, int] = (0, 0)  # (0, 0): from the account length
    debitor_range: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        # Personal accounts have one digit more than the Sachkontenlänge L: debitors
        # 1·10^L … 7·10^L − 1, creditors 7·10^L … 10^(L+1) − 1 (70000–99999 at L = 4).
        base = 10**self.account_length
        if self.creditor_range == (0, 0):
            object.__setattr__(self, "creditor_range", (7 * base, 10 * base - 1))
        if self.debitor_range == (0, 0):
            object.__setattr__(self, "debitor_range", (base, 7 * base - 1))


@dataclass(frozen=True)
class Finding:
    code: str
    name: str  # where: "header field 11 (Beraternummer)", "line 3, column 7 (Konto)"
    reason: str


@dataclass
class CheckResult:
    category: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    fiscal_year_begin: date | None = None
    label: str = ""
    bookings: list[dict[str, str]] = field(default_factory=list)
    creditors: list[dict[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def record_count(self) -> int:
        return len(self.bookings) + len(self.creditors)


def decode(data: bytes) -> str:
    """Decode as DATEV does: the BOM names the encoding; without one the file is Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("cp1252")


def check_extf(data: bytes, chart: ClientChart) -> CheckResult:
    """Check one EXTF file against ``chart``; findings are empty when DATEV would accept it."""
    result = CheckResult()
    if not data.strip():
        result.findings.append(Finding(CODE_FILE, "file", "the file is empty"))
        return result
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        result.findings.append(Finding(CODE_FILE, "file", f"bad encoding: {exc.reason}"))
        return result
    first_line = text.split("\n", 1)[0].rstrip("\r")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"'))
    rows = [r for r in rows if r != []]
    if len(first_line) > 1000:
        result.findings.append(Finding(CODE_HEADER, "header", "header line is over 1000 chars"))
    header = rows[0]
    _check_header(header, chart, result)
    if result.findings:
        return result
    expected = BOOKING_COLUMNS if result.category == 21 else CREDITOR_COLUMNS
    if len(rows) < 2 or len(rows[1]) != expected:
        got = len(rows[1]) if len(rows) > 1 else 0
        result.findings.append(
            Finding(CODE_HEADER, "line 2", f"expected {expected} column headings, found {got}")
        )
        return result
    data_rows = rows[2:]
    if len(data_rows) > MAX_POSTINGS:
        result.findings.append(Finding(CODE_FILE, "file", f"over {MAX_POSTINGS} postings"))
        return result
    for number, row in enumerate(data_rows, start=3):
        if len(row) != expected:
            result.findings.append(
                Finding(
                    CODE_FILE, f"line {number}", f"expected {expected} fields, found {len(row)}"
                )
            )
        elif result.category == 21:
            _check_booking(number, row, chart, result)
        else:
            _check_creditor(number, row, chart, result)
    return result


def _check_header(h: list[str], chart: ClientChart, result: CheckResult) -> None:
    def bad(n: int, name: str, reason: str) -> None:
        result.findings.append(Finding(CODE_HEADER, f"header field {n} ({name})", reason))

    if len(h) != 31:
        bad(0, "header", f"expected 31 fields, found {len(h)}")
        return
    if h[0] != "EXTF":
        bad(1, "Kennzeichen", f"must be EXTF, found {h[0]!r}")
    if h[1] != "700":
        bad(2, "Versionsnummer", f"must be 700, found {h[1]!r}")
    try:
        fmt = (int(h[2]), h[3], int(h[4]))
    except ValueError:
        fmt = (0, h[3], 0)
    if fmt not in FORMATS:
        bad(3, "Formatkategorie", f"category/name/version {fmt} do not fit together")
        return
    result.category = fmt[0]
    if not re.fullmatch(r"\d{17}", h[5]):
        bad(6, "Erzeugt am", f"must be YYYYMMDDHHMMSSFFF, found {h[5]!r}")
    if h[6]:
        bad(7, "Importiert", "must be empty")
    if h[10] != str(chart.consultant_number):
        bad(11, "Beraternummer", f"{h[10]!r} does not match the client id in the URL")
    if h[11] != str(chart.client_number):
        bad(12, "Mandantennummer", f"{h[11]!r} does not match the client id in the URL")
    if h[13] != str(chart.account_length):
        bad(14, "Sachkontenlänge", f"{h[13]!r}; the client uses {chart.account_length}")
    for n in (23, 24, 25, 26, 29, 30):
        if h[n - 1]:
            bad(n, "reserved", "must be empty")
    if h[26] and h[26] != chart.skr:
        bad(27, "Sachkontenrahmen", f"{h[26]!r}; the client uses SKR{chart.skr}")
    result.fiscal_year_begin = _date8(h[12])
    result.label = h[16]
    if result.category != 21:
        return
    if result.fiscal_year_begin is None:
        bad(13, "WJ-Beginn", f"must be YYYYMMDD, found {h[12]!r}")
    result.date_from, result.date_to = _date8(h[14]), _date8(h[15])
    if result.date_from is None or result.date_to is None:
        bad(15, "Datum vom/bis", f"must be YYYYMMDD, found {h[14]!r}/{h[15]!r}")
    elif result.date_from > result.date_to:
        bad(15, "Datum vom", "DateFrom is after DateTo")
    if h[21] not in ("", "EUR"):
        bad(22, "WKZ", f"{h[21]!r} is not EUR")


def _check_booking(n: int, row: list[str], chart: ClientChart, result: CheckResult) -> None:
    before = len(result.findings)

    def bad(col: int, name: str, reason: str, code: str = CODE_ROW) -> None:
        result.findings.append(Finding(code, f"line {n}, column {col} ({name})", reason))

    amount, sh, konto, gegenkonto, bu, belegdatum = row[0], row[1], row[6], row[7], row[8], row[9]
    if not _AMOUNT.match(amount) or Decimal(amount.replace(",", ".")) <= 0:
        bad(1, "Umsatz", f"{amount!r} is not a positive amount like 1190,00")
    if sh not in ("S", "H"):
        bad(2, "Soll/Haben-Kennzeichen", f"{sh!r} is not S or H")
    for col, name, value in ((7, "Konto", konto), (8, "Gegenkonto", gegenkonto)):
        reason = _account_problem(value, chart)
        if reason:
            bad(col, name, reason)
    if bu:
        if not re.fullmatch(r"\d{1,4}", bu):
            bad(9, "BU-Schlüssel", f"{bu!r} is not 1–4 digits")
        for account in (konto, gegenkonto):
            if account in chart.automatic_accounts:
                reason = f"tax key {bu} on automatic account {account}"
                bad(9, "BU-Schlüssel", reason, CODE_AUTOMATIC)
    when = _belegdatum(belegdatum, result.date_from, result.date_to)
    if when is None:
        bad(10, "Belegdatum", f"{belegdatum!r} is not TTMM inside the header's date range")
    if not _BELEGFELD.match(row[10]):
        bad(11, "Belegfeld 1", "only A-Z a-z 0-9 $ & % * + - / and at most 36 characters")
    if len(row[13]) > 60:
        bad(14, "Buchungstext", f"{len(row[13])} characters; at most 60")
    for col in (37, 38):
        if len(row[col - 1]) > 36:
            bad(col, f"KOST{col - 36}", f"{len(row[col - 1])} characters; at most 36")
    if len(result.findings) == before:
        result.bookings.append(
            {
                "amount": amount.replace(",", "."),
                "wkz": row[2],
                "kurs": row[3].replace(",", "."),
                "basis_umsatz": row[4].replace(",", "."),
                "sh": sh,
                "konto": konto,
                "gegenkonto": gegenkonto,
                "bu": bu,
                "belegdatum": when.isoformat() if when else "",
                "belegfeld1": row[10],
                "buchungstext": row[13],
                "beleglink": row[19],
                "kost1": row[36],
                "kost2": row[37],
                "generalumkehr": row[117],
                # Beleginfo pairs (columns 21-36) as "Art=Inhalt", e.g. Procore-ID=1:2:…
                "beleginfo": "|".join(f"{row[c]}={row[c + 1]}" for c in range(20, 36, 2) if row[c]),
            }
        )


def _check_creditor(n: int, row: list[str], chart: ClientChart, result: CheckResult) -> None:
    konto = row[0]
    reason = _account_problem(konto, chart, personal_only=True)
    if reason:
        result.findings.append(Finding(CODE_ROW, f"line {n}, column 1 (Konto)", reason))
    elif len(row[1]) > 50:
        result.findings.append(Finding(CODE_ROW, f"line {n}, column 2 (Name)", "over 50"))
    else:
        result.creditors.append({"konto": konto, "name": row[1], "iban": row[44]})


def _account_problem(value: str, chart: ClientChart, personal_only: bool = False) -> str:
    if not _DIGITS.match(value) or len(value) > 9:
        return f"{value!r} is not an account number of at most 9 digits"
    if len(value) == chart.account_length + 1:
        number = int(value)
        for low, high in (chart.creditor_range, chart.debitor_range):
            if low <= number <= high:
                return ""
        return f"personal account {value} is outside the client's creditor/debitor ranges"
    if personal_only:
        return f"{value} is not a personal account ({chart.account_length + 1} digits)"
    if len(value) != chart.account_length:
        return f"{value} does not have the client's account length {chart.account_length}"
    if value not in chart.accounts:
        return f"account {value} is not in the client's chart of accounts"
    return ""


def _date8(text: str) -> date | None:
    if not _DATE8.match(text):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _belegdatum(text: str, start: date | None, end: date | None) -> date | None:
    if start is None or end is None or not re.fullmatch(r"\d{4}", text):
        return None
    for year in sorted({start.year, end.year}):
        try:
            when = date(year, int(text[2:]), int(text[:2]))
        except ValueError:
            continue
        if start <= when <= end:
            return when
    return None
