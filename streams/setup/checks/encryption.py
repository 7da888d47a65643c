"""Event payloads (vendor names, IBANs, amounts) encrypted at rest in a shared database."""

from __future__ import annotations

from streams.setup.checks.base import Check, DoctorContext, ok, warn

ORDER = 62


async def run(ctx: DoctorContext) -> list[Check]:
    settings = ctx.settings
    if not settings.uses_postgres:
        return []  # SQLite: one 0600 file in a 0700 directory (the data-directory line)
    name = "event store encryption"
    if settings.vault.encrypt_event_store:
        return [ok(name, "payloads encrypted with a key derived from the vault key")]
    return [
        warn(
            name,
            "event payloads are stored in PostgreSQL in clear text (vendor names, IBANs)",
            "set vault.encrypt_event_store = true (MLC_VAULT__ENCRYPT_EVENT_STORE=true) for a new "
            "event store; events already stored are not re-encrypted, so switching an existing "
            "store needs a fresh one (see docs/operations.md, backup and restore)",
        )
    ]
