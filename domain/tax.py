"""Tax rules for German construction purchasing and how they land in EXTF.

The one rule for the EXTF amount (Umsatz, column 1):

* **input VAT (19 %, 7 %)** — the invoice shows VAT; Umsatz is the **gross** amount
  (net + VAT). DATEV takes the VAT back out through the BU key or the automatic account.
* **§ 13b reverse charge** and **intra-EU acquisition** — the invoice shows no VAT; Umsatz is the
  **net** amount and the BU key (94, 19, …) or the automatic account (3120/5920) makes DATEV book
  USt and VSt itself.
* **tax-free** — no key, Umsatz = net = gross.

VAT is rounded half-up once per document and rule (``gross = net + tax``); it is then spread
over the document's lines so that the lines add up to the document to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.chart import Account, Chart, TaxKind
from domain.money import CENT, ZERO, spread_cents, to_cents

TaxRuleName = Literal["vst19", "vst7", "rc13b_19", "rc13b_7", "eu19", "eu7", "tax_free"]


class TaxRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: TaxRuleName
    kind: TaxKind | Literal["tax_free"]
    rate: Decimal  # percent

    @property
    def umsatz_is_gross(self) -> bool:
        """True when the EXTF Umsatz is net + invoiced VAT (only for input VAT)."""
        return self.kind == "input_vat"


TAX_RULES: dict[str, TaxRule] = {
    r.name: r
    for r in (
        TaxRule(name="vst19", kind="input_vat", rate=Decimal("19")),
        TaxRule(name="vst7", kind="input_vat", rate=Decimal("7")),
        TaxRule(name="rc13b_19", kind="reverse_charge", rate=Decimal("19")),
        TaxRule(name="rc13b_7", kind="reverse_charge", rate=Decimal("7")),
        TaxRule(name="eu19", kind="eu_acquisition", rate=Decimal("19")),
        TaxRule(name="eu7", kind="eu_acquisition", rate=Decimal("7")),
        TaxRule(name="tax_free", kind="tax_free", rate=Decimal("0")),
    )
}

DEFAULT_BU_KEYS: dict[TaxRuleName, str | None] = {
    "vst19": "9",
    "vst7": "8",
    "rc13b_19": "94",
    "rc13b_7": "91",
    "eu19": "19",
    "eu7": "18",
    "tax_free": None,
}


class TaxPlacementError(ValueError):
    """The configured account/BU key cannot carry this tax rule; the line must be parked."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix


def invoiced_tax(net: Decimal, rule: TaxRule) -> Decimal:
    """VAT shown on the invoice for ``net``: only input-VAT rules carry VAT, rounded half-up."""
    if rule.kind != "input_vat":
        return ZERO
    return to_cents(net * rule.rate / Decimal(100))


def bu_key_for(
    rule: TaxRule,
    account: Account,
    tax_keys: Mapping[TaxRuleName, str | None],
    chart: Chart,
) -> str | None:
    """The BU key to write for ``rule`` on ``account``, or raise ``TaxPlacementError``.

    Automatic accounts never get a key; their own tax must match the rule. Plain expense
    accounts get the configured key, which must be declared and mean the same tax.
    """
    where = f"account {account.number} ({account.name})"
    if account.kind == "automatic":
        if rule.kind == "tax_free":
            raise TaxPlacementError(
                f"{where} is an automatic account and would add tax to a tax-free line",
                "map this cost code/type to a plain expense account for tax-free invoices",
            )
        if account.automatic_tax != rule.kind or account.automatic_rate != rule.rate:
            raise TaxPlacementError(
                f"{where} computes {account.automatic_tax} {account.automatic_rate} %, "
                f"but the line's tax rule is {rule.name} ({rule.kind} {rule.rate} %)",
                "map the line to an account whose automatic tax matches, or to a plain "
                "expense account that takes a BU key",
            )
        return None
    if account.kind != "expense":
        raise TaxPlacementError(
            f"{where} is a {account.kind} account, not an expense account",
            "map cost codes only to expense or automatic expense accounts",
        )
    if rule.kind == "tax_free":
        return None
    key = tax_keys.get(rule.name)
    if key is None:
        raise TaxPlacementError(
            f"no BU key configured for tax rule {rule.name}",
            f'set tax_keys.{rule.name} = "<key>" in the mapping',
        )
    declared = chart.bu_keys.get(key)
    if declared is None or declared.tax_kind != rule.kind or declared.rate != rule.rate:
        raise TaxPlacementError(
            f"BU key {key!r} configured for {rule.name} is not declared for that tax",
            f'use the reference key: tax_keys.{rule.name} = "{DEFAULT_BU_KEYS[rule.name]}"',
        )
    if key not in account.bu_keys:
        raise TaxPlacementError(
            f"{where} does not accept BU key {key}",
            "declare the key for the account or map to another account",
        )
    return key


def umsatz_amounts(
    nets: Sequence[Decimal], rules: Sequence[TaxRule]
) -> list[tuple[Decimal, Decimal]]:
    """``(umsatz, tax)`` per line of one document.

    VAT is rounded once per rule over the document's net sum, then spread over the lines of that
    rule in proportion to their net amounts, so ``sum(umsatz) == net total + invoiced VAT``.
    """
    result = [(n, ZERO) for n in nets]
    by_rule: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        by_rule.setdefault(rule.name, []).append(i)
    for name, idx in by_rule.items():
        rule = TAX_RULES[name]
        total_tax = invoiced_tax(sum((nets[i] for i in idx), ZERO), rule)
        shares = spread_cents(total_tax, [nets[i] for i in idx])
        for i, share in zip(idx, shares, strict=True):
            result[i] = (nets[i] + share if rule.umsatz_is_gross else nets[i], share)
    return result


def tax_mismatch(computed: Decimal, reported: Decimal, tolerance: Decimal = CENT) -> str | None:
    """A reason text when Procore's tax differs from ours by more than ``tolerance``."""
    if abs(computed - reported) <= tolerance:
        return None
    return (
        f"Procore reports tax {reported} but the tax rule gives {computed} "
        f"(difference {reported - computed}, tolerance {tolerance})"
    )
