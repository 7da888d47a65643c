"""The mapping files load and are valid against their declared charts."""

from __future__ import annotations

from streams.errors import ConnectorError
from streams.ledger.rules import BookingRules, load_rules
from streams.setup.checks.base import Check, DoctorContext, fail, ok, warn

ORDER = 20


def check_mapping(ctx: DoctorContext) -> tuple[Check, BookingRules | None]:
    name = "mapping"
    settings = ctx.settings
    if not settings.mappings:
        return (
            warn(
                name,
                "no mapping files configured: records are stored, not booked",
                "set `mappings` (MLC_MAPPINGS) to your mapping TOML files",
            ),
            None,
        )
    try:
        rules = load_rules(settings.mappings)
    except ConnectorError as exc:
        return fail(name, str(exc), "edit the mapping, then `ml-connector mapping check`"), None
    clients = ", ".join(
        f"{c.client_id} ({len(c.mapping.cost_accounts)} cost rules, cadence {c.cadence.describe()})"
        for c in rules.clients.values()
    )
    return ok(name, f"valid against the declared charts: {clients}"), rules


async def run(ctx: DoctorContext) -> list[Check]:
    check, ctx.rules = check_mapping(ctx)
    return [check]
