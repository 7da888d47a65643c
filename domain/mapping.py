"""Per-DATEV-client mapping: how Procore records become bookings for one client.

One TOML file per client (``deploy/mapping.sample.toml``). This module holds the model and the
pure lookups; ``domain.mapping_check`` validates it against the declared chart, and
``adapters.config_files`` reads the file.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.cadence import parse_cadence
from domain.chart import Account, Skr
from domain.tax import DEFAULT_BU_KEYS, TAX_RULES, TaxRule, TaxRuleName

KOST_PATTERN = re.compile(r"^[A-Za-z0-9_ ]{1,36}$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClientSection(_Section):
    advisor_number: int = Field(ge=1001, le=9_999_999, description="Beraternummer")
    client_number: int = Field(ge=1, le=99_999, description="Mandantennummer")
    skr: Skr = "03"
    account_length: int = Field(default=4, ge=4, le=8, description="Sachkontenlänge")
    fiscal_year_start: str = Field(
        default="01-01", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
    )
    name: str | None = None


class ProcoreSection(_Section):
    company_id: int = Field(ge=1)
    project_ids: list[int] = Field(default_factory=list)


class ProjectMapping(_Section):
    kost1: str
    kost2: str | None = None
    name: str | None = Field(default=None, description="short label used in Buchungstext")


class CostAccountRule(_Section):
    """``(cost code, cost type) → account``; ``*`` is a wildcard in either key."""

    cost_code: str = Field(min_length=1)
    cost_type: str = Field(min_length=1)
    account: int
    tax_rules: list[TaxRuleName] | None = Field(
        default=None,
        description="the tax rules lines of this code/type carry (checked against an automatic "
        "account before the worker runs); a line with another rule parks at run time",
    )


class VendorMapping(_Section):
    creditor: int | None = Field(default=None, description="pinned creditor number")
    reverse_charge: bool = Field(default=False, description="§ 13b applies to this vendor")
    exemption: Literal["unknown", "none", "certificate"] = Field(
        default="unknown", description="§ 48b Freistellungsbescheinigung status"
    )
    exemption_valid_until: date | None = None
    name: str | None = None


class CreditorSettings(_Section):
    start: int | None = Field(default=None, description="first number for new creditors")


class DocumentSettings(_Section):
    document_type: str = Field(default="Rechnungseingang", max_length=30)
    beleglink_wait_minutes: float = Field(
        default=15,
        ge=0,
        le=24 * 60,
        description="how long a record waits at seal for its PDF to reach DUO (then: no Beleglink)",
    )

    @property
    def beleglink_wait(self) -> timedelta:
        return timedelta(minutes=self.beleglink_wait_minutes)


class DeliverySettings(_Section):
    """Where sealed batches go: DATEV's extf-files API, DUO's accounts-payable ledger as a DXSO
    job with the invoice PDFs (``dxso``), or a directory the advisor imports from."""

    destination: Literal["extf", "dxso", "files"] = "extf"
    directory: str | None = Field(
        default=None, description="for destination 'files': where batches and PDFs are written"
    )

    @model_validator(mode="after")
    def _files_need_a_directory(self) -> DeliverySettings:
        if self.destination == "files" and not self.directory:
            raise ValueError("destination 'files' needs delivery.directory (where to write)")
        return self


class BookingSettings(_Section):
    # Procore's "approved as noted" is an approval (with remarks): bookable unless configured.
    requisition_statuses: list[str] = Field(
        default_factory=lambda: ["approved", "approved_as_noted"]
    )
    exchange_rates: dict[str, Decimal] = Field(
        default_factory=dict,
        description="EUR per 1 unit of a currency (e.g. USD = 0.92), used when a Procore "
        "record carries no exchange rate of its own",
    )
    direct_cost_statuses: list[str] = Field(default_factory=lambda: ["approved"])
    book_commitments: bool = False
    commitment_statuses: list[str] = Field(default_factory=lambda: ["approved"])
    retention_lines: bool = False
    retention_account: int | None = None
    withholding_lines: bool = False
    withholding_account: int | None = None
    withholding_exempt_letting: bool = Field(
        default=False,
        description="the client makes exclusively VAT-free letting supplies (§ 4 Nr. 12 UStG): "
        "§ 48 small-amount limit 15,000 EUR instead of 5,000 EUR",
    )
    reversal: Literal["generalumkehr", "opposite"] = "generalumkehr"
    total_tolerance: Decimal = Field(
        default=Decimal("0.01"),
        ge=0,
        le=Decimal("1.00"),
        description="largest difference to Procore's document total put on one line "
        "(noted in the audit trail); above it the record parks with both totals",
    )
    requisition_tax_rule: TaxRuleName | None = Field(
        default=None,
        description="tax rule for subcontractor invoices whose lines carry no Procore tax code "
        "(e.g. rc13b_19: § 13b Bauleistungen received by a construction company); "
        "default: default_tax_rule",
    )


class ScheduleSettings(_Section):
    cadence: str = Field(
        default="daily 18:00",
        description="immediate | every <N>m | every <N>h | daily HH:MM | manual",
    )
    review: bool = Field(
        default=False,
        description="sealed batches wait for the advisor's approval before they go to DATEV",
    )

    @field_validator("cadence")
    @classmethod
    def _valid_cadence(cls, value: str) -> str:
        parse_cadence(value)
        return value


class ContraAccounts(_Section):
    creditor_collective: int | None = Field(
        default=None, description="Verbindlichkeiten L+L (collective account, for reports)"
    )


class ClientMapping(_Section):
    """Everything the connector needs to book one DATEV client's Procore spend."""

    client: ClientSection
    procore: ProcoreSection
    projects: dict[int, ProjectMapping] = Field(default_factory=dict)
    cost_accounts: list[CostAccountRule] = Field(default_factory=list)
    cost_type_defaults: dict[str, int] = Field(default_factory=dict)
    tax_keys: dict[TaxRuleName, str | None] = Field(default_factory=lambda: dict(DEFAULT_BU_KEYS))
    default_tax_rule: TaxRuleName = "vst19"
    tax_codes: dict[str, TaxRuleName] = Field(default_factory=dict)
    construction_cost_types: list[str] | None = Field(
        default=None,
        description="Procore cost types that are construction services (Bauleistungen, "
        "§ 13b Abs. 2 Nr. 4 UStG); material and equipment rental are not. Unset: every cost "
        "type of a reverse_charge vendor counts",
    )
    vendors: dict[int, VendorMapping] = Field(default_factory=dict)
    creditors: CreditorSettings = Field(default_factory=CreditorSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    booking: BookingSettings = Field(default_factory=BookingSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    accounts: ContraAccounts = Field(default_factory=ContraAccounts)
    extra_accounts: list[Account] = Field(default_factory=list)

    @field_validator("tax_keys", mode="before")
    @classmethod
    def _merge_tax_keys(cls, value: object) -> object:
        # TOML has no null: "" means "no key". Unset rules keep the reference defaults.
        if isinstance(value, dict):
            merged: dict[str, object] = {str(k): v for k, v in DEFAULT_BU_KEYS.items()}
            merged.update({k: (v or None) for k, v in value.items()})
            return merged
        return value

    @property
    def client_id(self) -> str:
        """DATEV client id ``<advisor>-<client>`` (internal; not for display)."""
        return f"{self.client.advisor_number}-{self.client.client_number}"

    def fiscal_year_start(self, day: date) -> date:
        """First day of the fiscal year containing ``day``."""
        month, dom = (int(p) for p in self.client.fiscal_year_start.split("-"))
        start = date(day.year, month, dom)
        return start if day >= start else date(day.year - 1, month, dom)

    def is_construction(self, cost_type: str | None) -> bool:
        """True if § 13b may apply to a line of this cost type."""
        if self.construction_cost_types is None:
            return True
        return cost_type is not None and cost_type in self.construction_cost_types

    def vendor(self, vendor_id: int) -> VendorMapping:
        return self.vendors.get(vendor_id, VendorMapping())

    def tax_rule(self, name: str) -> TaxRule:
        return TAX_RULES[name]

    def cost_account(self, cost_code: str, cost_type: str) -> int | None:
        """The expense account for a (cost code, cost type), most specific rule first.

        Order: exact code > code pattern (longer literal first) > ``*``; within that, exact type
        before ``*``. ``cost_type_defaults`` rank like a ``("*", type)`` rule. Ties keep file order.
        """
        candidates: list[tuple[tuple[int, int, int, int], int]] = []
        for pos, rule in enumerate(self.cost_accounts):
            if _matches(rule.cost_code, cost_code) and _matches(rule.cost_type, cost_type):
                candidates.append((_rank(rule.cost_code, rule.cost_type, pos), rule.account))
        if cost_type in self.cost_type_defaults:
            rank = _rank("*", cost_type, len(self.cost_accounts))
            candidates.append((rank, self.cost_type_defaults[cost_type]))
        if not candidates:
            return None
        return min(candidates)[1]


def _matches(pattern: str, value: str) -> bool:
    if "*" not in pattern:
        return pattern == value
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, value) is not None


def _rank(code: str, ctype: str, pos: int) -> tuple[int, int, int, int]:
    code_spec = 0 if "*" not in code else (1 if code.replace("*", "") else 2)
    type_spec = 0 if "*" not in ctype else 1
    return (code_spec, type_spec, -len(code.replace("*", "")), pos)
