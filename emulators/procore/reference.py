"""Reference data for the emulator: tax codes, line item types, vendors, projects, cost codes.

The financial records in ``records`` point at these; both draw ids from the same per-resource
counters, so one seed builds the same company every time.
"""

from __future__ import annotations

import random
from typing import Any

from emulators.procore import names

Json = dict[str, Any]


class ReferenceFactory:
    """Builds reference records with ids from per-resource counters (deterministic per rng)."""

    def __init__(self, rng: random.Random, files: dict[int, list[str]]) -> None:
        self.rng = rng
        self.files = files
        self._next = {
            "vendor": 556600, "project": 20251, "commitment": 88100, "requisition": 4401200,
            "direct_cost": 990000, "line_item": 610000, "req_item": 1800000, "cost_code": 3300,
            "line_item_type": 1, "tax_code": 10, "attachment": 7000, "period": 9900,
        }  # fmt: skip
        self._vendor_names: set[str] = set()

    def next_id(self, kind: str) -> int:
        self._next[kind] += 1
        return self._next[kind]

    # -- company reference data ------------------------------------------------------------

    def line_item_types(self, company_id: int) -> list[Json]:
        return [
            {"id": self.next_id("line_item_type"), "name": name, "code": code,
             "base_type": base, "origin_id": None}
            for name, code, base in names.LINE_ITEM_TYPES
        ]  # fmt: skip

    def tax_codes(self, company_id: int) -> list[Json]:
        return [
            {"id": self.next_id("tax_code"), "code": code, "description": text, "rate1": rate,
             "archived": False, "origin_id": None}
            for code, text, rate in names.TAX_CODES
        ]  # fmt: skip

    def vendor(self, updated_at: str) -> Json:
        rng = self.rng
        for attempt in range(100):
            trade, _ = rng.choice(names.TRADES)
            who = rng.choice(names.SURNAMES + names.REGIONS[1:])
            name = f"{trade} {who} {rng.choice(names.LEGAL_FORMS)}"
            if attempt > 50:
                name = f"{trade} {who} {attempt} {rng.choice(names.LEGAL_FORMS)}"
            if name not in self._vendor_names:
                break
        self._vendor_names.add(name)
        city, zip_code = rng.choice(names.CITIES)
        vendor_id = self.next_id("vendor")
        umlauts = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-"})
        slug = f"{trade}-{who}".lower().translate(umlauts)
        return {
            "id": vendor_id,
            "name": name,
            "abbreviated_name": (trade[:3] + who[:3]).upper(),
            "legal_name": name,
            "trade_name": trade,
            "address": f"{rng.choice(names.STREETS)} {rng.randint(1, 120)}",
            "city": city,
            "state_code": None,
            "zip": zip_code,
            "country_code": "DE",
            "email_address": f"rechnung@{slug}.example",
            "business_phone": f"+49 {rng.randint(30, 991)} {rng.randint(100000, 9999999)}",
            "is_active": rng.random() > 0.05,
            "business_id": f"DE{rng.randint(100000000, 999999999)}",
            "business_register": None,
            "origin_id": None,
            "origin_code": str(70000 + vendor_id % 1000) if rng.random() < 0.5 else None,
            "origin_data": f"IBAN {self.iban()}",
            "synced_to_erp": False,
            "primary_contact": None,
            "updated_at": updated_at,
        }

    def iban(self) -> str:
        """A German IBAN with a correct ISO 7064 check number (fake bank and account)."""
        bban = f"{self.rng.randint(10000000, 89999999)}{self.rng.randint(0, 9999999999):010d}"
        check = 98 - int(bban + "131400") % 97  # "DE" = 13 14, then "00"
        return f"DE{check:02d}{bban}"

    # -- projects --------------------------------------------------------------------------

    def project(self, company_id: int, company_name: str, index: int, updated_at: str) -> Json:
        city, zip_code = self.rng.choice(names.CITIES)
        name = f"{names.PROJECTS[index % len(names.PROJECTS)]} {city}"
        return {
            "id": self.next_id("project"), "name": name, "display_name": name,
            "project_number": f"2026-{index + 1:03d}",
            "address": f"{self.rng.choice(names.STREETS)} 1",
            "city": city, "zip": zip_code, "country_code": "DE", "active": True,
            "company": {"id": company_id, "name": company_name}, "updated_at": updated_at,
        }  # fmt: skip

    def cost_codes(self, project_id: int) -> list[Json]:
        codes = []
        for full_code, name in names.COST_CODES:
            division, code = full_code.split("-")
            codes.append(
                {"id": self.next_id("cost_code"), "code": code, "full_code": full_code,
                 "name": name, "parent": {"id": 3000 + int(division)}, "origin_id": None,
                 "line_item_types": []}
            )  # fmt: skip
        return codes
