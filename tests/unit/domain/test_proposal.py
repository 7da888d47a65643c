"""The mapping proposal (init, demo): § 13b only on construction cost types, check-clean."""

from __future__ import annotations

import tomllib

from domain.chart import build_chart
from domain.mapping import ClientMapping
from domain.mapping_check import check_mapping
from streams.setup.proposal import ProposalInput, propose_mapping


def proposal(**over: object) -> ClientMapping:
    data = {
        "advisor_number": 29098,
        "client_number": 55003,
        "client_name": "Bau Demo GmbH",
        "company_id": 4281379,
        "projects": [(20251, "Kita Augsburg")],
        "cost_type_codes": ["S", "M", "E", "L", "P", "O", "X"],
        "tax_codes": ["VSt19", "VSt7", "13b", "VSt0"],
        **over,
    }
    return ClientMapping.model_validate(tomllib.loads(propose_mapping(ProposalInput(**data))))  # type: ignore[arg-type]


def test_proposal_does_not_put_every_requisition_on_13b() -> None:
    m = proposal()
    assert m.booking.requisition_tax_rule is None
    assert m.construction_cost_types == ["L", "S"]
    assert not m.is_construction("E") and not m.is_construction("M")  # crane rental, materials
    assert m.tax_codes["13b"] == "rc13b_19" and m.tax_codes["VSt7"] == "vst7"
    chart = build_chart("03", 4, m.extra_accounts)
    assert check_mapping(m, chart) == []


def test_proposal_marks_only_named_13b_suppliers() -> None:
    m = proposal(reverse_charge_vendors=[(556677, "Bau Müller GmbH")])
    assert m.vendor(556677).reverse_charge and not m.vendor(556699).reverse_charge


def test_proposal_pins_creditor_numbers_by_vendor_id_whatever_the_order() -> None:
    """Two installs reading Procore's vendors in different orders number them the same."""
    vendors = [(556699, "Gerüstbau Nord KG"), (556677, "Bau Müller GmbH"), (556700, "Stahl AG")]
    a = proposal(vendors=vendors)
    b = proposal(vendors=list(reversed(vendors)))
    numbers = {vid: a.vendor(vid).creditor for vid, _ in vendors}
    assert numbers == {556677: 70100, 556699: 70101, 556700: 70102}
    assert numbers == {vid: b.vendor(vid).creditor for vid, _ in vendors}
    assert a.creditors.start == 70103  # later vendors follow the pinned ones
    chart = build_chart("03", 4, a.extra_accounts)
    assert check_mapping(a, chart) == []


def test_skr04_proposal_is_check_clean() -> None:
    m = proposal(skr="04", vendors=[(556677, "Bau Müller GmbH")])
    assert m.client.skr == "04" and m.construction_cost_types == ["L", "S"]
    assert check_mapping(m, build_chart("04", 4, m.extra_accounts)) == []
