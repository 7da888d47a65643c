"""Additional creditor lines: retention (Sicherheitseinbehalt) and § 48 EStG withholding.

Both are switched off by default (``booking.retention_lines`` / ``booking.withholding_lines``).
The invoiced work is always booked in full on the creditor; these lines move part of the
creditor balance to a liability account, so the open item shows what is actually payable.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from domain.booking import BookingLine
from domain.derivation.lines import creditor_line
from domain.derivation.pricing import DocumentDraft, Park, PricedGroup
from domain.mapping import ClientMapping
from domain.money import ZERO, to_cents

WITHHOLDING_RATE = Decimal("15")


def _gross_ratio(groups: Sequence[PricedGroup]) -> Decimal:
    net = sum((g.net for g in groups), ZERO)
    umsatz = sum((g.umsatz if g.net > 0 else -g.umsatz for g in groups), ZERO)
    return Decimal(1) if net == ZERO else abs(umsatz / net)


def retention_lines(
    draft: DocumentDraft,
    mapping: ClientMapping,
    groups: Sequence[PricedGroup],
    retained: Decimal,
    released: Decimal,
    common: dict[str, Any],
) -> list[BookingLine]:
    """Retention held (debit creditor) and released (credit creditor) this period.

    Procore states retention on the net work value; the creditor holds the invoice gross, so the
    retained amount is grossed up with the document's own gross/net ratio (1 for § 13b).
    """
    if retained == ZERO and released == ZERO:
        return []
    if not mapping.booking.retention_lines or mapping.booking.retention_account is None:
        if retained:
            draft.notes.append(
                f"retention {retained} (net) not booked separately; creditor carries the full "
                "invoice (booking.retention_lines = false)"
            )
        return []
    ratio = _gross_ratio(groups)
    text = "Sicherheitseinbehalt " + draft.vendor_label
    lines = []
    for tag, sign, value in (("retention", -1, retained), ("retention-release", 1, released)):
        if value == ZERO:
            continue
        amount = to_cents(value * ratio)
        lines.append(
            creditor_line(
                draft,
                tag=tag,
                credit=sign * amount,
                contra=mapping.booking.retention_account,
                bu_key=None,
                text=text[:60],
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
    return [
        creditor_line(
            draft,
            tag="withholding",
            credit=-amount,
            contra=b.withholding_account,
            bu_key=None,
            text=f"Bauabzugsteuer {draft.vendor_label}"[:60],
            **common,
        )
    ]
