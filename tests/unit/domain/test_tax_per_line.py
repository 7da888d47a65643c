"""Tax per line, § 13b only for construction services, retention release, cent-exact totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.booking import BookingLine, Parked, Planned
from domain.derivation import derive_direct_cost_lines, derive_requisition_lines
from domain.mapping import ClientMapping
from domain.procore.records import Commitment
from tests.unit.domain.factories import (
    GERUEST,
    MUELLER,
    ctx,
    dc_line,
    direct_cost,
    make_chart,
    mapping_data,
    planned,
    requisition,
)

D = Decimal
RETENTION = 1628


def mapping(**booking: Any) -> ClientMapping:
    data = mapping_data(**booking)
    data["construction_cost_types"] = ["S", "L"]
    data["cost_type_defaults"]["E"] = 3200  # equipment rental
    return ClientMapping.model_validate(data)


def commitment(*lines: tuple[int, str, int | None], vendor: int = 556699) -> Commitment:
    """Commitment lines ``(id, cost type, Procore tax code id)`` on cost code 03-300."""
    return Commitment.model_validate(
        {
            "id": 88121,
            "kind": "work_order_contract",
            "status": "Approved",
            "vendor": {"id": vendor},
            "line_items": [
                {
                    "id": lid,
                    "amount": "100000.00",
                    "tax_code_id": tax,
                    "cost_code": {"id": 3301, "full_code": "03-300"},
                    "line_item_type": {"id": 1, "code": ctype},
                }
                for lid, ctype, tax in lines
            ],
        }
    )


def item(
    line_item: int, work: str = "0", retained: str = "0", released: str = "0"
) -> dict[str, Any]:
    return {
        "id": 1_800_000 + line_item,
        "line_item_id": line_item,
        "cost_code_id": 3301,
        "work_completed_this_period": work,
        "work_completed_retainage_retained_this_period": retained,
        "work_completed_retainage_released_this_period": released,
    }


def test_a_7_percent_line_inside_a_19_percent_requisition() -> None:
    m = mapping()
    com = commitment((1, "S", 12), (2, "S", 13))  # DE19, DE7
    req = requisition(vendor_id=556699, items=[item(1, "10000.00"), item(2, "2000.00")])
    res = planned(
        derive_requisition_lines(
            req, ctx("requisition", 1, GERUEST, 70020, commitment=com), m, make_chart(m)
        )
    )
    booked = sorted((ln.bu_key, ln.amount) for ln in res.lines)
    assert booked == [("8", D("2140.00")), ("9", D("11900.00"))]  # 2,000 + 7 %, 10,000 + 19 %


def test_tax_free_commitment_line_books_without_key() -> None:
    m = mapping()
    com = commitment((1, "S", 14))  # FREI
    req = requisition(vendor_id=556699, items=[item(1, "5000.00")])
    (line,) = planned(
        derive_requisition_lines(
            req, ctx("requisition", 1, GERUEST, 70020, commitment=com), m, make_chart(m)
        )
    ).lines
    assert (line.bu_key, line.amount) == (None, D("5000.00"))


def test_crane_rental_from_a_13b_vendor_is_not_reverse_charge() -> None:
    """Equipment rental without operator is no Bauleistung: input VAT 19 %, BU 9, gross."""
    m = mapping()
    com = commitment((1, "E", None), (2, "S", None), vendor=556677)
    req = requisition(items=[item(1, "4200.00"), item(2, "15000.00")])
    res = planned(
        derive_requisition_lines(
            req, ctx("requisition", 1, MUELLER, 70010, commitment=com), m, make_chart(m)
        )
    )
    booked = sorted((ln.contra_account, ln.bu_key, ln.amount) for ln in res.lines)
    assert booked == [(3100, "94", D("15000.00")), (3200, "9", D("4998.00"))]
    assert any("'E' is not a construction service" in n for n in res.notes)


def test_requisition_tax_rule_13b_only_reaches_construction_cost_types() -> None:
    m = mapping(requisition_tax_rule="rc13b_19")
    com = commitment((1, "E", None), (2, "S", None))
    req = requisition(vendor_id=556699, items=[item(1, "1000.00"), item(2, "2000.00")])
    res = planned(
        derive_requisition_lines(
            req, ctx("requisition", 1, GERUEST, 70020, commitment=com), m, make_chart(m)
        )
    )
    assert sorted((ln.bu_key, ln.amount) for ln in res.lines) == [
        ("9", D("1190.00")),
        ("94", D("2000.00")),
    ]


def test_13b_tax_code_on_material_parks() -> None:
    data = mapping_data()
    data["construction_cost_types"] = ["S"]
    data["tax_codes"]["RC13B"] = "rc13b_19"
    m = ClientMapping.model_validate(data)
    dc = direct_cost([dc_line(1, "800.00", code="04-100", ctype="M", tax=16)])
    from domain.procore.records import TaxCode
    from tests.unit.domain.factories import TAX_CODES

    tax_codes = {**TAX_CODES, 16: TaxCode(id=16, code="RC13B", rate1=D("0"))}
    res = derive_direct_cost_lines(
        dc, ctx("direct_cost", 1, GERUEST, 70020, tax_codes=tax_codes), m, make_chart(m)
    )
    assert isinstance(res, Parked) and res.field == "construction_cost_types"
    assert "'M' is not a construction service" in res.reason


def _retention_balance(lines: list[BookingLine]) -> Decimal:
    """Balance of the retention account (H positive: the liability it holds)."""
    return sum((ln.signed_amount for ln in lines if ln.contra_account == RETENTION), D(0))


def _pair(
    m: ClientMapping,
    com: Commitment,
    vendor: Any,
    creditor: int,
    work: list[dict[str, Any]],
    release: list[dict[str, Any]],
) -> tuple[Planned, Any]:
    c = ctx("requisition", 1, vendor, creditor, commitment=com)
    ch = make_chart(m)
    held = planned(derive_requisition_lines(requisition(vendor_id=vendor.id, items=work), c, m, ch))
    c2 = ctx("requisition", 2, vendor, creditor, commitment=com)
    rel = derive_requisition_lines(requisition(id=2, vendor_id=vendor.id, items=release), c2, m, ch)
    return held, rel


def test_retention_release_clears_the_retention_input_vat_19() -> None:
    m = mapping(retention_lines=True)
    held, rel = _pair(
        m,
        commitment((1, "S", 12)),
        GERUEST,
        70020,
        [item(1, "10000.00", retained="1000.00")],
        [item(1, released="1000.00")],
    )
    rel = planned(rel)
    assert [ln.amount for ln in held.lines if ln.contra_account == RETENTION] == [D("1190.00")]
    assert [ln.amount for ln in rel.lines if ln.contra_account == RETENTION] == [D("1190.00")]
    assert _retention_balance([*held.lines, *rel.lines]) == 0
    assert any(
        "retention released: 1190.00 (1000.00 net vst19 + 190.00 VAT)" in n for n in rel.notes
    )


def test_retention_release_clears_the_retention_reverse_charge() -> None:
    m = mapping(retention_lines=True)
    held, rel = _pair(
        m,
        commitment((1, "S", None), vendor=556677),
        MUELLER,
        70010,
        [item(1, "15000.00", retained="750.00")],
        [item(1, released="750.00")],
    )
    rel = planned(rel)
    assert [ln.amount for ln in rel.lines if ln.contra_account == RETENTION] == [D("750.00")]
    assert _retention_balance([*held.lines, *rel.lines]) == 0


def test_retention_release_clears_the_retention_mixed_rates() -> None:
    m = mapping(retention_lines=True)
    com = commitment((1, "S", 12), (2, "S", 13))
    held, rel = _pair(
        m,
        com,
        GERUEST,
        70020,
        [item(1, "9999.99", retained="333.33"), item(2, "4444.44", retained="222.22")],
        [item(1, released="333.33"), item(2, released="222.22")],
    )
    rel = planned(rel)
    # 333.33 + 63.33 (19 %) + 222.22 + 15.56 (7 %) = 634.44, both ways
    assert [ln.amount for ln in held.lines if ln.contra_account == RETENTION] == [D("634.44")]
    assert _retention_balance([*held.lines, *rel.lines]) == 0


def test_retention_off_leaves_the_creditor_with_the_full_invoice() -> None:
    m = mapping()
    held, rel = _pair(
        m,
        commitment((1, "S", 12)),
        GERUEST,
        70020,
        [item(1, "10000.00", retained="1000.00")],
        [item(1, released="1000.00")],
    )
    assert _retention_balance(list(held.lines)) == 0
    assert [ln.amount for ln in held.lines] == [D("11900.00")]
    assert rel.kind == "ignored"


def test_2790_times_3_less_25_percent_at_19_percent_books_procores_total() -> None:
    """Procore rounds VAT per line (3 × 397.58 = 1,192.74); per document it is 1,192.73."""
    m = mapping()
    lines = [{**dc_line(i, "2092.50"), "total_amount": "2490.08"} for i in (1, 2, 3)]
    dc = direct_cost(lines, grand_total="7470.24")
    res = planned(
        derive_direct_cost_lines(dc, ctx("direct_cost", 1, GERUEST, 70020), m, make_chart(m))
    )
    assert sum(ln.amount for ln in res.lines) == D("7470.24")
    assert any(n.startswith("cent adjustment: +0.01") for n in res.notes)


def test_difference_above_the_tolerance_parks_with_both_totals() -> None:
    m = mapping()
    lines = [{**dc_line(i, "2092.50"), "total_amount": "2490.10"} for i in (1, 2, 3)]
    res = derive_direct_cost_lines(
        direct_cost(lines), ctx("direct_cost", 1, GERUEST, 70020), m, make_chart(m)
    )
    assert isinstance(res, Parked)
    assert "Procore total 7470.30" in res.reason and "booked total 7470.23" in res.reason
    wide = mapping(total_tolerance="0.10")
    ok = planned(
        derive_direct_cost_lines(
            direct_cost(lines), ctx("direct_cost", 1, GERUEST, 70020), wide, make_chart(wide)
        )
    )
    assert sum(ln.amount for ln in ok.lines) == D("7470.30")


def test_reconciliation_counts_retention_rows_as_no_expense() -> None:
    from domain.reconciliation import datev_net_by_kost

    m = mapping(retention_lines=True)
    rows = [
        {
            "amount": "11900.00",
            "sh": "H",
            "bu": "9",
            "gegenkonto": "3100",
            "kost1": "20251",
            "belegfeld1": "A",
        },
        {
            "amount": "1190.00",
            "sh": "S",
            "bu": "",
            "gegenkonto": "1628",
            "kost1": "20251",
            "belegfeld1": "A",
        },
    ]
    assert datev_net_by_kost(rows, m, make_chart(m)) == {"20251": D("10000.00")}


def test_retention_text_shortening_is_noted() -> None:
    m = mapping(retention_lines=True)
    vendor = GERUEST.model_copy(
        update={"abbreviated_name": "Gerüstbau Nord Kiel Verleih und Montage von Arbeitsgerüsten"}
    )
    c = ctx("requisition", 1, vendor, 70020, commitment=commitment((1, "S", 12)))
    req = requisition(vendor_id=556699, items=[item(1, "10000.00", retained="1000.00")])
    res = planned(derive_requisition_lines(req, c, m, make_chart(m)))
    (ret,) = [ln for ln in res.lines if ln.contra_account == RETENTION]
    assert len(ret.text) <= 60 and ret.text.startswith("Sicherheitseinbehalt Gerüstbau")
    assert any(n.startswith("Sicherheitseinbehalt line text shortened") for n in res.notes)
