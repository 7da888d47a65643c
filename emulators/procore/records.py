"""Financial records for the emulator: commitments, requisitions, direct costs and their lines.

One method per resource, JSON as the API sends it; the reference data they point at (codes,
vendors, projects) is built by ``reference``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from emulators.procore import names
from emulators.procore.reference import ReferenceFactory

Json = dict[str, Any]
CENT = Decimal("0.01")
RETAINAGE = Decimal("0.05")

REQUISITION_STATUSES = (
    "draft",
    "under_review",
    "revise_and_resubmit",
    "approved",
    "approved_as_noted",
    "pending_owner_approval",
)
DIRECT_COST_STATUSES = ("draft", "pending", "revise_and_resubmit", "approved")
DIRECT_COST_TYPES = ("invoice", "expense", "payroll")
PO_STATUSES = (
    "Draft",
    "Processing",
    "Submitted",
    "Partially Received",
    "Received",
    "Approved",
    "Closed",
)
WO_STATUSES = (
    "Draft",
    "Out For Bid",
    "Out For Signature",
    "Approved",
    "Complete",
    "Terminated",
    "Void",
)


# ``type`` on /rest/v1.0/commitments/{id} and ``commitment_type`` on requisitions.
COMMITMENT_TYPE = {
    "purchase_order_contract": "PurchaseOrderContract",
    "work_order_contract": "WorkOrderContract",
}
EUR = {"currency_iso_code": "EUR", "currency_exchange_rate": 1.0, "base_currency_iso_code": "EUR"}


def money(value: Decimal) -> str:
    return format(value.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineContext:
    """Reference data a project's line items point at."""

    cost_codes: list[Json]
    line_item_types: list[Json]
    tax_codes: list[Json]


