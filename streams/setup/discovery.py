"""What ``ml-connector init`` asks Procore and DATEV: companies, projects, codes, clients.

Each function returns plain views for the wizard to show and propose a mapping from; errors
become :class:`ConnectorError` naming the flag or setting to fix.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr

from adapters.datev.errors import DatevError
from adapters.datev.login import (
    CALLBACK_PATH,
    LoginOutcome,
    OpenUrl,
    login_with_loopback,
    login_with_paste,
    loopback_parts,
    with_windows_sso,
)
from adapters.datev.tokens import oauth_config
from adapters.procore.client import ProcoreClient
from adapters.procore.errors import ProcoreError
from adapters.vault import Vault
from streams.config.settings import DatevSettings, ProcoreSettings
from streams.errors import ConnectorError
from streams.stages.datev_gateway import DatevGateway

ReadRedirect = Callable[[], Awaitable[str]]
ShowUrl = Callable[[str], None]


@dataclass
class CompanyView:
    id: int
    name: str
    projects: list[tuple[int, str]] = field(default_factory=list)
    cost_type_codes: list[str] = field(default_factory=list)
    tax_codes: list[str] = field(default_factory=list)
    cost_codes: list[str] = field(default_factory=list)
    vendors: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DatevClientView:
    advisor_number: int
    client_number: int
    name: str
    document_types: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.advisor_number}/{self.client_number} {self.name}".strip()


async def discover_procore(
    settings: ProcoreSettings, client_id: str, client_secret: SecretStr
) -> list[CompanyView]:
    """Get a token, then list each company's projects, cost types, tax codes and cost codes."""
    async with ProcoreClient(
        base_url=settings.base_url,
        auth_url=settings.auth_url,
        client_id=client_id,
        client_secret=client_secret,
        per_page=settings.per_page,
        timeout_s=settings.timeout_s,
    ) as client:
        try:
            await client.tokens.token()
        except ProcoreError as exc:
            raise ConnectorError(
                f"no Procore token from {settings.auth_url}: {exc} "
                "(check --procore-client-id/--procore-client-secret and --procore-auth-url)"
            ) from None
        views = []
        for company_id in settings.company_ids:
            try:
                views.append(await _company(client, company_id))
            except ProcoreError as exc:
                raise ConnectorError(
                    f"Procore company {company_id}: {exc} (is the service account added to this "
                    "company, and is --company-id right?)"
                ) from None
        return views


async def _company(client: ProcoreClient, company_id: int) -> CompanyView:
    companies = await client.list_companies(company_id)
    name = next((c.name for c in companies if c.id == company_id), f"company {company_id}")
    view = CompanyView(company_id, name)
    async for project in client.list_projects(company_id):
        if project.active:
            view.projects.append((project.id, project.name))
    view.vendors = [(v.id, v.name) async for v in client.list_vendors(company_id) if v.is_active]
    view.cost_type_codes = [t.code async for t in client.list_line_item_types(company_id)]
    view.tax_codes = [t.code async for t in client.list_tax_codes(company_id) if not t.archived]
    codes: set[str] = set()
    for project_id, _ in view.projects:
        codes |= {c.full_code async for c in client.list_cost_codes(company_id, project_id)}
    view.cost_codes = sorted(codes)
    return view


async def datev_login(
    http: httpx.AsyncClient,
    settings: DatevSettings,
    vault: Vault,
    *,
    open_url: OpenUrl,
    read_redirect: ReadRedirect | None,
    show_url: ShowUrl,
    port: int,
    timeout_s: float,
    host: str = "127.0.0.1",
    paste_back: ReadRedirect | None = None,
) -> LoginOutcome:
    """The tax advisor's PKCE login, as ``datev login`` and ``init`` both run it.

    The redirect URI is ``datev.redirect_uri`` when set (an https one registered with DATEV),
    else ``http://<host>:<port>/callback``; ``datev.enable_windows_sso`` adds
    ``enableWindowsSso=true``. A loopback URI gets a listener; otherwise, or with
    ``read_redirect`` (``--no-browser``), the user pastes the redirected URL back
    (``paste_back`` reads it when no ``read_redirect`` was given).
    """
    config = with_windows_sso(
        oauth_config(vault, settings.authorize_url, settings.token_url),
        settings.enable_windows_sso,
    )
    redirect_uri = settings.redirect_uri or f"http://{host}:{port}{CALLBACK_PATH}"
    loopback = loopback_parts(redirect_uri)
    reader = read_redirect or (paste_back if loopback is None else None)
    try:
        if reader is not None:
            return await login_with_paste(
                http, config, vault, show_url, reader, redirect_uri=redirect_uri
            )
        if loopback is None:
            raise ConnectorError(
                f"datev.redirect_uri {redirect_uri} is not a loopback address this machine can "
                "listen on: log in with --no-browser and paste the redirected URL back"
            )
        where, listen_port, path = loopback
        return await login_with_loopback(
            http, config, vault, open_url, host=where, port=listen_port, timeout_s=timeout_s,
            path=path,
        )  # fmt: skip
    except DatevError as exc:
        raise ConnectorError(f"DATEV login failed: {exc}") from None


async def discover_datev(
    http: httpx.AsyncClient, settings: DatevSettings, vault: Vault
) -> list[DatevClientView]:
    """Every DATEV client the stored login can see, with its DUO document types."""
    gateway = DatevGateway(settings, vault, http)
    try:
        async with gateway.session() as api:
            views = []
            for info in await api.list_clients():
                try:
                    types = tuple(t.name for t in await api.document_types(info.id))
                except DatevError:
                    types = ()  # no DUO rights for this client: shown without types
                views.append(
                    DatevClientView(info.consultant_number, info.client_number, info.name, types)
                )
            return views
    except DatevError as exc:
        raise ConnectorError(
            f"cannot list DATEV clients: {exc} (check the DATEV URLs and run the login again)"
        ) from None
