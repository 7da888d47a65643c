"""Reconciliation at net level: what Procore approved vs what DATEV holds, per cost centre.

Both sides are computed independently: the Procore side straight from the records' JSON, the
DATEV side from the booking rows DATEV accepted (Umsatz, S/H, BU key, Generalumkehr). Gross
Umsatz is turned back into net once per document and tax rate — exactly how the connector
rounded the tax — so the comparison holds to the cent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.booking import BookingLine
from domain.chart import Chart
from domain.mapping import ClientMapping
from domain.money import ZERO, spread_cents, to_cents
from domain.tax import TAX_RULES


def _d(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def procore_net(resource: str, record: Mapping[str, Any]) -> Decimal:
    """The net spend a Procore record books: direct-cost line amounts; a requisition's work
    this period plus stored materials (before retention)."""
    if resource == "direct_cost":
        return sum((_d(li.get("amount")) for li in record.get("line_items") or []), ZERO)
    if resource == "requisition":
        return sum(
            (
                _d(it.get("work_completed_this_period")) + _d(it.get("materials_presently_stored"))
                for it in record.get("items") or []
            ),
            ZERO,
        )
    return ZERO


def gross_rates(mapping: ClientMapping) -> dict[str, Decimal]:
    """BU key → VAT rate included in Umsatz (only input-VAT keys; others book net)."""
    rates: dict[str, Decimal] = {}
    for rule_name, key in mapping.tax_keys.items():
        rule = TAX_RULES[rule_name]
        if key and rule.umsatz_is_gross:
            rates[key] = rule.rate
    return rates


def datev_net_by_kost(
    rows: Iterable[Mapping[str, str]], mapping: ClientMapping, chart: Chart
) -> dict[str, Decimal]:
    """Net booked per KOST1 from DATEV booking rows (creditor side: H = expense, S = credit)."""
    rates = gross_rates(mapping)
    # retention and § 48 rows move part of the creditor to a liability: no expense
    skip = {
        str(a) for a in (mapping.booking.retention_account, mapping.booking.withholding_account)
    }
    groups: dict[tuple[str, str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row.get("gegenkonto") in skip:
            continue
        amount = _d(row["amount"])
        sign = Decimal(-1) if row["sh"] == "S" else Decimal(1)  # seen from the creditor
        if row.get("generalumkehr") in ("1", 1, True):
            sign = -sign
        rate = ZERO
        if row.get("bu"):
            rate = rates.get(str(row["bu"]).lstrip("0") or "0", rates.get(str(row["bu"]), ZERO))
        else:
            account = chart.account(int(row["gegenkonto"]))
            if account is not None and account.is_automatic and account.automatic_rate:
                rate = account.automatic_rate
        groups[(row.get("kost1", ""), row.get("belegfeld1", ""), rate)] += sign * amount
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (kost, _doc, rate), gross in groups.items():
        net = gross if rate == ZERO else to_cents(gross * 100 / (100 + rate))
        totals[kost] += net
    return dict(totals)


@dataclass
class ProjectLine:
    kost1: str
    label: str
    procore: Decimal = ZERO
    datev: Decimal = ZERO
    records: int = 0

    @property
    def difference(self) -> Decimal:
        return self.procore - self.datev


@dataclass
class Reconciliation:
    client_id: str
    projects: list[ProjectLine] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return sum((p.difference for p in self.projects), ZERO)

    @property
    def matches(self) -> bool:
        return all(p.difference == ZERO for p in self.projects)


def reconcile(
    mapping: ClientMapping,
    chart: Chart,
    approved: Iterable[tuple[int, str, Mapping[str, Any]]],
    datev_rows: Iterable[Mapping[str, str]],
) -> Reconciliation:
    """``approved``: (project id, resource, record JSON) of every record that should be booked."""
    lines: dict[str, ProjectLine] = {}
    for pid, pm in mapping.projects.items():
        lines[pm.kost1] = ProjectLine(kost1=pm.kost1, label=pm.name or str(pid))
    for project_id, resource, record in approved:
        found = mapping.projects.get(project_id)
        if found is None:
            continue
        line = lines[found.kost1]
        line.procore += procore_net(resource, record)
        line.records += 1
    for kost, net in datev_net_by_kost(datev_rows, mapping, chart).items():
        lines.setdefault(kost, ProjectLine(kost1=kost, label="(unknown cost centre)")).datev += net
    return Reconciliation(
        client_id=mapping.client_id, projects=sorted(lines.values(), key=lambda p: p.kost1)
    )


_GENERATION = re.compile(r"@g(\d+)(~storno)?$")


def line_rate(line: BookingLine, rates: Mapping[str, Decimal], chart: Chart) -> Decimal:
    """VAT rate included in the line's Umsatz (0 when it books net, e.g. § 13b)."""
    if line.bu_key:
        return rates.get(line.bu_key.lstrip("0") or "0", rates.get(line.bu_key, ZERO))
    account = chart.account(line.contra_account)
    if account is not None and account.is_automatic and account.automatic_rate:
        return account.automatic_rate
    return ZERO


def _plan_group(line: BookingLine) -> tuple[str, str]:
    """Lines priced together: the same plan generation of one record, reversal or not."""
    found = _GENERATION.search(line.line_id)
    generation = found.group(1) if found else "1"
    return generation, "storno" if line.line_id.endswith("~storno") else "line"


def line_nets(
    lines: Sequence[BookingLine], mapping: ClientMapping, chart: Chart
) -> list[tuple[Decimal, Decimal]]:
    """(net, tax) of each line as expense of its cost centre; 0 for retention/§ 48 lines.

    Seen from the creditor: H is expense, S a credit; Generalumkehr flips the sign. Gross
    Umsatz is turned back into net once per record, plan generation and rate — the way the
    connector rounded the tax — and spread over the lines to the cent.
    """
    rates = gross_rates(mapping)
    skip = {mapping.booking.retention_account, mapping.booking.withholding_account} - {None}
    groups: dict[tuple[str, str, str, Decimal], list[int]] = defaultdict(list)
    signed: list[Decimal] = []
    for i, line in enumerate(lines):
        sign = Decimal(1) if line.debit_credit == "H" else Decimal(-1)
        if line.generalumkehr:
            sign = -sign
        signed.append(sign * line.amount)
        if line.contra_account in skip:
            continue
        generation, kind = _plan_group(line)
        groups[(line.source_ref, generation, kind, line_rate(line, rates, chart))].append(i)
    out = [(ZERO, ZERO)] * len(lines)
    for (_ref, _generation, _kind, rate), members in groups.items():
        gross = sum((signed[i] for i in members), ZERO)
        net = gross if rate == ZERO else to_cents(gross * 100 / (100 + rate))
        parts = spread_cents(net, [signed[i] for i in members])
        for i, part in zip(members, parts, strict=True):
            out[i] = (part, signed[i] - part)
    return out