class RecordFactory(ReferenceFactory):
    """Adds the financial records (commitments, requisitions, direct costs) and their lines."""

    def context(self, codes: list[Json], types: list[Json], taxes: list[Json]) -> LineContext:
        return LineContext(codes, types, taxes)

    # -- financial records -----------------------------------------------------------------

    def line_item(self, ctx: LineContext, position: int) -> Json:
        rng = self.rng
        code = rng.choice(ctx.cost_codes)
        kind = rng.choice(ctx.line_item_types[:5])
        tax = ctx.tax_codes[0] if rng.random() < 0.8 else rng.choice(ctx.tax_codes)
        if tax["code"] == "13b" and kind["code"] not in ("S", "L"):
            tax = ctx.tax_codes[0]  # § 13b covers construction services, not material or rental
        quantity = Decimal(rng.randint(1, 400)) / (10 if rng.random() < 0.3 else 1)
        unit_cost = Decimal(rng.randint(500, 250000)) / 100
        amount = cents(quantity * unit_cost)
        return {
            "id": self.next_id("line_item"),
            "position": position,
            "description": rng.choice(names.WORK_ITEMS),
            "amount": money(amount),
            "quantity": format(quantity, "f"),  # strings in v1.x, like money
            "unit_cost": format(unit_cost, "f"),
            "uom": rng.choice(names.UOMS),
            "total_amount": money(amount),
            "tax_code_id": tax["id"],
            "cost_code": {k: code[k] for k in ("id", "code", "full_code", "name")},
            "line_item_type": {k: kind[k] for k in ("id", "name", "code", "base_type")},
            "wbs_code": {"id": code["id"] * 10 + kind["id"] % 10,
                         "flat_code": f"{code['full_code']}.{kind['code']}",
                         "description": code["name"]},
            "origin_id": None,
            "currency_configuration": {"currency_iso_code": "EUR"},
        }  # fmt: skip

    @staticmethod
    def wbs_code(line_wbs: Json, cost_code: Json) -> Json:
        """v1.1 requisition items carry the WBS code as an object with its segments."""
        segment = {"id": cost_code["id"], "code": cost_code["code"], "name": cost_code["name"],
                   "path_ids": [cost_code["id"]], "path_codes": [cost_code["full_code"]],
                   "segment_type": "cost_code", "segment_id": cost_code["id"]}  # fmt: skip
        return {**line_wbs, "segment_items": [segment]}

    def attachment(self, filename: str, lines: list[str]) -> Json:
        attachment_id = self.next_id("attachment")
        self.files[attachment_id] = lines
        return {
            "id": attachment_id,
            "url": f"/prostore/files/{attachment_id}",
            "filename": filename,
            "content_type": "application/pdf",
        }

    def commitment(
        self, kind: str, vendor: Json, ctx: LineContext, i: int, updated_at: str
    ) -> Json:
        lines = [self.line_item(ctx, p) for p in range(1, self.rng.randint(2, 5) + 1)]
        total = sum((Decimal(li["amount"]) for li in lines), Decimal(0))
        is_po = kind == "purchase_order_contract"
        statuses = PO_STATUSES if is_po else WO_STATUSES
        status = statuses[i % len(statuses)]
        commitment_id = self.next_id("commitment")
        for line in lines:
            line["holder"] = {"id": commitment_id, "holder_type": COMMITMENT_TYPE[kind]}
        return {
            "id": commitment_id,
            "number": f"{'PO' if is_po else 'SUB'}-{i + 1:03d}",
            "title": f"{self.rng.choice(names.WORK_ITEMS)}",
            "status": status,
            "executed": status in ("Approved", "Complete", "Received", "Closed"),
            "vendor": {"id": vendor["id"], "company": vendor["name"]},
            "grand_total": money(total),
            "revised_contract": money(total),
            "retainage_percent": "0.0" if is_po else "5.0",
            "accounting_method": "unit" if is_po else "amount",
            "contract_date": f"2026-0{self.rng.randint(6, 9)}-{self.rng.randint(1, 28):02d}",
            "payment_terms": "30 Tage netto",
            "origin_id": None,
            "origin_code": None,
            "currency_configuration": {"currency_iso_code": "EUR"},
            "updated_at": updated_at,
            "line_items": lines,
            "attachments": [],
        }

    def requisition(self, contract: Json, i: int, updated_at: str) -> Json:
        number = i // 3 + 1
        status = REQUISITION_STATUSES[i % len(REQUISITION_STATUSES)]
        items, completed = [], Decimal(0)
        for line in contract["line_items"]:
            done = cents(Decimal(line["amount"]) * Decimal(self.rng.randint(5, 30)) / 100)
            retained = cents(done * RETAINAGE)
            completed += done
            items.append(
                {"id": self.next_id("req_item"), "item_type": "contract_item",
                 "line_item_id": line["id"], "cost_code_id": line["cost_code"]["id"],
                 "wbs_code": self.wbs_code(line["wbs_code"], line["cost_code"]),
                 "currency_configuration": dict(EUR),
                 "description_of_work": line["description"],
                 "scheduled_value": line["amount"], "work_completed_this_period": money(done),
                 "materials_presently_stored": "0.00",
                 "total_completed_and_stored_to_date": money(done * number),
                 "work_completed_retainage_retained_this_period": money(retained),
                 "work_completed_retainage_released_this_period": "0.00",
                 "net_amount": money(done - retained), "gross_amount": money(done)}
            )  # fmt: skip
        previous = completed * (number - 1)
        retained_now = sum(
            (Decimal(it["work_completed_retainage_retained_this_period"]) for it in items),
            Decimal(0),
        )
        retained_before = cents(previous * RETAINAGE)
        total_completed = previous + completed
        total_retainage = retained_before + retained_now
        invoice_number = f"RE-2026-{self.rng.randint(100, 9999):04d}"
        month = 9 + min(number - 1, 2)
        return {
            "id": self.next_id("requisition"), "number": number, "invoice_number": invoice_number,
            "previous_requisition_id": None, "status": status, "erp_status": "not_ready",
            "commitment_id": contract["id"], "contract_name": contract["title"],
            "commitment_type": contract["line_items"][0]["holder"]["holder_type"],
            "vendor_id": contract["vendor"]["id"], "vendor_name": contract["vendor"]["company"],
            "period_id": 9900 + month, "billing_date": f"2026-{month:02d}-28",
            "requisition_start": f"2026-{month:02d}-01", "requisition_end": f"2026-{month:02d}-28",
            "submitted_at": f"2026-{month:02d}-28T10:00:00Z", "payment_date": None,
            "final": False, "total_claimed_amount": money(completed), "origin_id": None,
            "currency_configuration": dict(EUR),
            "summary": {
                "original_contract_sum": contract["grand_total"],
                "net_change_by_change_orders": "0.00",
                "contract_sum_to_date": contract["grand_total"],
                "total_completed_and_stored_to_date": money(total_completed),
                "completed_work_retainage_percent": "5.0",
                "completed_work_retainage_amount": money(total_retainage),
                "stored_materials_retainage_percent": "0.0",
                "stored_materials_retainage_amount": "0.00",
                "total_retainage": money(total_retainage),
                "total_earned_less_retainage": money(total_completed - total_retainage),
                "less_previous_certificates_for_payment": money(previous - retained_before),
                "current_payment_due": money(completed - retained_now),
                "tax_applicable_to_this_payment": "0.00",
            },
            "attachments": [self.attachment(f"{invoice_number}.pdf", [
                contract["vendor"]["company"], f"Rechnung {invoice_number}",
                f"Abschlagsrechnung Nr. {number} zu {contract['number']}",
                f"Fällig: {money(completed - retained_now)} EUR"])],
            "items": items, "updated_at": updated_at,
        }  # fmt: skip

    def direct_cost(self, vendor: Json, ctx: LineContext, i: int, updated_at: str) -> Json:
        lines = [self.line_item(ctx, p) for p in range(1, self.rng.randint(1, 3) + 1)]
        total = sum((Decimal(li["amount"]) for li in lines), Decimal(0))
        invoice_number = f"2026-{self.rng.randint(1000, 99999)}"
        day = self.rng.randint(1, 28)
        return {
            "id": self.next_id("direct_cost"),
            "direct_cost_type": DIRECT_COST_TYPES[(i // 4) % 3],
            "status": DIRECT_COST_STATUSES[i % 4],
            "invoice_number": invoice_number,
            "description": lines[0]["description"],
            "vendor_id": vendor["id"],
            "vendor_name": vendor["name"],
            "vendor": {"id": vendor["id"], "name": vendor["name"]},  # a name string in lists
            "currency_configuration": {**EUR, "currency_exchange_rate": "1.0"},  # a string here
            "direct_cost_date": f"2026-10-{day:02d}",
            "received_date": f"2026-11-{day:02d}",
            "payment_date": None,
            "terms": "14 Tage 2 % Skonto, 30 Tage netto",
            "grand_total": money(total),
            "origin_id": None,
            "attachments": [self.attachment(f"{invoice_number}.pdf", [
                vendor["name"], f"Rechnung {invoice_number}", f"Summe {money(total)} EUR"])],
            "line_items": lines,
            "updated_at": updated_at,
        }  # fmt: skip
