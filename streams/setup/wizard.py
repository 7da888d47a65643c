"""``ml-connector init`` without a terminal: options in, files and vault entries out.

The command (``streams/commands/init.py``) fills :class:`InitOptions` from flags and prompts and
passes an :class:`InitUi`; tests pass their own UI that drives the DATEV emulator's login.
Order: refuse to overwrite → vault key → Procore credentials and discovery → DATEV credentials,
login and clients → mapping proposals → settings file → the same check as ``mapping check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import httpx
from pydantic import SecretStr

from adapters.config_files import load_and_check
from adapters.vault import DatevCredentials, ProcoreCredentials, Vault
from domain.problems import Problem
from streams.config.settings import DatevSettings, ProcoreSettings
from streams.errors import ConnectorError
from streams.setup.discovery import (
    CompanyView,
    DatevClientView,
    datev_login,
    discover_datev,
    discover_procore,
)
from streams.setup.files import (
    check_settings_text,
    prepare_vault,
    refuse_existing,
    render_settings,
    vault_key_values,
    write_text,
)
from streams.setup.pairing import Chooser, choose_pairs, proposal_text


class InitUi(Chooser, Protocol):
    """How the wizard talks to its user (a terminal, or a test)."""

    def say(self, text: str) -> None: ...

    async def open_url(self, url: str) -> None: ...

    async def read_redirect(self) -> str: ...


@dataclass
class InitOptions:
    settings_path: Path
    data_dir: Path
    procore: ProcoreSettings  # URLs, company_ids, client_id
    procore_client_secret: SecretStr | None = None
    datev: DatevSettings = field(default_factory=DatevSettings)
    datev_client_id: str | None = None
    datev_client_secret: SecretStr | None = None
    datev_login: bool = True
    no_browser: bool = False
    redirect_port: int | None = None  # None: datev.redirect_port (0 = any free port)
    login_timeout_s: float = 300.0
    advisor_number: int | None = None
    client_number: int | None = None
    document_type: str | None = None
    skr: Literal["03", "04"] = "03"
    cadence: str = "daily 18:00"
    force: bool = False
    vault_key: SecretStr | None = None  # already configured (MLC_VAULT__KEY)
    vault_key_file: Path | None = None  # already configured (MLC_VAULT__KEY_FILE)


@dataclass
class InitResult:
    settings_path: Path
    key_file: Path | None
    key_created: bool
    companies: list[CompanyView]
    datev_clients: list[DatevClientView]
    mappings: list[Path]
    problems: dict[Path, list[Problem]]
    login_expires: str | None = None

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())


def mapping_path(opts: InitOptions, advisor: int, client: int) -> Path:
    return opts.settings_path.parent / f"mapping-{advisor}-{client}.toml"


async def run_init(opts: InitOptions, ui: InitUi) -> InitResult:
    advisor, client_no = opts.advisor_number, opts.client_number
    wanted = (advisor, client_no) if advisor and client_no else None
    early = [opts.settings_path]
    if wanted is not None:
        early.append(mapping_path(opts, *wanted))
    refuse_existing(early, opts.force)

    setup = prepare_vault(opts.data_dir, opts.vault_key, opts.vault_key_file)
    vault = setup.vault
    if setup.key_created:
        ui.say(f"created vault key {setup.key_file} (mode 0600) — back it up separately")
    else:
        ui.say(f"using the existing vault key ({setup.key_file or 'MLC_VAULT__KEY'})")

    procore = _store_procore(opts, vault)
    ui.say(f"Procore: checking the service account at {opts.procore.base_url} …")
    companies = await discover_procore(opts.procore, procore.client_id, procore.client_secret)
    for company in companies:
        ui.say(
            f"  company {company.id} {company.name}: {len(company.projects)} project(s), "
            f"{len(company.cost_type_codes)} cost types, {len(company.tax_codes)} tax codes, "
            f"{len(company.cost_codes)} cost codes"
        )
        for pid, name in company.projects:
            ui.say(f"    project {pid} {name}")

    _store_datev(opts, vault)
    clients, expires = await _datev(opts, vault, ui)
    chosen = choose_pairs(clients, companies, ui, wanted)

    written: list[Path] = []
    for client, company in chosen:
        path = mapping_path(opts, client.advisor_number, client.client_number)
        refuse_existing([path], opts.force)
        text = proposal_text(client, company, opts.document_type, opts.cadence, opts.skr)
        write_text(path, text)
        written.append(path)
        ui.say(f"wrote mapping proposal {path} ({client.label} ← Procore company {company.id})")

    _write_settings(opts, setup.key_file, written, vault)
    ui.say(f"wrote settings {opts.settings_path} (no secrets in it)")
    problems = {path: load_and_check(path)[2] for path in written}
    return InitResult(
        settings_path=opts.settings_path,
        key_file=setup.key_file,
        key_created=setup.key_created,
        companies=companies,
        datev_clients=clients,
        mappings=written,
        problems=problems,
        login_expires=expires,
    )


def _store_procore(opts: InitOptions, vault: Vault) -> ProcoreCredentials:
    stored = vault.read().procore
    client_id = opts.procore.client_id or (stored.client_id if stored else None)
    secret = opts.procore_client_secret or (stored.client_secret if stored else None)
    if not client_id or secret is None or not secret.get_secret_value():
        raise ConnectorError(
            "Procore service-account credentials missing: pass --procore-client-id and "
            "--procore-client-secret (or PROCORE_CLIENT_SECRET)"
        )
    if not opts.procore.company_ids:
        raise ConnectorError("no Procore company: pass --company-id (repeatable)")
    creds = ProcoreCredentials(client_id=client_id, client_secret=secret)
    vault.set_procore(creds)
    opts.procore = opts.procore.model_copy(update={"client_id": client_id})
    return creds


def _store_datev(opts: InitOptions, vault: Vault) -> None:
    if opts.datev_client_id and opts.datev_client_secret is not None:
        vault.set_datev(
            DatevCredentials(client_id=opts.datev_client_id, client_secret=opts.datev_client_secret)
        )
    elif vault.read().datev is None:
        raise ConnectorError(
            "DATEV app credentials missing: pass --datev-client-id and --datev-client-secret "
            "(or DATEV_CLIENT_SECRET)"
        )


async def _datev(
    opts: InitOptions, vault: Vault, ui: InitUi
) -> tuple[list[DatevClientView], str | None]:
    expires: str | None = None
    async with httpx.AsyncClient(timeout=opts.datev.timeout_s) as http:
        if opts.datev_login:
            outcome = await datev_login(
                http,
                opts.datev,
                vault,
                open_url=ui.open_url,
                read_redirect=ui.read_redirect if opts.no_browser else None,
                show_url=lambda url: ui.say(f"Open this URL and log in to DATEV:\n  {url}"),
                port=opts.datev.redirect_port if opts.redirect_port is None else opts.redirect_port,
                timeout_s=opts.login_timeout_s,
                paste_back=ui.read_redirect,  # datev.redirect_uri not on loopback
            )
            at = outcome.refresh_expires_at
            expires = f"{at:%Y-%m-%d}" if at else None
            ui.say(f"DATEV login stored (refresh token valid until about {expires or 'unknown'})")
        if vault.read().datev_refresh is None:
            ui.say(
                "no DATEV login stored: clients cannot be listed (run `ml-connector datev login`)"
            )
            return [], expires
        clients = await discover_datev(http, opts.datev, vault)
    for c in clients:
        ui.say(f"  DATEV client {c.label}: document types {', '.join(c.document_types) or '-'}")
    return clients, expires


def _write_settings(
    opts: InitOptions, key_file: Path | None, mappings: list[Path], vault: Vault
) -> None:
    text = render_settings(
        data_dir=opts.data_dir,
        mappings=mappings,
        key_file=key_file,
        procore=opts.procore,
        datev=opts.datev,
    )
    check_settings_text(text, _secret_values(opts, vault, key_file), opts.settings_path)
    write_text(opts.settings_path, text)


def _secret_values(opts: InitOptions, vault: Vault, key_file: Path | None) -> list[str]:
    secrets = vault.read()
    values = vault_key_values(opts.vault_key, key_file)
    for secret in (
        secrets.procore.client_secret if secrets.procore else None,
        secrets.datev.client_secret if secrets.datev else None,
        secrets.datev_refresh.token if secrets.datev_refresh else None,
    ):
        if secret is not None:
            values.append(secret.get_secret_value())
    return values
