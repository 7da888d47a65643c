"""Derivation's extra lines: retention (behind its setting) and § 48 EStG withholding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.booking import Ignored
from domain.chart import Chart
from domain.derivation import derive_direct_cost_lines, derive_requisition_lines
from domain.mapping import ClientMapping
from tests.unit.domain.factories import (
    GERUEST,
    MUELLER,
    STAHL,
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


def test_retention_line_behind_setting() -> None:
    m = make_mapping(retention_lines=True)
    ch = make_chart(m)
    lines = planned(
        derive_requisition_lines(requisition(), ctx("requisition", 1, MUELLER, 70010), m, ch)
    ).lines
    ret = [ln for ln in lines if ln.contra_account == 1628]
    assert [(ln.amount, ln.debit_credit, ln.bu_key) for ln in ret] == [(D("750.00"), "S", None)]
    # with input VAT the creditor holds gross, so retention is grossed up: 750 × 1.19
    m2 = m.model_copy(
        update={"vendors": {556677: m.vendors[556677].model_copy(update={"reverse_charge": False})}}
    )
    lines2 = planned(
        derive_requisition_lines(requisition(), ctx("requisition", 1, MUELLER, 70010), m2, ch)
    ).lines
    assert {ln.amount for ln in lines2} == {D("17850.00"), D("892.50")}


def test_release_only_requisition(mapping: ClientMapping, chart: Chart) -> None:
    release = requisition(
        items=[
            {
                "id": 1,
                "line_item_id": 510001,
                "cost_code_id": 3301,
                "work_completed_retainage_released_this_period": "3000.00",
            }
        ]
    )
    c = ctx("requisition", 1, MUELLER, 70010)
    assert isinstance(derive_requisition_lines(release, c, mapping, chart), Ignored)
    m = make_mapping(retention_lines=True)
    (line,) = planned(derive_requisition_lines(release, c, m, make_chart(m))).lines
    assert (line.amount, line.debit_credit, line.contra_account) == (D("3000.00"), "H", 1628)


def test_withholding_48(chart: Chart) -> None:
    m = make_mapping(withholding_lines=True)
    ch = make_chart(m)
    # Müller: exemption status unknown → park
    p = parked(
        derive_requisition_lines(requisition(), ctx("requisition", 1, MUELLER, 70010), m, ch)
    )
    assert p.field == 'vendors."556677".exemption'
    # Gerüstbau: no certificate → 15 % of gross 1190.00 = 178.50
    dc = direct_cost([dc_line(1, "1000.00")], direct_cost_type="subcontractor_invoice")
    lines = planned(
        derive_direct_cost_lines(dc, ctx("direct_cost", 1, GERUEST, 70020), m, ch)
    ).lines
    wh = [ln for ln in lines if ln.contra_account == 1749]
    assert [(ln.amount, ln.debit_credit, ln.bu_key) for ln in wh] == [(D("178.50"), "S", None)]
    # plain invoices (material) are not construction services: no withholding
    plain = direct_cost([dc_line(1, "1000.00")])
    assert (
        len(
            planned(
                derive_direct_cost_lines(plain, ctx("direct_cost", 1, GERUEST, 70020), m, ch)
            ).lines
        )
        == 1
    )
    # § 13b vendor without certificate: base includes the USt it owes (15000 + 2850) → 2677.50
    none = m.model_copy(
        update={
            "vendors": {
                **m.vendors,
                556677: m.vendors[556677].model_copy(update={"exemption": "none"}),
            }
        }
    )
    lines = planned(
        derive_requisition_lines(requisition(), ctx("requisition", 1, MUELLER, 70010), none, ch)
    ).lines
    assert [ln.amount for ln in lines if ln.contra_account == 1749] == [D("2677.50")]


def test_withholding_certificate_validity(chart: Chart) -> None:
    m = make_mapping(withholding_lines=True)
    ch = make_chart(m)
    dc = direct_cost(
        [dc_line(1, "1000.00", code="03-300", ctype="M")],
        direct_cost_type="subcontractor_invoice",
        vendor_id=556700,
    )
    valid = planned(derive_direct_cost_lines(dc, ctx("direct_cost", 1, STAHL, 70030), m, ch))
    assert len(valid.lines) == 1
    late = dc.model_copy(update={"direct_cost_date": date(2028, 1, 5)})
    p = parked(derive_direct_cost_lines(late, ctx("direct_cost", 1, STAHL, 70030), m, ch))
    assert "expired on 2027-12-31" in p.reason
