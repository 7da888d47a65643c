"""Additional creditor lines: retention (Sicherheitseinbehalt) and § 48 EStG withholding.

Both are switched off by default (``booking.retention_lines`` / ``booking.withholding_lines``).
The invoiced work is always booked in full on the creditor; these lines move part of the
creditor balance to a liability account, so the open item shows what is actually payable.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from domain.booking import BookingLine, WithholdingClaim
from domain.derivation.lines import creditor_line
from domain.derivation.pricing import DocumentDraft, Item, Park, PricedGroup, line_rule
from domain.mapping import ClientMapping
from domain.money import ZERO, to_cents
from domain.tax import TAX_RULES, invoiced_tax
from domain.text import truncate

WITHHOLDING_RATE = Decimal("15")
# § 48 Abs. 2 EStG: no withholding while a supplier's consideration in the calendar year stays
# within 5,000 EUR, or 15,000 EUR for a recipient with exclusively VAT-free letting (§ 4 Nr. 12).
SMALL_AMOUNT = Decimal("5000.00")
SMALL_AMOUNT_LETTING = Decimal("15000.00")


def line_text(draft: DocumentDraft, what: str) -> str:
    """``<what> <vendor>`` in 60 characters at a grapheme boundary; a shortening is noted."""
    text, cut = truncate(f"{what} {draft.vendor_label}", 60)
    if cut:
        draft.notes.append(f"{what} line text shortened to {text!r}")
    return text


def retention_gross(
    mapping: ClientMapping, draft: DocumentDraft, items: Sequence[Item], field: str
) -> tuple[Decimal, list[str]]:
    """Retention (``field`` = ``retained`` or ``released``) as the creditor carries it.

    Procore states retention on the net work value; the creditor holds the invoice gross. Each
    item is grossed up with its own tax rule, VAT rounded once per rule, so a release of the
    same items clears exactly what the retention booked (also for a release-only invoice,
    whose work lines are all zero).
    """
    by_rule: dict[str, Decimal] = {}
    for item in items:
        value: Decimal = getattr(item, field)
        if value != ZERO:
            rule_name = line_rule(mapping, draft, item).name
            by_rule[rule_name] = by_rule.get(rule_name, ZERO) + value
    total, parts = ZERO, []
    for name in sorted(by_rule):
        net = by_rule[name]
        tax = invoiced_tax(net, TAX_RULES[name])
        total += net + tax
        parts.append(f"{net} net {name}" + (f" + {tax} VAT" if tax else ""))
    return total, parts


def retention_lines(
    draft: DocumentDraft,
    mapping: ClientMapping,
    items: Sequence[Item],
    common: dict[str, Any],
) -> list[BookingLine]:
    """Retention held (debit creditor) and released (credit creditor) this period."""
    retained = sum((i.retained for i in items), ZERO)
    released = sum((i.released for i in items), ZERO)
    if retained == ZERO and released == ZERO:
        return []
    if not mapping.booking.retention_lines or mapping.booking.retention_account is None:
        if retained:
            draft.notes.append(
                f"retention {retained} (net) not booked separately; creditor carries the full "
                "invoice (booking.retention_lines = false)"
            )
        return []
    text = line_text(draft, "Sicherheitseinbehalt")
    lines = []
    for tag, sign, field in (("retention", -1, "retained"), ("retention-release", 1, "released")):
        amount, parts = retention_gross(mapping, draft, items, field)
        if amount == ZERO:
            continue
        what = "held" if sign < 0 else "released"
        draft.notes.append(f"retention {what}: {amount} ({'; '.join(parts)})")
        lines.append(
            creditor_line(
                draft,
                tag=tag,
                credit=sign * amount,
                contra=mapping.booking.retention_account,
                bu_key=None,
                text=text,
                **common,
            )
        )
    return lines


def withholding_lines(
    draft: DocumentDraft,
    mapping: ClientMapping,
    groups: Sequence[PricedGroup],
    common: dict[str, Any],
) -> list[BookingLine]:
    """§ 48 EStG: 15 % of the gross amount moves from the creditor to the tax-office payable
    when the vendor has no valid § 48b certificate on the document date."""
    b = mapping.booking
    if not b.withholding_lines or b.withholding_account is None or not groups:
        return []
    vendor = mapping.vendor(draft.vendor_id)
    where = f'vendors."{draft.vendor_id}"'
    if vendor.exemption == "unknown":
        raise Park(
            f"§ 48b exemption status of vendor {draft.vendor_id} ({draft.vendor_label}) is unknown",
            f"{where}.exemption",
            f'set in [{where}]: exemption = "certificate" with exemption_valid_until = <date>, '
            'or exemption = "none" to withhold 15 %',
        )
    if vendor.exemption == "certificate":
        until = vendor.exemption_valid_until
        if until is not None and until >= draft.document_date:
            return []
        raise Park(
            f"§ 48b certificate of vendor {draft.vendor_id} expired on {until} "
            f"(document date {draft.document_date})",
            f"{where}.exemption_valid_until",
            'enter the new certificate\'s valid-until date, or set exemption = "none"',
        )
    base = ZERO
    for g in groups:
        if g.rule.kind == "input_vat":
            base += g.umsatz if g.net > 0 else -g.umsatz
        elif g.rule.kind == "reverse_charge":
            # The USt the recipient owes under § 13b counts towards the gross amount.
            base += g.net + to_cents(g.net * g.rule.rate / Decimal(100))
        else:
            base += g.net
    amount = to_cents(base * WITHHOLDING_RATE / Decimal(100))
    if amount == ZERO:
        return []
    draft.notes.append(f"§ 48 EStG: {amount} (15 % of {base}) withheld for the tax office")
    line = creditor_line(
        draft,
        tag="withholding",
        credit=-amount,
        contra=b.withholding_account,
        bu_key=None,
        text=line_text(draft, "Bauabzugsteuer"),
        **common,
    )
    limit = SMALL_AMOUNT_LETTING if b.withholding_exempt_letting else SMALL_AMOUNT
    draft.withholding.append(
        WithholdingClaim(
            vendor_id=draft.vendor_id,
            year=draft.document_date.year,
            base=abs(base),
            line_id=line.line_id,
            limit=limit,
        )
    )
    return [line]
