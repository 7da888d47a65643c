"""The mapping editor's actions: the page's view of one client, validated edits, pair replays."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.chart import Account
from domain.mapping import ClientMapping
from domain.problems import Problem
from domain.tax import TAX_RULES
from streams.errors import ConnectorError
from streams.ledger.application import Ledger
from streams.ledger.rules import BookingRules, ClientRules, load_rules
from streams.operator.actions import replay_record
from streams.operator.mapping import edit
from streams.operator.mapping.inventory import Inventory, PairRow, inventory
from streams.operator.mapping.suggest import Reason, Suggestion, suggest, suggest_tax_rule

EXEMPTIONS = ("unknown", "none", "certificate")


@dataclass
class EditorView:
    client: ClientRules
    inventory: Inventory
    suggestions: dict[tuple[str, str], list[Suggestion]]
    accounts: list[Account]  # bookable accounts of the declared chart, with names
    tax_rules: list[str]
    tax_suggestions: dict[str, tuple[str, Reason]]

    def shows(self, key: str) -> bool:
        """Whether the page has a row for a form key (``pair:…``, ``tax:…``, …)."""
        inv = self.inventory
        keys = {f"pair:{p.cost_code}:{p.cost_type}" for p in inv.pairs}
        keys |= {f"tax:{c.code}" for c in inv.tax_codes}
        keys |= {f"project:{p.project_id}" for p in inv.projects}
        keys |= {f"vendor:{v.vendor_id}" for v in inv.vendors} | {"schedule"}
        return key in keys

    def account_name(self, number: int | None) -> str:
        acc = self.client.chart.account(number) if number is not None else None
        return acc.name if acc else ""


def editor_view(ledger: Ledger, client: ClientRules) -> EditorView:
    inv = inventory(ledger, client.mapping)
    names = {v.vendor_id: v.name for v in inv.vendors}
    suggestions = {
        (p.cost_code, p.cost_type): suggest(
            p, client.mapping, client.chart, inv.booked_accounts, names
        )
        for p in inv.pairs
        if p.account is None
    }
    accounts = sorted(
        (a for a in client.chart.accounts.values() if a.kind in ("expense", "automatic")),
        key=lambda a: a.number,
    )
    tax_suggestions = {
        c.code: found
        for c in inv.tax_codes
        if c.rule is None and (found := suggest_tax_rule(c.code, c.description, c.rate))
    }
    return EditorView(client, inv, suggestions, accounts, sorted(TAX_RULES), tax_suggestions)


@dataclass(frozen=True)
class Saved:
    problems: list[Problem]
    backup: Path | None = None


class MappingEditor:
    """Applies one change to a client's mapping file and reloads the rules in force."""

    def __init__(self, rules: BookingRules, paths: list[Path]) -> None:
        self.rules = rules
        self.paths = paths

    def _apply(
        self,
        client_id: str,
        change: Callable[[str], str],
        landed: Callable[[ClientMapping], bool],
    ) -> Saved:
        client = self.rules.client(client_id)
        path = Path(client.source)
        try:
            new_text = change(path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:  # tomllib errors are ValueErrors
            return Saved([Problem(path=(), message=str(exc), fix="check the mapping file")])
        outcome = edit.save(path, new_text, landed)
        if outcome.problems:
            return Saved(outcome.problems)
        try:
            self.rules.reload(load_rules(self.paths))
        except ConnectorError as exc:  # another client's file is broken: say so, keep the rest
            fix = "fix the other mapping file; this change is saved and applies once all pass"
            return Saved([Problem(path=(), message=str(exc), fix=fix)], outcome.backup)
        return Saved([], outcome.backup)

    def map_pair(
        self,
        client_id: str,
        cost_code: str,
        cost_type: str,
        account: int,
        tax_rule: str | None = None,
    ) -> Saved:
        """``tax_rule``: the one rule this pair's lines carry (needed on automatic accounts)."""
        if tax_rule and tax_rule not in TAX_RULES:
            raise ConnectorError(f"{tax_rule!r} is not a tax rule ({', '.join(sorted(TAX_RULES))})")
        rules = [tax_rule] if tax_rule else None
        return self._apply(
            client_id,
            lambda text: edit.set_cost_account(text, cost_code, cost_type, account, rules),
            lambda m: any(
                r.cost_code == cost_code
                and r.cost_type == cost_type
                and r.account == account
                and (r.tax_rules or None) == rules
                for r in m.cost_accounts
            ),
        )

    def map_tax_code(self, client_id: str, code: str, rule: str) -> Saved:
        if rule not in TAX_RULES:
            raise ConnectorError(f"{rule!r} is not a tax rule ({', '.join(sorted(TAX_RULES))})")
        return self._apply(
            client_id,
            lambda text: edit.set_tax_code(text, code, rule),
            lambda m: m.tax_codes.get(code) == rule,
        )

    def set_project(self, client_id: str, project_id: int, kost1: str) -> Saved:
        return self._apply(
            client_id,
            lambda text: edit.set_project(text, project_id, kost1),
            lambda m: project_id in m.projects and m.projects[project_id].kost1 == kost1,
        )

    def set_schedule(self, client_id: str, cadence: str, review: bool) -> Saved:
        """Cadence and review before DATEV (sealed batches wait for approval)."""
        return self._apply(
            client_id,
            lambda text: edit.set_schedule(text, cadence, review),
            lambda m: m.schedule.cadence == cadence and m.schedule.review == review,
        )

    def set_vendor(
        self,
        client_id: str,
        vendor_id: int,
        reverse_charge: bool,
        exemption: str,
        valid_until: str | None,
    ) -> Saved:
        if exemption not in EXEMPTIONS:
            raise ConnectorError(f"§ 48b status {exemption!r} is not one of {EXEMPTIONS}")
        if valid_until:
            date.fromisoformat(valid_until)  # ValueError: shown to the user

        def landed(m: ClientMapping) -> bool:
            v = m.vendor(vendor_id)
            return v.reverse_charge == reverse_charge and v.exemption == exemption

        return self._apply(
            client_id,
            lambda text: edit.set_vendor(text, vendor_id, reverse_charge, exemption, valid_until),
            landed,
        )


def parked_for(ledger: Ledger, client: ClientRules, field: str) -> list[str]:
    """Keys of the client's records parked on ``field`` (a pair's or a tax code's)."""
    from streams.operator.actions import parked

    return sorted(
        d.key
        for d in parked(ledger)
        if d.client_id == client.client_id and d.decision == "parked" and field in (d.reason or "")
    )


def replay_parked(ledger: Ledger, client: ClientRules, field: str, by: str) -> dict[str, str]:
    """Replay every record parked on ``field``; returns each record's decision now."""
    return {
        key: replay_record(ledger, key, by).decision for key in parked_for(ledger, client, field)
    }


def pair_field(cost_code: str, cost_type: str) -> str:
    return PairRow(cost_code, cost_type, None, None, None, None).field
