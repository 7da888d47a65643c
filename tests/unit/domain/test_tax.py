"""Every tax rule with worked examples, to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.chart import Chart
from domain.mapping import ClientMapping
from domain.money import spread_cents
from domain.tax import TAX_RULES, TaxPlacementError, bu_key_for, invoiced_tax, umsatz_amounts

D = Decimal


@pytest.mark.parametrize(
    ("rule", "net", "tax", "umsatz"),
    [
        ("vst19", "1000.00", "190.00", "1190.00"),
        ("vst19", "15.55", "2.95", "18.50"),  # 2.9545 → 2.95
        ("vst19", "0.50", "0.10", "0.60"),  # 0.095 → 0.10 (half-up, not banker's)
        ("vst7", "1000.00", "70.00", "1070.00"),
        ("vst7", "12.50", "0.88", "13.38"),  # 0.875 → 0.88
        ("rc13b_19", "15000.00", "0.00", "15000.00"),  # § 13b: invoice has no VAT, Umsatz = net
        ("rc13b_7", "1000.00", "0.00", "1000.00"),
        ("eu19", "2000.00", "0.00", "2000.00"),
        ("tax_free", "500.00", "0.00", "500.00"),
    ],
)
def test_worked_examples(rule: str, net: str, tax: str, umsatz: str) -> None:
    r = TAX_RULES[rule]
    assert invoiced_tax(D(net), r) == D(tax)
    assert umsatz_amounts([D(net)], [r]) == [(D(umsatz), D(tax))]


def test_umsatz_is_gross_only_for_input_vat() -> None:
    assert {n for n, r in TAX_RULES.items() if r.umsatz_is_gross} == {"vst19", "vst7"}


def test_tax_rounded_once_per_document_not_per_line() -> None:
    # tax is rounded once on the document net (0.38 × 19 % = 0.0722 → 0.07), then spread
    nets = [D("0.05")] * 7 + [D("0.03")]
    out = umsatz_amounts(nets, [TAX_RULES["vst19"]] * len(nets))
    total_net = sum(nets)
    assert sum(t for _, t in out) == invoiced_tax(total_net, TAX_RULES["vst19"]) == D("0.07")
    assert sum(u for u, _ in out) == total_net + D("0.07")


def test_mixed_rates_round_per_rate() -> None:
    out = umsatz_amounts([D("100.00"), D("100.00")], [TAX_RULES["vst19"], TAX_RULES["vst7"]])
    assert out == [(D("119.00"), D("19.00")), (D("107.00"), D("7.00"))]


def test_spread_cents_is_exact_and_deterministic() -> None:
    parts = spread_cents(D("0.10"), [D(1), D(1), D(1)])
    assert parts == [D("0.04"), D("0.03"), D("0.03")]
    assert spread_cents(D("-0.10"), [D(1), D(1), D(1)]) == [D("-0.04"), D("-0.03"), D("-0.03")]
    assert spread_cents(D("1.00"), [D("3"), D("-1")]) == [D("1.50"), D("-0.50")]


def test_bu_key_on_plain_expense_account(mapping: ClientMapping, chart: Chart) -> None:
    fremd = chart.accounts[3100]
    assert bu_key_for(TAX_RULES["vst19"], fremd, mapping.tax_keys, chart) == "9"
    assert bu_key_for(TAX_RULES["vst7"], fremd, mapping.tax_keys, chart) == "8"
    assert bu_key_for(TAX_RULES["rc13b_19"], fremd, mapping.tax_keys, chart) == "94"
    assert bu_key_for(TAX_RULES["tax_free"], fremd, mapping.tax_keys, chart) is None


def test_no_bu_key_on_automatic_account(mapping: ClientMapping, chart: Chart) -> None:
    assert bu_key_for(TAX_RULES["vst19"], chart.accounts[3400], mapping.tax_keys, chart) is None
    assert bu_key_for(TAX_RULES["rc13b_19"], chart.accounts[3120], mapping.tax_keys, chart) is None


@pytest.mark.parametrize(
    ("rule", "account", "words"),
    [
        ("vst7", 3400, "computes input_vat 19"),  # 7 % line on a 19 % automatic account
        ("rc13b_19", 3400, "rc13b_19"),  # reverse charge on a VSt automatic account
        ("tax_free", 3400, "tax-free"),
        ("vst19", 1576, "tax account"),
    ],
)
def test_wrong_account_for_rule_refuses(
    mapping: ClientMapping, chart: Chart, rule: str, account: int, words: str
) -> None:
    with pytest.raises(TaxPlacementError) as err:
        bu_key_for(TAX_RULES[rule], chart.accounts[account], mapping.tax_keys, chart)
    assert words in err.value.reason
    assert err.value.fix


def test_misconfigured_key_refuses(mapping: ClientMapping, chart: Chart) -> None:
    keys = {**mapping.tax_keys, "rc13b_19": "9"}  # 9 means VSt 19 %, not § 13b
    with pytest.raises(TaxPlacementError, match="not declared for that tax"):
        bu_key_for(TAX_RULES["rc13b_19"], chart.accounts[3100], keys, chart)
