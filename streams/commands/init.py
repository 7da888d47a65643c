"""``ml-connector init``: first-run setup, interactive or fully from flags (``--yes``).

The work is done by :func:`streams.setup.wizard.run_init`; this module only turns flags and
prompts into :class:`InitOptions` and prints the outcome.
"""

from __future__ import annotations

import asyncio
import os
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import typer
from pydantic import SecretStr

from streams.config.settings import DatevSettings, ProcoreSettings
from streams.errors import ConnectorError
from streams.setup.wizard import InitOptions, InitResult, run_init

_DATEV = DatevSettings()
_PROCORE = ProcoreSettings()


class TerminalUi:
    """Prompts on the terminal; with ``--yes`` every question that has no flag is an error."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive

    def say(self, text: str) -> None:
        typer.echo(text)

    def choose(self, question: str, options: Sequence[str], *, many: bool = False) -> list[int]:
        if not self.interactive:
            listed = "; ".join(options)
            raise ConnectorError(
                f"{question} — several to choose from ({listed}); without --yes init asks, with "
                "--yes pass --advisor-number/--client-number and a single --company-id"
            )
        typer.echo(question)
        for i, option in enumerate(options, 1):
            typer.echo(f"  {i}. {option}")
        hint = "numbers separated by commas" if many else "a number"
        while True:
            raw: str = typer.prompt(f"Choose ({hint})", default="1")
            try:
                picked = [int(part) - 1 for part in raw.split(",") if part.strip()]
            except ValueError:
                picked = []
            if picked and all(0 <= i < len(options) for i in picked) and (many or len(picked) == 1):
                return list(dict.fromkeys(picked))
            typer.echo(f"please enter {hint} between 1 and {len(options)}")

    async def open_url(self, url: str) -> None:
        typer.echo(f"Opening the DATEV login in your browser:\n  {url}")
        await asyncio.to_thread(webbrowser.open, url)

    async def read_redirect(self) -> str:
        answer: str = await asyncio.to_thread(
            typer.prompt, "Paste the full URL your browser was redirected to"
        )
        return answer


def _ask(value: str | None, question: str, interactive: bool, hide: bool = False) -> str | None:
    if value or not interactive:
        return value
    answer: str = typer.prompt(question, hide_input=hide)
    return answer.strip() or None


def _secret(value: str | None) -> SecretStr | None:
    return SecretStr(value) if value else None


def init(
    yes: bool = typer.Option(False, "--yes", "-y", help="never prompt; missing values are errors"),
    procore_client_id: str | None = typer.Option(None, help="Procore DMSA client id"),
    procore_client_secret: str | None = typer.Option(
        None, envvar="PROCORE_CLIENT_SECRET", show_envvar=True, help="Procore DMSA client secret"
    ),
    procore_base_url: str = typer.Option(_PROCORE.base_url, help="Procore API host"),
    procore_auth_url: str = typer.Option(_PROCORE.auth_url, help="Procore login host"),
    company_id: list[int] = typer.Option([], "--company-id", help="Procore company (repeatable)"),
    datev_client_id: str | None = typer.Option(None, help="DATEV app OAuth client id"),
    datev_client_secret: str | None = typer.Option(
        None, envvar="DATEV_CLIENT_SECRET", show_envvar=True, help="DATEV app OAuth client secret"
    ),
    datev_authorize_url: str = typer.Option(_DATEV.authorize_url),
    datev_token_url: str = typer.Option(_DATEV.token_url),
    datev_extf_base_url: str = typer.Option(_DATEV.extf_base_url),
    datev_documents_base_url: str = typer.Option(_DATEV.documents_base_url),
    datev_clients_base_url: str = typer.Option(_DATEV.clients_base_url),
    redirect_port: int = typer.Option(_DATEV.redirect_port, help="loopback port of the login"),
    no_browser: bool = typer.Option(False, help="print the login URL and paste the redirect"),
    skip_datev_login: bool = typer.Option(False, help="keep the stored DATEV login"),
    advisor_number: int | None = typer.Option(None, help="DATEV Beraternummer of the client"),
    client_number: int | None = typer.Option(None, help="DATEV Mandantennummer"),
    document_type: str | None = typer.Option(None, help="DUO document type for invoice PDFs"),
    skr: str = typer.Option("03", help="chart of accounts: 03 or 04"),
    cadence: str = typer.Option("daily 18:00", help="immediate | every 15m | daily HH:MM | manual"),
    settings: Path = typer.Option(Path("ml-connector.toml"), "--settings", help="file to write"),
    data_dir: Path = typer.Option(Path("var"), help="data directory (vault, event store)"),
    force: bool = typer.Option(False, help="overwrite existing settings/mapping files"),
) -> None:
    """Set up ml-connector: vault key, credentials, DATEV login, mapping proposal, settings."""
    if skr not in ("03", "04"):
        raise ConnectorError(f"--skr must be 03 or 04, not {skr!r}")
    skr_value: Literal["03", "04"] = "03" if skr == "03" else "04"
    interactive = not yes
    companies = company_id
    if not companies and interactive:
        raw = typer.prompt("Procore company id(s), comma-separated")
        companies = [int(x) for x in raw.replace(" ", "").split(",") if x]
    opts = InitOptions(
        settings_path=settings,
        data_dir=data_dir,
        procore=ProcoreSettings(
            base_url=procore_base_url,
            auth_url=procore_auth_url,
            company_ids=companies,
            client_id=_ask(procore_client_id, "Procore client id", interactive),
        ),
        procore_client_secret=_secret(
            _ask(procore_client_secret, "Procore client secret", interactive, hide=True)
        ),
        datev=DatevSettings(
            authorize_url=datev_authorize_url,
            token_url=datev_token_url,
            extf_base_url=datev_extf_base_url,
            documents_base_url=datev_documents_base_url,
            clients_base_url=datev_clients_base_url,
            redirect_port=redirect_port,
        ),
        datev_client_id=_ask(datev_client_id, "DATEV app client id", interactive),
        datev_client_secret=_secret(
            _ask(datev_client_secret, "DATEV app client secret", interactive, hide=True)
        ),
        datev_login=not skip_datev_login,
        no_browser=no_browser,
        advisor_number=advisor_number,
        client_number=client_number,
        document_type=document_type,
        skr=skr_value,
        cadence=cadence,
        force=force,
        vault_key=_secret(os.environ.get("MLC_VAULT__KEY")),
        vault_key_file=Path(os.environ["MLC_VAULT__KEY_FILE"])
        if os.environ.get("MLC_VAULT__KEY_FILE")
        else None,
    )
    result = asyncio.run(run_init(opts, TerminalUi(interactive)))
    _report(result)


def _report(result: InitResult) -> None:
    for path, problems in result.problems.items():
        if problems:
            typer.echo(f"{path}: {len(problems)} problem(s)")
            for problem in problems:
                typer.echo(f"- {problem.render()}")
        else:
            typer.echo(f"{path}: mapping check OK")
    config = result.settings_path
    env = "" if config == Path("ml-connector.toml") else f"MLC_CONFIG={config} "
    typer.echo(
        "\nNext steps:\n"
        "  1. Review the mapping file(s) with your tax advisor (accounts, tax codes, vendors);\n"
        f"     `{env}ml-connector mapping check --mapping FILE` after each edit.\n"
        "  2. Set procore.webhook_url, and give the webhook secret and the status page token\n"
        "     as files readable only by you: MLC_PROCORE__WEBHOOK_SECRET_FILE=…,\n"
        "     MLC_STATUS_TOKEN_FILE=… (e.g. `openssl rand -hex 24 > FILE`), then\n"
        f"     `{env}ml-connector webhooks register`.\n"
        f"  3. `{env}ml-connector doctor` — every line should be green.\n"
        f"  4. `{env}ml-connector worker` — start with cadence `manual` for the first backfill."
    )
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
