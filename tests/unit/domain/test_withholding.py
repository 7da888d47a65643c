"""§ 48 EStG small-amount limits per supplier and calendar year, with the reason in the audit."""

from __future__ import annotations

from decimal import Decimal

from domain.booking import Planned
from domain.derivation import derive_direct_cost_lines
from domain.withholding import apply_small_amount_limit, new_year
from tests.unit.domain.factories import GERUEST, ctx, dc_line, direct_cost, make_chart, make_mapping

D = Decimal
TAX_OFFICE = 1749


def invoice(rid: int, net: str, day: str = "2026-10-28", **booking: object) -> Planned:
    m = make_mapping(withholding_lines=True, **booking)
    dc = direct_cost(
        [dc_line(1, net)], id=rid, direct_cost_type="subcontractor_invoice", direct_cost_date=day
    )
    res = derive_direct_cost_lines(dc, ctx("direct_cost", rid, GERUEST, 70020), m, make_chart(m))
    assert isinstance(res, Planned), res
    return res


def withheld(result: Planned) -> list[Decimal]:
    return [ln.amount for ln in result.lines if ln.contra_account == TAX_OFFICE]


def test_5000_limit_per_supplier_and_calendar_year() -> None:
    first = invoice(1, "1000.00")
    assert first.withholding is not None and first.withholding.base == D("1190.00")
    year = new_year("29098-55003", first.withholding)
    a = apply_small_amount_limit(first, "dc:1", year)
    assert withheld(a) == [] and len(a.lines) == 1
    assert any("no withholding" in n and "1190.00" in n and "5000.00" in n for n in a.notes)
    b = apply_small_amount_limit(invoice(2, "3000.00"), "dc:2", year)
    assert withheld(b) == []  # 1,190 + 3,570 = 4,760
    c = apply_small_amount_limit(invoice(3, "500.00"), "dc:3", year)
    assert withheld(c) == [D("89.25")]  # 15 % of 595.00: the year is now 5,355.00
    assert any("above the limit" in n and "(4760.00) were not withheld" in n for n in c.notes)
    # re-deriving an invoice counts it once, with its latest amount
    year.collect_events()
    again = apply_small_amount_limit(invoice(1, "1000.00"), "dc:1", year)
    assert withheld(again) == [D("178.50")] and year.collect_events() == []
    assert year.total() == D("5355.00")


def test_15000_limit_for_exclusively_vat_free_letting() -> None:
    first = invoice(1, "10000.00", withholding_exempt_letting=True)
    assert first.withholding is not None and first.withholding.limit == D("15000.00")
    year = new_year("29098-55003", first.withholding)
    assert withheld(apply_small_amount_limit(first, "dc:1", year)) == []  # 11,900 ≤ 15,000


def test_each_calendar_year_counts_alone() -> None:
    dec = invoice(1, "4000.00", day="2026-12-15")
    jan = invoice(2, "4000.00", day="2027-01-10")
    assert dec.withholding and jan.withholding
    assert (dec.withholding.year, jan.withholding.year) == (2026, 2027)
    for res, key in ((dec, "dc:1"), (jan, "dc:2")):
        assert res.withholding is not None
        assert withheld(apply_small_amount_limit(res, key, new_year("c", res.withholding))) == []
