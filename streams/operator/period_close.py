"""Closing and reopening a DATEV client's months (shared by the CLI, the status page, the demo)."""

from __future__ import annotations

from domain.periods import parse_period
from domain.periods.register import ClientPeriods, PeriodAlreadyInState
from streams.errors import ConnectorError
from streams.ledger.application import Ledger
from streams.ledger.rules import ClientRules
from streams.operator.close import reconciliation_report


def _period(text: str) -> str:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise ConnectorError(str(exc)) from None


def close_period(
    ledger: Ledger, rules: ClientRules, period: str, by: str, note: str = "", force: bool = False
) -> ClientPeriods:
    """Close a month. Refused while it is not reconciled to the cent, unless ``force``: lines
    still waiting for it would otherwise land in a closed month."""
    value = _period(period)
    if not force:
        report = reconciliation_report(ledger, rules, value)
        if not report.reconciled:
            shown = "\n".join(
                f"  {d.ref}: {d.label} ({d.amount:,.2f})" for d in report.differences[:20]
            )
            raise ConnectorError(
                f"{report.verdict}; period not closed.\n{shown}\n"
                "Resolve them (`ml-connector reconcile` shows causes) or close with --force: "
                "later changes are then booked in the next open month."
            )
    try:
        return ledger.close_period(rules.client_id, value, by=by, note=note)
    except PeriodAlreadyInState as exc:
        raise ConnectorError(str(exc)) from None


def open_period(
    ledger: Ledger, rules: ClientRules, period: str, by: str, note: str = ""
) -> ClientPeriods:
    """Reopen a closed month (new changes to its records are booked in it again)."""
    value = _period(period)
    try:
        return ledger.reopen_period(rules.client_id, value, by=by, note=note)
    except PeriodAlreadyInState as exc:
        raise ConnectorError(str(exc)) from None


def list_periods(ledger: Ledger, rules: ClientRules) -> ClientPeriods:
    return ledger.periods(rules.client_id)
