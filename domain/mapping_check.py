"""Validate a client mapping against its declared chart, reporting every problem at once."""

from __future__ import annotations

from domain.chart import Chart
from domain.mapping import ClientMapping
from domain.mapping_parties import check_projects, check_reverse_charge, check_vendors
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
    problems += check_reverse_charge(mapping)
    problems += _check_automatic(mapping, chart)
    problems += check_projects(mapping)
    problems += check_vendors(mapping, chart)
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


def _reaching_rules(mapping: ClientMapping, cost_type: str) -> set[str]:
    """Tax rules a line of ``cost_type`` can carry under this mapping."""
    rules: set[str] = {mapping.default_tax_rule, *mapping.tax_codes.values()}
    construction = mapping.is_construction(cost_type) or cost_type == "*"
    wanted = mapping.booking.requisition_tax_rule
    if wanted and (TAX_RULES[wanted].kind != "reverse_charge" or construction):
        rules.add(wanted)
    if construction and any(v.reverse_charge for v in mapping.vendors.values()):
        rules.add("rc13b_19")
    if not construction:
        rules = {r for r in rules if TAX_RULES[r].kind != "reverse_charge"}
    return rules


def _check_automatic(mapping: ClientMapping, chart: Chart) -> list[Problem]:
    """Every cost rule on an automatic account whose lines can carry another tax."""
    out: list[Problem] = []
    targets: list[tuple[tuple[str | int, ...], str, int, list[str] | None]] = [
        (("cost_accounts", i, "account"), r.cost_type, r.account, list(r.tax_rules or []) or None)
        for i, r in enumerate(mapping.cost_accounts)
    ]
    targets += [
        (("cost_type_defaults", t), t, a, None) for t, a in mapping.cost_type_defaults.items()
    ]
    for path, ctype, number, declared in targets:
        acc = chart.account(number)
        if acc is None or acc.kind != "automatic":
            continue
        rules = set(declared) if declared is not None else _reaching_rules(mapping, ctype)
        for name in sorted(rules):
            try:
                bu_key_for(TAX_RULES[name], acc, mapping.tax_keys, chart)
            except TaxPlacementError as exc:
                out.append(
                    Problem(
                        path=path,
                        message=f"cost type {ctype!r} can carry tax rule {name}: {exc.reason}",
                        fix=f"{exc.fix}; or, if lines here only ever carry "
                        f"{acc.automatic_tax} {acc.automatic_rate} %, declare it with "
                        "tax_rules = [...] on the rule",
                    )
                )
        if acc.automatic_tax == "reverse_charge" and not mapping.is_construction(ctype):
            out.append(
                Problem(
                    path=path,
                    message=f"§ 13b account {number} on cost type {ctype!r}, which is not a "
                    "construction service (construction_cost_types)",
                    fix="map material and equipment rental to an input-VAT account, or add the "
                    "cost type to construction_cost_types if it is a Bauleistung",
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
