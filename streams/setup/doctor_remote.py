"""Doctor checks that talk to Procore and DATEV (real hosts or emulators: URLs are settings)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import httpx

from adapters.datev.client import DatevClient
from adapters.datev.errors import DatevError, DatevForbidden, DatevLoginExpired
from adapters.datev.tokens import DatevNotConfigured
from adapters.procore.client import COMMITMENT_PATHS, ProcoreClient
from adapters.procore.errors import ProcoreAuthError, ProcoreError, ProcorePermissionError
from adapters.procore.hooks import COMPANY_RESOURCES, EVENT_TYPES, PROJECT_RESOURCES, list_hooks
from adapters.procore.hooks import list_triggers as hook_triggers
from adapters.vault import Vault
from streams.bootstrap import build_procore
from streams.config.settings import Settings
from streams.errors import ConnectorError
from streams.ledger.rules import BookingRules
from streams.setup.doctor import Check, fail, ok, warn
from streams.stages.datev_gateway import DatevGateway

EXPIRY_WARNING_DAYS = 30
HEADROOM_WARNING = 0.2

# Tool name (as shown in Procore's permission screen) → a cheap read on a project.
PROJECT_TOOLS: dict[str, str] = {
    "Invoicing (requisitions)": "/rest/v1.1/requisitions",
    "Direct Costs": "/rest/v1.1/projects/{project}/direct_costs",
    "Commitments (purchase orders)": COMMITMENT_PATHS["purchase_order_contract"],
    "Commitments (work orders)": COMMITMENT_PATHS["work_order_contract"],
}


def _companies(settings: Settings, rules: BookingRules | None) -> dict[int, set[int]]:
    """Company id → project ids the configuration names (settings and every mapping)."""
    found: dict[int, set[int]] = {c: set() for c in settings.procore.company_ids}
    for client in rules.clients.values() if rules else ():
        projects = found.setdefault(client.mapping.procore.company_id, set())
        projects.update(client.mapping.procore.project_ids, client.mapping.projects)
    return found


async def procore_checks(
    settings: Settings, vault: Vault | None, rules: BookingRules | None, timeout_s: float
) -> list[Check]:
    if vault is None or vault.read().procore is None:
        return [
            fail(
                "procore token",
                "no Procore service-account credentials in the vault",
                "store them with `ml-connector vault procore-credentials`",
            )
        ]
    client = build_procore(settings, vault)
    assert client is not None
    async with client:
        try:
            await asyncio.wait_for(client.tokens.token(), timeout_s)
        except ProcoreAuthError as exc:
            return [
                fail(
                    "procore token",
                    f"Procore refused the service-account credentials: {exc.procore_message}",
                    "check client id/secret of the DMSA (Developer Portal → your app → "
                    "Service Account) and store them again with "
                    "`ml-connector vault procore-credentials`",
                )
            ]
        except (ProcoreError, TimeoutError) as exc:
            return [
                fail(
                    "procore token",
                    f"no token from {settings.procore.auth_url}: {exc or 'timeout'}",
                    "check procore.auth_url and the network path to Procore",
                )
            ]
        checks = [ok("procore token", f"obtained from {settings.procore.auth_url}")]
        companies = _companies(settings, rules)
        if not companies:
            checks.append(
                warn(
                    "procore companies",
                    "no company configured",
                    "set procore.company_ids or add a mapping file",
                )
            )
        for company, projects in sorted(companies.items()):
            checks.append(await _check_company(client, company, projects))
        checks.append(_headroom(client))
        checks += await _check_webhooks(client, settings, sorted(companies))
    return checks


async def _check_company(client: ProcoreClient, company: int, projects: set[int]) -> Check:
    name = f"procore company {company}"
    try:
        await client.get_json(
            "/rest/v1.0/vendors", company_id=company, params={"company_id": company, "per_page": 1}
        )
        visible = {p.id async for p in client.list_projects(company)}
    except ProcorePermissionError as exc:
        return fail(
            name,
            f"tool Directory (vendors) not permitted for the service account: "
            f"{exc.procore_message}",
            "Company Admin → Directory: give the DMSA read permission; check the app is "
            "installed for this company",
        )
    except ProcoreError as exc:
        return fail(name, str(exc), "check procore.company_ids and the app installation")
    unseen = sorted(projects - visible)
    if unseen:
        return fail(
            name,
            f"projects {', '.join(map(str, unseen))} are not visible to the service account",
            "Company Admin → App Management → add them to the app's permitted projects",
        )
    for project in sorted(projects):
        for tool, path in PROJECT_TOOLS.items():
            try:
                await client.get_json(
                    path.format(project=project),
                    company_id=company,
                    params={"project_id": project, "per_page": 1},
                )
            except ProcorePermissionError:
                return fail(
                    name,
                    f"tool {tool} not permitted for the service account in project {project}",
                    f"configuration problem: in project {project}, give the DMSA read access "
                    f"to {tool} (Project Admin → Directory → permissions)",
                )
            except ProcoreError as exc:
                return fail(name, f"project {project}, tool {tool}: {exc}", "see the message")
    return ok(name, f"reachable; {len(projects)} mapped project(s) readable in every tool")


def _headroom(client: ProcoreClient) -> Check:
    info = client.throttle.info
    name = "procore rate limit"
    if info is None:
        return ok(name, "no rate-limit headers seen (emulator or unlimited)")
    share = info.remaining / info.limit if info.limit else 1.0
    detail = f"{info.remaining}/{info.limit} requests left in the current window"
    if info.remaining <= 0:
        return fail(name, detail, "another app shares this token's budget; wait for the reset")
    if share < HEADROOM_WARNING:
        return warn(name, detail, "reduce polling frequency or ask Procore for a higher limit")
    return ok(name, detail)


async def _check_webhooks(
    client: ProcoreClient, settings: Settings, companies: list[int]
) -> list[Check]:
    url = settings.procore.webhook_url
    if url is None:
        return [
            warn(
                "procore webhooks",
                "procore.webhook_url is not set: changes arrive by polling only",
                "set procore.webhook_url to the public …/webhooks/procore URL, then "
                "`ml-connector doctor --register-webhooks`",
            )
        ]
    checks: list[Check] = []
    wanted = {(r, e) for r in COMPANY_RESOURCES + PROJECT_RESOURCES for e in EVENT_TYPES}
    for company in companies:
        name = f"procore webhooks {company}"
        try:
            hooks = [h for h in await list_hooks(client, company) if h["destination_url"] == url]
            if not hooks:
                checks.append(
                    fail(
                        name,
                        f"no webhook delivers to {url}",
                        "run `ml-connector doctor --register-webhooks`",
                    )
                )
                continue
            have = {
                (t.get("resource_name"), t.get("event_type"))
                for t in await hook_triggers(client, company, int(hooks[0]["id"]))
            }
        except ProcoreError as exc:
            checks.append(fail(name, str(exc), "give the DMSA admin rights on Webhooks"))
            continue
        missing = sorted(f"{r} {e}" for r, e in wanted - have)
        if missing:
            checks.append(
                warn(
                    name,
                    f"hook {hooks[0]['id']} lacks triggers: {', '.join(missing[:4])}…",
                    "run `ml-connector doctor --register-webhooks`",
                )
            )
        else:
            checks.append(ok(name, f"hook {hooks[0]['id']} → {url} with all triggers"))
    return checks


# -- DATEV -------------------------------------------------------------------------------------


async def datev_checks(
    settings: Settings, vault: Vault | None, rules: BookingRules | None, timeout_s: float
) -> list[Check]:
    name = "datev login"
    if vault is None:
        return [fail(name, "no vault", "configure the vault first (see the vault line)")]
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
        checks.append(ok(name, f"{info.name or client_id}: accessible, document type {wanted!r}"))
    return checks


async def register_webhooks(
    settings: Settings, vault: Vault | None, rules: BookingRules | None
) -> list[str]:
    """Create our hook (and its missing triggers) in every configured company; what was done."""
    from adapters.procore.hooks import ensure_triggers, register_hook

    url, secret = settings.procore.webhook_url, settings.procore.webhook_secret
    if url is None or secret is None:
        raise ConnectorError(
            "set procore.webhook_url and procore.webhook_secret before registering webhooks"
        )
    client = build_procore(settings, vault)
    if client is None:
        raise ConnectorError("no Procore credentials: `ml-connector vault procore-credentials`")
    namespace = re.sub(r"[^a-z0-9-]", "-", settings.app_id)
    done: list[str] = []
    async with client:
        for company in sorted(_companies(settings, rules)):
            hooks = [h for h in await list_hooks(client, company) if h["destination_url"] == url]
            hook = (
                hooks[0]
                if hooks
                else await register_hook(
                    client, company, namespace=namespace, destination_url=url, authorization=secret
                )
            )
            created = await ensure_triggers(client, company, int(hook["id"]))
            done.append(f"company {company}: hook {hook['id']}, {len(created)} trigger(s) added")
    return done
