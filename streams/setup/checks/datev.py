"""DATEV: the tax advisor's login (refresh works, expiry) and every mapped client's access."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from adapters.datev.client import DatevClient, DatevClientInfo
from adapters.datev.errors import DatevError, DatevForbidden, DatevLoginExpired
from adapters.datev.login_state import read_login_state
from adapters.datev.tokens import DatevNotConfigured
from adapters.vault import Vault
from domain.mapping import ClientMapping
from streams.ledger.rules import BookingRules
from streams.setup.checks.base import Check, DoctorContext, fail, ok, warn
from streams.stages.datev_gateway import DatevGateway

ORDER = 40
EXPIRY_WARNING_DAYS = 30


async def run(ctx: DoctorContext) -> list[Check]:
    settings, vault, rules, timeout_s = ctx.settings, ctx.vault, ctx.rules, ctx.timeout_s
    name = "datev login"
    if vault is None:
        return [fail(name, "no vault", "configure the vault first (see the vault line)")]
    recorded = read_login_state(vault.path.parent)
    if recorded is not None:
        # The worker found the login rejected; a doctor refresh would only fail the same way.
        fix = (
            "`ml-connector datev login`"
            if recorded.problem == "login"
            else ("`ml-connector datev credentials`")
        )
        return [fail(name, recorded.describe(), f"fix it, then the worker resumes: {fix}")]
    async with httpx.AsyncClient(timeout=min(timeout_s, settings.datev.timeout_s)) as http:
        gateway = DatevGateway(settings.datev, vault, http)
        try:
            # A refresh rotates the refresh token; the token service stores the new one first.
            async with gateway.session() as api:
                checks = [_login_check(vault)]
                if rules is not None:
                    checks += await _check_clients(api, rules)
                return checks
        except DatevNotConfigured as exc:
            return [fail(name, str(exc), "run `ml-connector datev credentials`")]
        except DatevLoginExpired as exc:
            return [
                fail(
                    name,
                    f"refresh failed: {exc}",
                    "the tax advisor logs in again: `ml-connector datev login`",
                )
            ]
        except (DatevError, httpx.HTTPError) as exc:
            return [fail(name, f"{type(exc).__name__}: {exc}", "check the datev.* URLs")]


def _login_check(vault: Vault) -> Check:
    token = vault.read().datev_refresh
    name = "datev login"
    if token is None or token.expires_at is None:
        return ok(name, "refresh works; expiry unknown")
    days = (token.expires_at - datetime.now(UTC)).days
    detail = f"refresh works; login valid until {token.expires_at:%Y-%m-%d} ({days} days)"
    if days < EXPIRY_WARNING_DAYS:
        return warn(name, detail, "log in again soon: `ml-connector datev login`")
    return ok(name, detail)


async def _check_clients(api: DatevClient, rules: BookingRules) -> list[Check]:
    visible = {c.id: c for c in await api.list_clients()}
    checks: list[Check] = []
    for client_id, client in sorted(rules.clients.items()):
        name = f"datev client {client_id}"
        info = visible.get(client_id)
        if info is None:
            checks.append(
                fail(
                    name,
                    f"the login does not see advisor {client.mapping.client.advisor_number} / "
                    f"client {client.mapping.client.client_number} "
                    f"(it sees: {', '.join(sorted(visible)) or 'none'})",
                    "check the advisor and client numbers in the mapping, and the user's "
                    "rights for this client in DATEV's Rechteverwaltung",
                )
            )
            continue
        wanted = client.mapping.documents.document_type
        try:
            types = {t.name for t in await api.document_types(client_id)}
        except DatevForbidden as exc:
            checks.append(
                fail(name, f"documents not permitted: {exc}", "order DATEV Belegbilderservice")
            )
            continue
        if wanted not in types:
            checks.append(
                fail(
                    name,
                    f"document type {wanted!r} unknown to DATEV Unternehmen online "
                    f"(known: {', '.join(sorted(types))})",
                    "set documents.document_type in the mapping to one of the known types",
                )
            )
            continue
        problems = await _client_setup_problems(api, client_id, info, client.mapping)
        if problems:
            details, fixes = zip(*problems, strict=True)
            checks.append(fail(name, "; ".join(details), "; ".join(fixes)))
            continue
        checks.append(
            ok(
                name,
                f"{info.name or client_id}: accessible, {_services(client.mapping)}, account "
                f"length {client.mapping.client.account_length}, document type {wanted!r}",
            )
        )
    return checks


# DATEV services a client needs per delivery destination (mapping [delivery] destination).
SERVICES = {
    "extf": (
        ("Buchungsdatenservice", "EXTF booking batches"),
        ("Belegbilderservice", "invoice PDFs in DATEV Unternehmen online"),
    ),
    "dxso": (("Rechnungsdatenservice 1.0", "DXSO jobs into the accounts-payable ledger"),),
    "files": (),  # imported by hand: no data service needed
}


def _services(mapping: ClientMapping) -> str:
    names = [name for name, _ in SERVICES[mapping.delivery.destination]]
    return " and ".join(names) + " booked" if names else "no data service needed (files)"


async def _client_setup_problems(
    api: DatevClient, client_id: str, info: DatevClientInfo, mapping: ClientMapping
) -> list[tuple[str, str]]:
    """What DATEV's Schnittstellenvorgaben ask for before any upload, as (detail, fix) pairs."""
    found: list[tuple[str, str]] = []
    for service, why in SERVICES[mapping.delivery.destination]:
        if not info.has_service(service):
            found.append(
                (
                    f"the client has no {service} (needed for {why})",
                    f"the tax advisor books {service} for this client in DATEV",
                )
            )
    basics = await api.get_client(client_id)
    if mapping.delivery.destination == "dxso" and any(
        (b.get("ledgers") or {}).get("is_accounts_payable_ledger_available") is False
        for b in basics.get("basic_accounting_information") or []
    ):
        found.append(
            (
                "DUO's accounts-payable ledger is not available for this client (destination dxso)",
                "the tax advisor enables the Kreditorenbuch in DATEV Unternehmen online",
            )
        )
    if basics.get("is_document_management_available") is False:
        found.append(
            (
                "document management (Belege online) is not available for this client",
                "the tax advisor enables DATEV Unternehmen online Belege for the client",
            )
        )
    lengths = {
        int(b["account_length"])
        for b in basics.get("basic_accounting_information") or []
        if b.get("account_length") is not None
    }
    wanted = mapping.client.account_length
    if lengths and wanted not in lengths:
        found.append(
            (
                f"account length in DATEV is {', '.join(map(str, sorted(lengths)))}, "
                f"the mapping says {wanted}",
                "set client.account_length in the mapping to DATEV's Sachkontenlänge",
            )
        )
    return found
