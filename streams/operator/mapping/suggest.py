"""Suggested accounts for an unmapped (cost code, cost type) pair, each with its reasons.

Pure. The reasons are message ids with values (the page translates them). A suggestion is only
ever shown; the mapping changes when the user accepts it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.chart import Chart
from domain.mapping import ClientMapping
from streams.operator.mapping.inventory import PairRow

# Cost type → what the chart account should be called, best first (German account names).
CATEGORY_ACCOUNTS: dict[str, tuple[str, ...]] = {
    "subcontract": ("Fremdleistung",),
    "labour": ("Fremdleistung",),
    "professional": ("Fremdleistung",),
    "material": ("Materialaufwand", "Wareneingang"),
    "equipment": ("Miete", "Leasing", "Fremdleistung"),
    "other": (),
}
CATEGORY_REASONS: dict[str, str] = {
    "subcontract": "cost type {type} is subcontract work: {name} in {skr}",
    "labour": "cost type {type} is bought-in labour: {name} in {skr}",
    "professional": "cost type {type} is professional services: {name} in {skr}",
    "material": "cost type {type} is material: {name} in {skr}",
    "equipment": "cost type {type} is equipment: {name} in {skr}",
    "other": "cost type {type}: {name} in {skr}",
}
_MATERIAL_WORDS = ("material", "baustoff", "lieferung", "beton", "stahl")
_SERVICE_WORDS = ("arbeiten", "bau", "installation", "montage", "leistung")


@dataclass(frozen=True)
class Reason:
    text: str  # English message id; ``values`` fill its placeholders
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Suggestion:
    account: int
    name: str
    score: int = 0
    reasons: list[Reason] = field(default_factory=list)


def category(cost_type: str, type_name: str | None, base_type: str | None) -> str:
    """subcontract / material / equipment / labour / professional / other."""
    words = f"{cost_type} {type_name or ''} {base_type or ''}".lower()
    if cost_type == "S" or "subcontract" in words or base_type == "commitment":
        return "subcontract"
    if cost_type == "M" or "material" in words:
        return "material"
    if cost_type == "E" or "equipment" in words:
        return "equipment"
    if cost_type == "L" or "labor" in words or "labour" in words:
        return "labour"
    if cost_type == "P" or "professional" in words:
        return "professional"
    return "other"


def _expense(chart: Chart) -> dict[int, str]:
    return {a.number: a.name for a in chart.accounts.values() if a.kind == "expense"}


def _by_name(chart: Chart, words: tuple[str, ...]) -> int | None:
    accounts = _expense(chart)
    for word in words:
        for number, name in sorted(accounts.items()):
            if word.lower() in name.lower():
                return number
    return None


def suggest(
    pair: PairRow,
    mapping: ClientMapping,
    chart: Chart,
    booked: dict[int, dict[int, Decimal]],
    vendor_names: dict[int, str],
    limit: int = 3,
) -> list[Suggestion]:
    """Ranked suggestions for ``pair`` (best first), at most ``limit``."""
    expense = _expense(chart)
    found: dict[int, Suggestion] = {}

    def add(account: int | None, weight: int, reason: Reason) -> None:
        if account is None or account not in expense:
            return
        s = found.setdefault(account, Suggestion(account, expense[account]))
        s.score += weight
        s.reasons.append(reason)

    for rule in mapping.cost_accounts:
        if rule.cost_code == pair.cost_code and rule.cost_type != pair.cost_type:
            reason = "cost code {code} is mapped to {account} for cost type {type}"
            values = {"code": pair.cost_code, "account": rule.account, "type": rule.cost_type}
            add(rule.account, 3, Reason(reason, values))
        elif rule.cost_type == pair.cost_type and rule.cost_code != pair.cost_code:
            reason = "cost type {type} is mapped to {account} for cost code {code}"
            values = {"type": pair.cost_type, "account": rule.account, "code": rule.cost_code}
            add(rule.account, 2, Reason(reason, values))
    for vendor_id in sorted(pair.vendors):
        accounts = booked.get(vendor_id, {})
        usual = max(
            (a for a in accounts if a in expense and accounts[a] > 0),
            key=lambda a: accounts[a],
            default=None,
        )
        name = vendor_names.get(vendor_id, str(vendor_id))
        add(
            usual,
            3,
            Reason("vendor {vendor} books to {account} so far", {"vendor": name, "account": usual}),
        )
    kind = category(pair.cost_type, pair.type_name, pair.base_type)
    skr = f"SKR{chart.skr}"
    target = _by_name(chart, CATEGORY_ACCOUNTS[kind])
    type_label = pair.type_name or pair.cost_type
    add(
        target,
        2,
        Reason(
            CATEGORY_REASONS[kind],
            {"type": type_label, "name": expense.get(target or 0, ""), "skr": skr},
        ),
    )
    name = (pair.code_name or "").lower()
    hint = None
    if any(w in name for w in _MATERIAL_WORDS):
        hint = _by_name(chart, CATEGORY_ACCOUNTS["material"])
    elif any(w in name for w in _SERVICE_WORDS):
        hint = _by_name(chart, CATEGORY_ACCOUNTS["subcontract"])
    add(
        hint,
        1,
        Reason(
            "the cost code's name “{name}” points to {account}",
            {"name": pair.code_name, "account": hint},
        ),
    )
    ranked = sorted(found.values(), key=lambda s: (-s.score, s.account))
    return ranked[:limit]


def suggest_tax_rule(
    code: str, description: str | None, rate: Decimal | None
) -> tuple[str, Reason] | None:
    """A tax rule for a Procore tax code, from its name and rate (None: no good guess)."""
    words = f"{code} {description or ''}".lower()
    if "13b" in words or "leistungsempfänger" in words or "reverse" in words:
        rule = "rc13b_7" if rate == Decimal(7) else "rc13b_19"
        return rule, Reason("the tax code names § 13b (the client owes the VAT)", {})
    for value, rule in ((Decimal(19), "vst19"), (Decimal(7), "vst7")):
        if rate == value:
            return rule, Reason("the tax code's rate is {rate} % input VAT", {"rate": value})
    return None
