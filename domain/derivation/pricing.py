"""Pricing one document: its items mapped to accounts and tax rules, grouped and rounded.

``records`` turns a requisition, direct cost or commitment into a ``DocumentDraft`` and
``Item``s; this module applies the mapping, tax rules and rounding. Anything it cannot decide
raises ``Park`` with the exact key that is missing and a suggested TOML line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from domain.booking import WithholdingClaim
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
    retained: Decimal = ZERO  # retention held on this item this period (net, Procore)
    released: Decimal = ZERO  # retention released on this item this period (net, Procore)


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
    withholding: list[WithholdingClaim] = field(default_factory=list)


@dataclass(frozen=True)
class PricedGroup:
    account: int
    bu_key: str | None
    rule: TaxRule
    net: Decimal
    umsatz: Decimal
    tax: Decimal


def line_rule(
    mapping: ClientMapping, draft: DocumentDraft, item: Item, notes: list[str] | None = None
) -> TaxRule:
    """Tax rule of one item: § 13b where it applies, else its Procore tax code, else the default.

    § 13b Abs. 2 Nr. 4 UStG covers construction services only: a vendor marked
    ``reverse_charge`` books § 13b on the cost types the mapping lists in
    ``construction_cost_types``; its material deliveries and equipment rental book with their
    own tax code (or the default). Without that list every cost type of such a vendor counts.
    """
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
    construction = mapping.is_construction(item.cost_type)
    if coded is not None and coded.kind == "reverse_charge" and not construction:
        raise Park(
            f"line {item.item_id} carries § 13b tax code {item.tax_code!r}, but cost type "
            f"{item.cost_type!r} is not a construction service (construction_cost_types)",
            "construction_cost_types",
            f"fix the tax code in Procore, or add {item.cost_type!r} to construction_cost_types "
            "if it is a Bauleistung",
        )
    if vendor.reverse_charge and construction:
        if coded is not None and coded.kind != "reverse_charge":
            raise Park(
                f"vendor {draft.vendor_id} is marked § 13b reverse charge, but line "
                f"{item.item_id} carries tax code {item.tax_code!r} ({coded.name})",
                f'vendors."{draft.vendor_id}".reverse_charge',
                "fix the tax code in Procore or set reverse_charge = false for the vendor",
            )
        return coded or TAX_RULES["rc13b_19"]
    fallback = TAX_RULES[mapping.default_tax_rule]
    wanted = mapping.booking.requisition_tax_rule
    is_requisition = ":requisition:" in draft.source_ref
    if wanted and is_requisition and (TAX_RULES[wanted].kind != "reverse_charge" or construction):
        fallback = TAX_RULES[wanted]
    if (
        coded is None
        and notes is not None
        and not construction
        and (vendor.reverse_charge or (wanted and TAX_RULES[wanted].kind == "reverse_charge"))
    ):
        notes.append(
            f"line {item.item_id}: cost type {item.cost_type!r} is not a construction service; "
            f"no § 13b, booked with {fallback.name}"
        )
    return coded or fallback


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
        rule = line_rule(mapping, draft, item, draft.notes)
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


ADJUSTED = "cent adjustment"  # prefix of the audit note (the month-end close counts them)


def reconcile_totals(
    draft: DocumentDraft, groups: Sequence[PricedGroup], tolerance: Decimal
) -> list[PricedGroup]:
    """The groups with Procore's total to the cent, or ``Park`` with both totals.

    Per-line rounding in Procore can differ from our per-rule rounding by a cent or a few. A
    difference up to ``tolerance`` goes onto one deterministic line (the largest input-VAT
    line; ties: first in account order) and into the audit trail; a larger one parks.
    """
    out = list(groups)
    tax = sum((g.tax for g in out), ZERO)
    net = sum((g.net for g in out), ZERO)
    if draft.procore_tax is not None and draft.procore_tax != tax:
        diff = draft.procore_tax - tax
        reason = tax_mismatch(tax, draft.procore_tax, tolerance)
        if reason or _vat_group(out) is None:
            raise Park(
                f"{reason or 'Procore reports tax on lines that carry no VAT'}; Procore total "
                f"{net + draft.procore_tax}, booked total {net + tax}",
                "tax",
                "correct the tax on the invoice in Procore or the tax rule",
            )
        return _adjust(draft, out, diff, f"Procore tax {draft.procore_tax}, ours {tax}")
    if not draft.procore_totals:
        return out
    gross = net + tax
    for total in draft.procore_totals:
        if total in (gross, net):
            return out
    for total in draft.procore_totals:
        if abs(total - gross) <= tolerance and _vat_group(out) is not None:
            return _adjust(draft, out, total - gross, f"Procore total {total}, lines {gross}")
        if abs(total - net) <= tolerance:
            return out
    shown = ", ".join(str(t) for t in draft.procore_totals)
    raise Park(
        f"Procore total {shown} matches neither net {net} nor gross {gross} (tolerance "
        f"{tolerance})",
        "grand_total",
        "check the line amounts and tax codes of the record in Procore",
    )


def _vat_group(groups: Sequence[PricedGroup]) -> int | None:
    best: int | None = None
    for i, g in enumerate(groups):
        if g.rule.kind == "input_vat" and (
            best is None or abs(g.umsatz) > abs(groups[best].umsatz)
        ):
            best = i
    return best


def _adjust(
    draft: DocumentDraft, groups: list[PricedGroup], diff: Decimal, why: str
) -> list[PricedGroup]:
    i = _vat_group(groups)
    assert i is not None
    g = groups[i]
    groups[i] = replace(g, umsatz=g.umsatz + diff, tax=g.tax + diff)
    draft.notes.append(
        f"{ADJUSTED}: {diff:+} on the line to account {g.account} (BU {g.bu_key or '-'}) so the "
        f"document equals Procore's total ({why})"
    )
    return groups
