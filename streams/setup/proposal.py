"""A proposed mapping file for one DATEV client, from what Procore shows (demo and ``init``).

It maps every project to a KOST1, every cost type to an SKR03 or SKR04 expense account and
Procore's tax codes to tax rules — a starting point for the user (and the tax advisor) to edit
and check with ``ml-connector mapping check``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

# SKR03 defaults per Procore cost type code: subcontractor/labour/services → Fremdleistungen,
# materials → Wareneingang, equipment → Mieten für Einrichtungen (declared as an extra account).
SKR03_COST_TYPES = {"S": 3100, "L": 3100, "P": 3100, "O": 3100, "X": 3100, "M": 3200, "E": 4960}
SKR03_EXTRA_ACCOUNTS = ((4960, "Mieten für Einrichtungen (Geräte)"),)
# The same choices in SKR04: Fremdleistungen 5900, Wareneingang 5200, Mieten für Einrichtungen 6835.
SKR04_COST_TYPES = {"S": 5900, "L": 5900, "P": 5900, "O": 5900, "X": 5900, "M": 5200, "E": 6835}
SKR04_EXTRA_ACCOUNTS = ((6835, "Mieten für Einrichtungen (Geräte)"),)
CHARTS: dict[str, tuple[dict[str, int], int, tuple[tuple[int, str], ...]]] = {
    "03": (SKR03_COST_TYPES, 3100, SKR03_EXTRA_ACCOUNTS),
    "04": (SKR04_COST_TYPES, 5900, SKR04_EXTRA_ACCOUNTS),
}
# Construction services (Bauleistungen, § 13b Abs. 2 Nr. 4 UStG) among Procore's cost types:
# subcontract work and labour. Materials (M) and equipment rental (E) are not.
CONSTRUCTION_COST_TYPES = ("S", "L")
TAX_CODE_RULES = {"vst19": "vst19", "vst7": "vst7", "13b": "rc13b_19", "vst0": "tax_free"}
_KOST_UNSAFE = re.compile(r"[^A-Za-z0-9_ ]")


@dataclass(frozen=True)
class ProposalInput:
    advisor_number: int
    client_number: int
    client_name: str
    company_id: int
    projects: Sequence[tuple[int, str]]  # (id, name)
    cost_type_codes: Iterable[str]
    tax_codes: Iterable[str]
    reverse_charge_vendors: Iterable[tuple[int, str]] = ()
    vendors: Iterable[tuple[int, str]] = ()  # (id, name): pinned creditor numbers (ADR 008)
    cadence: str = "daily 18:00"
    creditor_start: int = 70100
    skr: Literal["03", "04"] = "03"
    document_type: str = "Rechnungseingang"
    cost_codes: Iterable[str] = ()  # full codes seen in Procore, listed as a hint


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def propose_mapping(p: ProposalInput) -> str:
    """TOML text of a mapping that ``mapping check`` accepts against the chosen SKR chart."""
    cost_types, fallback, extra_accounts = CHARTS[p.skr]
    codes_seen = list(p.cost_type_codes)
    construction = sorted({c for c in codes_seen if c.upper() in CONSTRUCTION_COST_TYPES})
    out = [
        "# Proposed by ml-connector from Procore data. Review with your tax advisor, then run",
        "#   ml-connector mapping check --mapping <this file>",
        "",
        "# Cost types that are construction services: § 13b applies only to these (for vendors",
        "# marked reverse_charge and for Procore's 13b tax code), never to materials or rental.",
        f"construction_cost_types = [{', '.join(_q(c) for c in construction)}]",
        "",
        "[client]",
        f"advisor_number = {p.advisor_number}",
        f"client_number = {p.client_number}",
        f"skr = {_q(p.skr)}",
        "account_length = 4",
        'fiscal_year_start = "01-01"',
        f"name = {_q(p.client_name)}",
        "",
        "[procore]",
        f"company_id = {p.company_id}",
        f"project_ids = [{', '.join(str(pid) for pid, _ in p.projects)}]",
        "",
        "[schedule]",
        f"cadence = {_q(p.cadence)}",
        "",
    ]
    for pid, name in p.projects:
        out += [f'[projects."{pid}"]', f"kost1 = {_q(str(pid))}", f"name = {_q(name[:40])}", ""]
    codes = sorted(set(p.cost_codes))
    if codes:
        out.append("# Procore cost codes seen; add [[cost_accounts]] rules for codes that need")
        out.append("# another account than their cost type's default below:")
        out += [f"#   {', '.join(codes[i : i + 8])}" for i in range(0, len(codes), 8)]
        out.append("")
    out.append("[cost_type_defaults]")
    for code in sorted(set(codes_seen)):
        account = cost_types.get(code.upper(), fallback)
        out.append(f"{_q(code)} = {account}")
    out.append("")
    out.append("[tax_codes]")
    for code in sorted(set(p.tax_codes)):
        rule = TAX_CODE_RULES.get(code.lower())
        if rule:
            out.append(f"{_q(code)} = {_q(rule)}")
    out.append("")
    out += _vendor_tables(p)
    start = p.creditor_start + len(dict(p.vendors))
    out += ["[creditors]", f"start = {start}  # first number for vendors added later", ""]
    out += ["[documents]", f"document_type = {_q(p.document_type)}", ""]
    # No client-wide § 13b rule: each line books with its Procore tax code; § 13b suppliers
    # are marked per vendor, and only their construction cost types book § 13b.
    for number, name in extra_accounts:
        out += [
            "[[extra_accounts]]",
            f"number = {number}",
            f"name = {_q(name)}",
            'kind = "expense"',
            'bu_keys = ["9", "8", "94", "91"]',
            "",
        ]
    return "\n".join(out)


def _vendor_tables(p: ProposalInput) -> list[str]:
    """One table per vendor: creditor numbers pinned in ascending Procore vendor id order from
    ``creditor_start``, so every install (restore, second environment, re-install) numbers the
    same vendors the same way; § 13b suppliers marked."""
    reverse = dict(p.reverse_charge_vendors)
    names = {**dict(p.vendors), **reverse}
    out: list[str] = []
    pinned = {vid: p.creditor_start + i for i, vid in enumerate(sorted(dict(p.vendors)))}
    for vid in sorted(names):
        out += [f'[vendors."{vid}"]', f"name = {_q(names[vid][:50])}"]
        if vid in pinned:
            out.append(f"creditor = {pinned[vid]}")
        if vid in reverse:
            out.append("reverse_charge = true")
        out.append("")
    if pinned:
        out.insert(0, "# Creditor numbers pinned by Procore vendor id: the same on every install.")
    return out
