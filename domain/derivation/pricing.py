"""Pricing one document: its items mapped to accounts and tax rules, grouped and rounded.

``records`` turns a requisition, direct cost or commitment into a ``DocumentDraft`` and
``Item``s; this module applies the mapping, tax rules and rounding. Anything it cannot decide
raises ``Park`` with the exact key that is missing and a suggested TOML line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.chart import Chart
from domain.mapping import ClientMapping
from domain.money import ZERO
from domain.tax import (
    TAX_RULES,
    TaxPlacementError,
    TaxRule,
    bu_key_for,
    tax_mismatch,
    umsatz_amounts,
)


class Park(Exception):
    """Raised inside derivation; becomes a ``Parked`` result."""

    def __init__(self, reason: str, field: str, fix: str) -> None:
        super().__init__(reason)
        self.reason, self.field, self.fix = reason, field, fix


@dataclass(frozen=True)
class Item:
    """One priced line of a document (net, signed), with what is needed to map it."""

    item_id: int
    net: Decimal
    cost_code: str | None
    cost_type: str | None
    tax_code: str | None = None
    tax_code_rate: Decimal | None = None


@dataclass(frozen=True)
class DocumentDraft:
    source_ref: str
    project_id: int | None
    vendor_id: int
    vendor_label: str
    creditor: int
    invoice_number: str | None
    fallback_number: str
    document_date: date
    service_date: date | None
    beleglink: str | None
    taken_belegfeld: frozenset[str]
    procore_tax: Decimal | None = None
    procore_totals: tuple[Decimal, ...] = ()  # acceptable document totals reported by Procore
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PricedGroup:
    account: int
    bu_key: str | None
    rule: TaxRule
    net: Decimal
    umsatz: Decimal
    tax: Decimal


def line_rule(mapping: ClientMapping, draft: DocumentDraft, item: Item) -> TaxRule:
    """Tax rule of one item: vendor § 13b status, else its Procore tax code, else the default."""
    vendor = mapping.vendor(draft.vendor_id)
    coded: TaxRule | None = None
    if item.tax_code is not None:
        name = mapping.tax_codes.get(item.tax_code)
        if name is None:
            raise Park(
                f"Procore tax code {item.tax_code!r} on line {item.item_id} has no tax rule",
                f'tax_codes."{item.tax_code}"',
                f'add to [tax_codes]: "{item.tax_code}" = "vst19"  (or vst7, rc13b_19, …)',
            )
        coded = TAX_RULES[name]
        _check_code_rate(item, coded)
    if vendor.reverse_charge:
        if coded is not None and coded.kind != "reverse_charge":
            raise Park(
                f"vendor {draft.vendor_id} is marked § 13b reverse charge, but line "
                f"{item.item_id} carries tax code {item.tax_code!r} ({coded.name})",
                f'vendors."{draft.vendor_id}".reverse_charge',
                "fix the tax code in Procore or set reverse_charge = false for the vendor",
            )
        return coded or TAX_RULES["rc13b_19"]
    fallback = mapping.default_tax_rule
    if mapping.booking.requisition_tax_rule and ":requisition:" in draft.source_ref:
        fallback = mapping.booking.requisition_tax_rule
    return coded or TAX_RULES[fallback]


def _check_code_rate(item: Item, rule: TaxRule) -> None:
    rate = item.tax_code_rate
    if rate is None:
        return
    ok = rate == rule.rate if rule.kind == "input_vat" else rate in (Decimal(0), rule.rate)
    if not ok:
        raise Park(
            f"Procore tax code {item.tax_code!r} has rate {rate} %, but it maps to "
            f"{rule.name} ({rule.rate} %)",
            f'tax_codes."{item.tax_code}"',
            "map the tax code to the rule with the same rate",
        )


def item_account(mapping: ClientMapping, item: Item) -> int:
    if item.cost_code is None or item.cost_type is None:
        missing = "cost code" if item.cost_code is None else "cost type"
        raise Park(
            f"line {item.item_id} has no {missing} in Procore",
            "cost_code" if item.cost_code is None else "cost_type",
            f"set the {missing} on the line in Procore",
        )
    account = mapping.cost_account(item.cost_code, item.cost_type)
    if account is None:
        raise Park(
            f"no expense account for cost code {item.cost_code!r} / cost type {item.cost_type!r}",
            f"cost_accounts[cost_code={item.cost_code!r}, cost_type={item.cost_type!r}]",
            "add to the mapping:\n[[cost_accounts]]\n"
            f'cost_code = "{item.cost_code}"\ncost_type = "{item.cost_type}"\naccount = 3100',
        )
    return account


def price_items(
    mapping: ClientMapping, chart: Chart, draft: DocumentDraft, items: Sequence[Item]
) -> list[PricedGroup]:
    """Map, group (account, BU key, rule) and price the items; zero amounts are dropped."""
    groups: dict[tuple[int, str | None, str], Decimal] = {}
    for item in items:
        if item.net == ZERO:
            draft.notes.append(f"line {item.item_id}: amount 0,00 dropped on purpose")
            continue
        rule = line_rule(mapping, draft, item)
        account_no = item_account(mapping, item)
        account = chart.account(account_no)
        if account is None:
            raise Park(
                f"account {account_no} is not in the declared chart",
                "extra_accounts",
                f"declare account {account_no} under [[extra_accounts]]",
            )
        try:
            key = bu_key_for(rule, account, mapping.tax_keys, chart)
        except TaxPlacementError as exc:
            raise Park(exc.reason, f"cost_accounts (line {item.item_id})", exc.fix) from None
        gkey = (account_no, key, rule.name)
        groups[gkey] = groups.get(gkey, ZERO) + item.net
    kept = {k: v for k, v in groups.items() if v != ZERO}
    if len(kept) < len(groups):
        draft.notes.append("lines that cancel out to 0,00 on one account were dropped on purpose")
    ordered = sorted(kept.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2]))
    rules = [TAX_RULES[k[2]] for k, _ in ordered]
    amounts = umsatz_amounts([v for _, v in ordered], rules)
    return [
        PricedGroup(account=k[0], bu_key=k[1], rule=r, net=v, umsatz=u, tax=t)
        for (k, v), r, (u, t) in zip(ordered, rules, amounts, strict=True)
    ]


def check_totals(draft: DocumentDraft, groups: Sequence[PricedGroup]) -> None:
    """Park when Procore's tax or document total disagrees with ours beyond one cent."""
    tax = sum((g.tax for g in groups), ZERO)
    net = sum((g.net for g in groups), ZERO)
    if draft.procore_tax is not None and (reason := tax_mismatch(tax, draft.procore_tax)):
        raise Park(reason, "tax", "correct the tax on the invoice in Procore or the tax rule")
    if draft.procore_totals and not any(
        tax_mismatch(net + tax, t) is None or tax_mismatch(net, t) is None
        for t in draft.procore_totals
    ):
        shown = ", ".join(str(t) for t in draft.procore_totals)
        raise Park(
            f"Procore total {shown} matches neither net {net} nor gross {net + tax}",
            "grand_total",
            "check the line amounts and tax codes of the record in Procore",
        )
