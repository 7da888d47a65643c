"""Property-based tests: amounts always add up, no text can break the CSV, round trips hold."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.booking import BookingLine, Planned
from domain.derivation import derive_direct_cost_lines
from domain.extf import fields, read_extf, write_buchungsstapel, write_kreditoren
from domain.extf.kreditoren import creditor_record
from domain.money import to_cents
from domain.procore.records import Vendor
from domain.tax import TAX_RULES, invoiced_tax, umsatz_amounts
from domain.text import clean_text, sanitize_belegfeld, truncate
from tests.unit.domain.factories import GERUEST, ctx, dc_line, direct_cost, make_chart, make_mapping

MAPPING = make_mapping()
CHART = make_chart(MAPPING)
CREATED = datetime(2026, 11, 2, 6, 30)

cents = (
    st.integers(min_value=-10_000_000, max_value=10_000_000)
    .filter(bool)
    .map(lambda c: Decimal(c) / 100)
)
rules = st.sampled_from(sorted(TAX_RULES))
nasty_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(list(';"\r\n\t=+-@€ßÄü\u0308\u2028')),
    ),
    max_size=120,
)


@given(st.lists(st.tuples(cents, rules), min_size=1, max_size=40))
def test_umsatz_total_is_net_plus_rounded_tax(items: list[tuple[Decimal, str]]) -> None:
    nets = [n for n, _ in items]
    rs = [TAX_RULES[r] for _, r in items]
    out = umsatz_amounts(nets, rs)
    expected_tax = sum(
        (
            invoiced_tax(sum((n for n, r in items if r == name), Decimal(0)), TAX_RULES[name])
            for name in {r for _, r in items}
        ),
        Decimal(0),
    )
    assert sum(t for _, t in out) == expected_tax
    for (u, t), n, r in zip(out, nets, rs, strict=True):
        assert u == (n + t if r.umsatz_is_gross else n)
        assert t == to_cents(t)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 5_000_000), st.sampled_from([12, 13, 14])), min_size=1, max_size=25
    )
)
def test_derived_lines_total_the_document(raw: list[tuple[int, int]]) -> None:
    lines = [dc_line(i, str(Decimal(c) / 100), tax=t) for i, (c, t) in enumerate(raw, 1)]
    res = derive_direct_cost_lines(
        direct_cost(lines), ctx("direct_cost", 1, GERUEST, 70020), MAPPING, CHART
    )
    assert isinstance(res, Planned)
    credited = sum(ln.amount if ln.debit_credit == "H" else -ln.amount for ln in res.lines)
    by_rate: dict[int, Decimal] = {}
    for c, t in raw:
        by_rate[t] = by_rate.get(t, Decimal(0)) + Decimal(c) / 100
    rate = {12: "vst19", 13: "vst7", 14: "tax_free"}
    total = sum(n + invoiced_tax(n, TAX_RULES[rate[t]]) for t, n in by_rate.items())
    assert credited == total


@given(st.text(max_size=80))
def test_belegfeld_always_valid(raw: str) -> None:
    out = sanitize_belegfeld(raw)
    assert re.fullmatch(r"[A-Za-z0-9$&%*+\-/]{0,36}", out)
    assert sanitize_belegfeld(out) == out


def _line(text: str, n: int, amount: Decimal, day: date) -> BookingLine:
    return BookingLine(
        line_id=f"r/{n}",
        source_ref="r",
        amount=amount,
        debit_credit="S" if n % 2 else "H",
        account=70010,
        contra_account=3100,
        bu_key="9",
        document_date=day,
        belegfeld1=sanitize_belegfeld(text) or "X",
        text=clean_text(text)[:60],
        beleginfo=(("Procore-ID", clean_text(text)[:210]),),
    )


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            nasty_text,
            st.integers(1, 10**11).map(lambda c: Decimal(c) / 100),
            st.dates(date(2026, 1, 1), date(2026, 12, 31)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_text_never_breaks_csv_and_round_trips(items: list[tuple[str, Decimal, date]]) -> None:
    lines = [_line(t, i, a, d) for i, (t, a, d) in enumerate(items)]
    data = write_buchungsstapel(lines, MAPPING, created=CREATED)
    header, rows = read_extf(data)  # raises on wrong field counts or line ends
    assert len(rows) == len(lines)
    assert unicodedata.is_normalized("NFC", data[3:].decode())
    by_id = sorted(lines, key=lambda ln: (ln.document_date, ln.line_id))
    for row, line in zip(rows, by_id, strict=True):
        assert row[0] == format(to_cents(line.amount), "f").replace(".", ",")
        assert row[1] == line.debit_credit and row[10] == line.belegfeld1
        assert row[9] == f"{line.document_date:%d%m}"
        guarded = line.text.startswith(("=", "+", "-", "@"))
        assert row[13] == ("'" + line.text if guarded else line.text)
        assert not row[13].startswith(("=", "+", "-", "@"))
    assert header[14] == f"{min(ln.document_date for ln in lines):%Y%m%d}"


@settings(max_examples=50, deadline=None)
@given(nasty_text.filter(lambda s: clean_text(s)), nasty_text)
def test_creditor_names_never_break_csv(name: str, city: str) -> None:
    vendor = Vendor(id=1, name=name, city=city)
    _, rows = read_extf(
        write_kreditoren(
            [creditor_record(vendor, 70001)],
            MAPPING,
            created=CREATED,
            fiscal_year_start=date(2026, 1, 1),
        )
    )
    assert len(rows) == 1 and rows[0][0] == "70001"
    short = truncate(name, 50)[0]
    assert rows[0][1] == fields.text(short, 50)[1:-1].replace('""', '"')  # what was written
    guarded = short.startswith(("=", "+", "-", "@"))
    assert clean_text(name).startswith(rows[0][1][1:] if guarded else rows[0][1])
    assert 0 < len(rows[0][1]) <= 50
