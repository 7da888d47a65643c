"""Validate a client mapping against its declared chart, reporting every problem at once."""

from __future__ import annotations

from domain.chart import Chart
from domain.mapping import KOST_PATTERN, ClientMapping
from domain.problems import Problem
from domain.tax import DEFAULT_BU_KEYS, TAX_RULES, TaxPlacementError, bu_key_for

_BOOKABLE = ("expense", "automatic")


def check_mapping(mapping: ClientMapping, chart: Chart) -> list[Problem]:
    """Every problem in ``mapping`` with its key path, message and a suggested fix."""
    problems: list[Problem] = []
    add = problems.append
    if chart.skr != mapping.client.skr or chart.account_length != mapping.client.account_length:
        add(
            Problem(
                path=("client", "skr"),
                message=f"mapping is SKR{mapping.client.skr} length "
                f"{mapping.client.account_length}, chart is SKR{chart.skr} length "
                f"{chart.account_length}",
                fix="check against the chart of the same SKR and account length",
            )
        )
    problems += _check_accounts(mapping, chart)
    problems += _check_tax(mapping, chart)
    problems += _check_projects(mapping)
    problems += _check_vendors(mapping, chart)
    problems += _check_booking(mapping, chart)
    return problems


def _account_problem(
    path: tuple[str | int, ...], number: int, chart: Chart, kinds: tuple[str, ...]
) -> Problem | None:
    acc = chart.account(number)
    if acc is None:
        limit = 10**chart.account_length
        hint = (
            f"accounts have at most {chart.account_length} digits"
            if number >= limit
            else "declare it under [[extra_accounts]] or pick a declared account"
        )
        return Problem(
            path=path, message=f"account {number} is not in the declared chart", fix=hint
        )
    if acc.kind not in kinds:
        return Problem(
            path=path,
            message=f"account {number} ({acc.name}) is a {acc.kind} account",
            fix=f"use an account of kind {' or '.join(kinds)}",
        )
    return None


def _check_accounts(mapping: ClientMapping, chart: Chart) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for i, rule in enumerate(mapping.cost_accounts):
        path: tuple[str | int, ...] = ("cost_accounts", i)
        if p := _account_problem((*path, "account"), rule.account, chart, _BOOKABLE):
            out.append(p)
        key = (rule.cost_code, rule.cost_type)
        if key in seen:
            out.append(
                Problem(
                    path=path,
                    message=f"duplicate rule for cost code {key[0]!r} / cost type {key[1]!r} "
                    f"(first in cost_accounts[{seen[key]}])",
                    fix="remove one of the two rules",
                )
            )
        seen.setdefault(key, i)
    for ctype, number in mapping.cost_type_defaults.items():
        if p := _account_problem(("cost_type_defaults", ctype), number, chart, _BOOKABLE):
            out.append(p)
    for i, acc in enumerate(mapping.extra_accounts):
        if acc.number >= 10**chart.account_length:
            out.append(
                Problem(
                    path=("extra_accounts", i, "number"),
                    message=f"account {acc.number} is longer than the account length "
                    f"{chart.account_length}",
                    fix="write G/L accounts with the client's Sachkontenlänge",
                )
            )
        if acc.kind == "automatic" and (acc.automatic_tax is None or acc.automatic_rate is None):
            out.append(
                Problem(
                    path=("extra_accounts", i),
                    message=f"automatic account {acc.number} needs automatic_tax and "
                    "automatic_rate",
                    fix='add automatic_tax = "input_vat" and automatic_rate = 19 (for example)',
                )
            )
    if mapping.accounts.creditor_collective is not None and (
        p := _account_problem(
            ("accounts", "creditor_collective"),
            mapping.accounts.creditor_collective,
            chart,
            ("creditor_collective",),
        )
    ):
        out.append(p)
    return out


def _check_tax(mapping: ClientMapping, chart: Chart) -> list[Problem]:
    out: list[Problem] = []
    for name, key in mapping.tax_keys.items():
        rule = TAX_RULES[name]
        default = DEFAULT_BU_KEYS[name]
        if key is None:
            if rule.kind != "tax_free":
                out.append(
                    Problem(
                        path=("tax_keys", name),
                        message=f"tax rule {name} has no BU key",
                        fix=f'set tax_keys.{name} = "{default}"',
                    )
                )
            continue
        declared = chart.bu_keys.get(key)
        if declared is None:
            out.append(
                Problem(
                    path=("tax_keys", name),
                    message=f"BU key {key!r} is not in the declared key table",
                    fix=f'use tax_keys.{name} = "{default}"' if default else "remove the key",
                )
            )
        elif declared.tax_kind != rule.kind or declared.rate != rule.rate:
            out.append(
                Problem(
                    path=("tax_keys", name),
                    message=f"BU key {key} means {declared.meaning}, not {rule.kind} {rule.rate} %",
                    fix=f'use tax_keys.{name} = "{default}"' if default else "remove the key",
                )
            )
    # Each cost account must be able to carry the rules that will reach it (rules whose key is
    # already reported above are skipped, so one bad key is one problem, not one per account).
    bad = {p.path[1] for p in out}
    rules = {mapping.default_tax_rule, *mapping.tax_codes.values()}
    if any(v.reverse_charge for v in mapping.vendors.values()):
        rules.add("rc13b_19")
    targets: list[tuple[tuple[str | int, ...], int]] = [
        (("cost_accounts", i, "account"), r.account) for i, r in enumerate(mapping.cost_accounts)
    ]
    targets += [(("cost_type_defaults", t), a) for t, a in mapping.cost_type_defaults.items()]
    for path, number in targets:
        acc = chart.account(number)
        if acc is None or acc.kind != "expense":
            continue  # automatic accounts are checked per line; missing ones reported above
        for name in sorted(rules - bad):
            try:
                bu_key_for(TAX_RULES[name], acc, mapping.tax_keys, chart)
            except TaxPlacementError as exc:
                out.append(Problem(path=path, message=exc.reason, fix=exc.fix))
    return out


def _check_projects(mapping: ClientMapping) -> list[Problem]:
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


def _check_vendors(mapping: ClientMapping, chart: Chart) -> list[Problem]:
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


def _check_booking(mapping: ClientMapping, chart: Chart) -> list[Problem]:
    out: list[Problem] = []
    b = mapping.booking
    for flag, field, what in (
        (b.retention_lines, "retention_account", "Sicherheitseinbehalt"),
        (b.withholding_lines, "withholding_account", "Bauabzugsteuer (§ 48 EStG)"),
    ):
        number = getattr(b, field)
        if flag and number is None:
            out.append(
                Problem(
                    path=("booking", field),
                    message=f"{what} lines are switched on but no account is set",
                    fix=f"set booking.{field} = <liability account> or switch the lines off",
                )
            )
        elif number is not None and (
            p := _account_problem(("booking", field), number, chart, ("liability", "other"))
        ):
            out.append(p)
    return out
