"""Procore: service-account token, companies and per-project tool permissions, rate-limit
headroom, our webhook (real hosts or the emulator: URLs are settings)."""

from __future__ import annotations

import asyncio

from adapters.procore.client import COMMITMENT_PATHS, ProcoreClient
from adapters.procore.errors import ProcoreAuthError, ProcoreError, ProcorePermissionError
from adapters.procore.hooks import COMPANY_RESOURCES, EVENT_TYPES, PROJECT_RESOURCES, list_hooks
from adapters.procore.hooks import list_triggers as hook_triggers
from streams.config.settings import Settings
from streams.setup.checks.base import Check, DoctorContext, fail, ok, warn
from streams.setup.scope import procore_companies

ORDER = 30
HEADROOM_WARNING = 0.2

# Tool name (as shown in Procore's permission screen) → a cheap read on a project.
PROJECT_TOOLS: dict[str, str] = {
    "Invoicing (requisitions)": "/rest/v1.1/requisitions",
    "Direct Costs": "/rest/v1.1/projects/{project}/direct_costs",
    "Commitments (purchase orders)": COMMITMENT_PATHS["purchase_order_contract"],
    "Commitments (work orders)": COMMITMENT_PATHS["work_order_contract"],
}


async def run(ctx: DoctorContext) -> list[Check]:
    settings, vault, timeout_s = ctx.settings, ctx.vault, ctx.timeout_s
    if vault is None or vault.read().procore is None:
        return [
            fail(
                "procore token",
                "no Procore service-account credentials in the vault",
                "store them with `ml-connector vault procore-credentials`",
            )
        ]
    client = ctx.build_procore(settings, vault)
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
        companies = procore_companies(settings, ctx.rules)
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
                "`ml-connector webhooks register`",
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
                        "run `ml-connector webhooks register`",
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
                    "run `ml-connector webhooks register`",
                )
            )
        else:
            checks.append(ok(name, f"hook {hooks[0]['id']} → {url} with all triggers"))
    return checks
