"""Booking derivation from requisitions, direct costs and commitments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.booking import Ignored, Parked, Planned
from domain.chart import Chart
from domain.derivation import (
    derive_commitment_lines,
    derive_direct_cost_lines,
    derive_requisition_lines,
)
from domain.mapping import BookingSettings, ClientMapping
from tests.unit.domain.factories import (
    COMMITMENT,
    GERUEST,
    MUELLER,
    ctx,
    dc_line,
    direct_cost,
    make_chart,
    make_mapping,
    parked,
    planned,
    requisition,
)

D = Decimal


def test_reverse_charge_requisition_books_net_with_bu_94(
    mapping: ClientMapping, chart: Chart
) -> None:
    res = planned(
        derive_requisition_lines(
            requisition(), ctx("requisition", 4401223, MUELLER, 70010), mapping, chart
        )
    )
    (line,) = res.lines
    assert (line.amount, line.debit_credit, line.account, line.contra_account, line.bu_key) == (
        D("15000.00"),
        "H",
        70010,
        3100,
        "94",
    )
    assert line.belegfeld1 == "RE-2026-0142"
    assert line.document_date == date(2026, 10, 31) and line.service_date == date(2026, 10, 31)
    assert line.kost1 == "20251"
    assert line.text == "Bau Müller Kita Augsburg RE-2026-0142"
    assert ("Procore-ID", "4281379:20251:requisition:4401223") in line.beleginfo
    assert any("retention 750.00" in n for n in res.notes)  # retention not silently lost


def test_direct_cost_vst19_books_gross_with_bu_9(mapping: ClientMapping, chart: Chart) -> None:
    dc = direct_cost([dc_line(1, "3000.00"), dc_line(2, "1000.00")], grand_total="4760.00")
    res = planned(
        derive_direct_cost_lines(dc, ctx("direct_cost", 990011, GERUEST, 70020), mapping, chart)
    )
    (line,) = res.lines  # same account/key/rule → one line
    assert (line.amount, line.debit_credit, line.contra_account, line.bu_key) == (
        D("4760.00"),
        "H",
        3100,
        "9",
    )
    # net + VAT = Umsatz (pitfall 2)
    assert line.amount == D("4000.00") + D("760.00")


def test_direct_cost_on_automatic_account_has_no_key(mapping: ClientMapping, chart: Chart) -> None:
    dc = direct_cost([dc_line(1, "1000.00", code="03-300", ctype="M")])
    (line,) = planned(
        derive_direct_cost_lines(dc, ctx("direct_cost", 1, GERUEST, 70020), mapping, chart)
    ).lines
    assert (line.contra_account, line.bu_key, line.amount) == (3400, None, D("1190.00"))


def test_mixed_rates_and_tax_free(mapping: ClientMapping, chart: Chart) -> None:
    dc = direct_cost(
        [dc_line(1, "100.00"), dc_line(2, "100.00", tax=13), dc_line(3, "50.00", tax=14)]
    )
    lines = planned(
        derive_direct_cost_lines(dc, ctx("direct_cost", 1, GERUEST, 70020), mapping, chart)
    ).lines
    got = sorted((ln.amount, ln.bu_key or "") for ln in lines)
    assert got == [(D("50.00"), ""), (D("107.00"), "8"), (D("119.00"), "9")]


def test_unmapped_cost_code_parks_with_suggested_line(mapping: ClientMapping, chart: Chart) -> None:
    dc = direct_cost([dc_line(1, "100.00", code="99-999", ctype="X")])
    p = parked(derive_direct_cost_lines(dc, ctx("direct_cost", 1, GERUEST, 70020), mapping, chart))
    assert "99-999" in p.reason and "'X'" in p.reason
    assert p.field == "cost_accounts[cost_code='99-999', cost_type='X']"
    assert '[[cost_accounts]]\ncost_code = "99-999"\ncost_type = "X"' in p.fix


def test_unmapped_project_parks(chart: Chart) -> None:
    m = make_mapping()
    m = m.model_copy(update={"projects": {}})
    p = parked(
        derive_requisition_lines(requisition(), ctx("requisition", 1, MUELLER, 70010), m, chart)
    )
    assert p.field == 'projects."20251".kost1' and 'kost1 = "20251"' in p.fix


def test_unknown_and_mismatching_tax_codes_park(chart: Chart) -> None:
    m = make_mapping()
    dc = direct_cost([dc_line(1, "100.00", tax=15)])
    p = parked(derive_direct_cost_lines(dc, ctx("direct_cost", 1, GERUEST, 70020), m, chart))
    assert p.field == 'tax_codes."X99"' and '"X99" = "vst19"' in p.fix
    wrong = m.model_copy(update={"tax_codes": {"DE19": "vst7"}})
    dc19 = direct_cost([dc_line(1, "100.00", tax=12)])
    p = parked(derive_direct_cost_lines(dc19, ctx("direct_cost", 1, GERUEST, 70020), wrong, chart))
    assert "rate 19" in p.reason


def test_procore_tax_mismatch_beyond_a_cent_parks(mapping: ClientMapping, chart: Chart) -> None:
    ok_line = {**dc_line(1, "1000.00"), "total_amount": "1190.01"}
    bad_line = {**dc_line(1, "1000.00"), "total_amount": "1190.02"}
    c = ctx("direct_cost", 1, GERUEST, 70020)
    assert isinstance(derive_direct_cost_lines(direct_cost([ok_line]), c, mapping, chart), Planned)
    p = parked(derive_direct_cost_lines(direct_cost([bad_line]), c, mapping, chart))
    assert "190.02" in p.reason and "190.00" in p.reason


def test_grand_total_must_match_net_or_gross(mapping: ClientMapping, chart: Chart) -> None:
    c = ctx("direct_cost", 1, GERUEST, 70020)
    for total in ("1000.00", "1190.00"):
        dc = direct_cost([dc_line(1, "1000.00")], grand_total=total)
        assert isinstance(derive_direct_cost_lines(dc, c, mapping, chart), Planned)
    p = parked(
        derive_direct_cost_lines(
            direct_cost([dc_line(1, "1000.00")], grand_total="1100.00"), c, mapping, chart
        )
    )
    assert p.field == "grand_total"


def test_credit_note_flips_to_debit_and_zero_is_dropped(
    mapping: ClientMapping, chart: Chart
) -> None:
    dc = direct_cost([dc_line(1, "-500.00"), dc_line(2, "0.00", code="03-300", ctype="M")])
    res = planned(
        derive_direct_cost_lines(dc, ctx("direct_cost", 1, GERUEST, 70020), mapping, chart)
    )
    (line,) = res.lines
    assert (line.amount, line.debit_credit, line.bu_key) == (D("595.00"), "S", "9")
    assert any("0,00 dropped" in n for n in res.notes)


def test_status_and_commitment_rules(mapping: ClientMapping, chart: Chart) -> None:
    c = ctx("requisition", 1, MUELLER, 70010)
    assert isinstance(
        derive_requisition_lines(requisition(status="under_review"), c, mapping, chart), Ignored
    )
    cc = ctx("commitment", 88120, MUELLER, 70010)
    ignored = derive_commitment_lines(
        COMMITMENT.model_copy(update={"contract_date": date(2026, 9, 1)}), cc, mapping, chart
    )
    assert isinstance(ignored, Ignored) and "book_commitments" in ignored.reason
    booked = make_mapping(book_commitments=True)
    res = derive_commitment_lines(
        COMMITMENT.model_copy(update={"contract_date": date(2026, 9, 1)}),
        cc,
        booked,
        make_chart(booked),
    )
    # Müller is § 13b: the materials line on the automatic VSt account 3400 cannot take it.
    assert isinstance(res, Parked) and "3400" in res.reason


def test_missing_or_wrong_creditor_parks(mapping: ClientMapping, chart: Chart) -> None:
    for creditor in (None, 1600, 100000):
        p = parked(
            derive_requisition_lines(
                requisition(), ctx("requisition", 1, MUELLER, creditor), mapping, chart
            )
        )
        assert "70000–99999" in p.reason


def test_belegfeld_sanitized_and_collision_safe(mapping: ClientMapping, chart: Chart) -> None:
    req = requisition(invoice_number="RE 2026/0142#Ä.1")
    (line,) = planned(
        derive_requisition_lines(req, ctx("requisition", 1, MUELLER, 70010), mapping, chart)
    ).lines
    assert line.belegfeld1 == "RE-2026/0142-AE-1"
    assert ("Rechnungsnummer", "RE 2026/0142#Ä.1") in line.beleginfo
    taken = frozenset({"RE-2026/0142-AE-1"})
    res = planned(
        derive_requisition_lines(
            req, ctx("requisition", 1, MUELLER, 70010, taken_belegfeld=taken), mapping, chart
        )
    )
    assert (
        res.lines[0].belegfeld1.startswith("RE-2026/0142-AE-1-")
        and res.lines[0].belegfeld1 not in taken
    )
    again = planned(
        derive_requisition_lines(
            req, ctx("requisition", 1, MUELLER, 70010, taken_belegfeld=taken), mapping, chart
        )
    )
    assert again.lines[0].belegfeld1 == res.lines[0].belegfeld1


def test_many_lines_total_to_the_cent(mapping: ClientMapping, chart: Chart) -> None:
    amounts = [D(f"{(i * 7919) % 100000 / 100:.2f}") + D("0.01") for i in range(1, 60)]
    lines = [
        dc_line(i, str(a), code=f"03-{i % 3}", ctype="S" if i % 2 else "M")
        for i, a in enumerate(amounts, 1)
    ]
    res = planned(
        derive_direct_cost_lines(
            direct_cost(lines), ctx("direct_cost", 1, GERUEST, 70020), mapping, chart
        )
    )
    net = sum(amounts)
    tax = (net * D("0.19")).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert sum(ln.amount for ln in res.lines) == net + tax


def test_line_ids_are_stable(mapping: ClientMapping, chart: Chart) -> None:
    c = ctx("requisition", 1, MUELLER, 70010)
    a = planned(derive_requisition_lines(requisition(), c, mapping, chart))
    b = planned(derive_requisition_lines(requisition(), c, mapping, chart))
    assert [ln.line_id for ln in a.lines] == [ln.line_id for ln in b.lines]


def test_approved_as_noted_books_by_default_and_statuses_stay_configurable(
    mapping: ClientMapping, chart: Chart
) -> None:
    c = ctx("requisition", 1, MUELLER, 70010)
    noted = requisition(status="approved_as_noted")
    assert "approved_as_noted" in BookingSettings().requisition_statuses
    assert isinstance(derive_requisition_lines(noted, c, mapping, chart), Planned)
    strict = mapping.model_copy(
        update={
            "booking": mapping.booking.model_copy(update={"requisition_statuses": ["approved"]})
        }
    )
    assert isinstance(derive_requisition_lines(noted, c, strict, chart), Ignored)
