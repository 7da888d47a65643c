"""Mapping checks of the parties a client books for: projects (cost centres), vendors
(creditor accounts) and the construction cost types § 13b reverse charge applies to."""

from __future__ import annotations

from domain.chart import Chart
from domain.mapping import KOST_PATTERN, ClientMapping
from domain.problems import Problem
from domain.tax import TAX_RULES


def check_reverse_charge(mapping: ClientMapping) -> list[Problem]:
    """§ 13b belongs to construction services: the mapping must say which cost types those are."""
    wanted = mapping.booking.requisition_tax_rule
    out: list[Problem] = []
    if mapping.construction_cost_types is None and (
        wanted and TAX_RULES[wanted].kind == "reverse_charge"
    ):
        out.append(
            Problem(
                path=("booking", "requisition_tax_rule"),
                message=f"{wanted} for every requisition would put material deliveries and "
                "equipment rental on § 13b too (only construction services are § 13b)",
                fix='list the construction cost types: construction_cost_types = ["S", "L"]',
            )
        )
    for ctype in mapping.construction_cost_types or []:
        if ctype in mapping.cost_type_defaults or any(
            r.cost_type == ctype for r in mapping.cost_accounts
        ):
            continue
        out.append(
            Problem(
                path=("construction_cost_types",),
                message=f"construction cost type {ctype!r} has no expense account",
                fix=f"add {ctype!r} to [cost_type_defaults] or remove it from the list",
            )
        )
    return out


def check_projects(mapping: ClientMapping) -> list[Problem]:
    out: list[Problem] = []
    for pid in mapping.procore.project_ids:
        if pid not in mapping.projects:
            out.append(
                Problem(
                    path=("procore", "project_ids"),
                    message=f"project {pid} feeds this client but has no cost centre",
                    fix=f'add [projects."{pid}"] with kost1 = "<cost centre>"',
                )
            )
    for pid, proj in mapping.projects.items():
        for field in ("kost1", "kost2"):
            value = getattr(proj, field)
            if value is not None and not KOST_PATTERN.fullmatch(value):
                out.append(
                    Problem(
                        path=("projects", str(pid), field),
                        message=f"{field} {value!r} must be 1–36 letters, digits, '_' or spaces",
                        fix="shorten or rename the cost centre (DATEV KOST limit: 36 characters)",
                    )
                )
        if pid not in mapping.procore.project_ids:
            out.append(
                Problem(
                    path=("projects", str(pid)),
                    message=f"project {pid} is mapped but not listed in procore.project_ids",
                    fix=f'add {pid} to procore.project_ids or remove the [projects."{pid}"] table',
                )
            )
    return out


def check_vendors(mapping: ClientMapping, chart: Chart) -> list[Problem]:
    out: list[Problem] = []
    low, high = chart.creditor_range
    owners: dict[int, int] = {}
    for vid, vend in mapping.vendors.items():
        path: tuple[str | int, ...] = ("vendors", str(vid))
        if vend.creditor is not None:
            if not low <= vend.creditor <= high:
                out.append(
                    Problem(
                        path=(*path, "creditor"),
                        message=f"creditor {vend.creditor} is outside the creditor range "
                        f"{low}–{high}",
                        fix=f"pick a number between {low} and {high}",
                    )
                )
            if vend.creditor in owners:
                out.append(
                    Problem(
                        path=(*path, "creditor"),
                        message=f"creditor {vend.creditor} is also pinned for vendor "
                        f"{owners[vend.creditor]}",
                        fix="give every vendor its own creditor number",
                    )
                )
            owners.setdefault(vend.creditor, vid)
        if vend.exemption == "certificate" and vend.exemption_valid_until is None:
            out.append(
                Problem(
                    path=(*path, "exemption_valid_until"),
                    message="a § 48b certificate needs its valid-until date",
                    fix="add exemption_valid_until = 2027-12-31 (the date on the certificate)",
                )
            )
    start = mapping.creditors.start
    if start is not None and not low <= start <= high:
        out.append(
            Problem(
                path=("creditors", "start"),
                message=f"creditors.start {start} is outside the creditor range {low}–{high}",
                fix=f"set creditors.start between {low} and {high}",
            )
        )
    return out
