"""Which Procore companies and projects the configuration names (settings and every mapping)."""

from __future__ import annotations

from streams.config.settings import Settings
from streams.ledger.rules import BookingRules


def procore_companies(settings: Settings, rules: BookingRules | None) -> dict[int, set[int]]:
    """Company id → project ids named by settings and the mappings."""
    found: dict[int, set[int]] = {c: set() for c in settings.procore.company_ids}
    for client in rules.clients.values() if rules else ():
        projects = found.setdefault(client.mapping.procore.company_id, set())
        projects.update(client.mapping.procore.project_ids, client.mapping.projects)
    return found
