"""``ml-connector datev …``: store credentials, log in (PKCE), show login status.

``ml-connector vault …``: create a key file, rotate the vault key.
"""

from __future__ import annotations

import asyncio
import webbrowser
from datetime import UTC, datetime
from pathlib import Path

import httpx
import typer
from pydantic import SecretStr

from adapters.datev.errors import DatevError
from adapters.datev.login_state import clear_login_problem, read_login_state
from adapters.vault import (
    DatevCredentials,
    ProcoreCredentials,
    Vault,
    VaultError,
    generate_key,
    load_keys,
    write_key_file,
)
from streams.config.settings import Settings, load_settings
from streams.errors import ConnectorError

datev_app = typer.Typer(help="DATEV login and status.", no_args_is_help=True)
vault_app = typer.Typer(help="The encrypted credential vault.", no_args_is_help=True)
EXPIRY_WARNING_DAYS = 30


def open_vault(settings: Settings) -> Vault:
    try:
        return Vault.open(settings.data_dir, settings.vault.key, settings.vault.key_file)
    except VaultError as exc:
        raise ConnectorError(str(exc)) from None


@datev_app.command("credentials")
def credentials(
    client_id: str = typer.Option(..., help="OAuth client id of the DATEV app"),
    client_secret: str = typer.Option(
        ..., prompt=True, hide_input=True, help="OAuth client secret (prompted, not echoed)"
    ),
) -> None:
    """Store the DATEV OAuth client id/secret in the vault."""
    vault = open_vault(load_settings())
    vault.set_datev(DatevCredentials(client_id=client_id, client_secret=SecretStr(client_secret)))
    state = read_login_state(vault.path.parent)
    if state is not None and state.problem == "credentials":
        clear_login_problem(vault.path.parent)  # the worker's pause ends with the vault change
    typer.echo(f"DATEV client credentials stored in {vault.path}")


@datev_app.command("login")
def login(
    no_browser: bool = typer.Option(False, help="print the URL and paste the redirect back"),
    host: str = typer.Option("127.0.0.1", help="loopback host of the redirect URI"),
    port: int | None = typer.Option(None, help="redirect port (default: datev.redirect_port)"),
    timeout: float = typer.Option(300.0, help="seconds to wait for the browser"),
) -> None:
    """Log in to DATEV (authorization code + PKCE) and store the refresh token."""
    settings = load_settings()
    try:
        asyncio.run(
            _login(settings, no_browser, host, port or settings.datev.redirect_port, timeout)
        )
    except (DatevError, VaultError) as exc:
        raise ConnectorError(str(exc)) from None


async def _login(settings: Settings, no_browser: bool, host: str, port: int, wait_s: float) -> None:
    from streams.setup.discovery import datev_login

    async def read_redirect() -> str:
        return await asyncio.to_thread(
            typer.prompt, "Paste the full URL your browser was redirected to"
        )

    async def open_url(url: str) -> None:
        _show_url(url)
        # some browsers (BROWSER=…, text browsers) block until closed: not on the loop
        await asyncio.to_thread(webbrowser.open, url)

    vault = open_vault(settings)
    async with httpx.AsyncClient(timeout=settings.datev.timeout_s) as http:
        outcome = await datev_login(
            http, settings.datev, vault, open_url=open_url,
            read_redirect=read_redirect if no_browser else None, show_url=_show_url,
            port=port, timeout_s=wait_s, host=host, paste_back=read_redirect,
        )  # fmt: skip
    until = f"{outcome.refresh_expires_at:%Y-%m-%d}" if outcome.refresh_expires_at else "unknown"
    typer.echo(f"DATEV login stored (refresh token valid until about {until}).")


def _show_url(url: str) -> None:
    typer.echo("Open this URL in a browser and log in to DATEV:\n")
    typer.echo(f"  {url}\n")


@datev_app.command("status")
def status() -> None:
    """Show whether a DATEV login is stored and when it expires (never prints secrets)."""
    settings = load_settings()
    try:
        secrets = open_vault(settings).read()
    except VaultError as exc:
        raise ConnectorError(str(exc)) from None
    creds = secrets.datev
    typer.echo(f"DATEV app client id: {creds.client_id if creds else 'not set'}")
    problem = read_login_state(settings.data_dir)
    if problem is not None:
        typer.echo(f"DATEV login: {problem.describe()}")
        raise typer.Exit(1)
    token = secrets.datev_refresh
    if token is None:
        typer.echo("DATEV login: none — run `ml-connector datev login`")
        raise typer.Exit(1)
    typer.echo(
        f"DATEV login: stored {token.obtained_at:%Y-%m-%d %H:%M} UTC, rotation {token.generation}"
    )
    if token.expires_at is None:
        typer.echo("refresh token expiry: unknown")
        return
    days = (token.expires_at - datetime.now(UTC)).days
    typer.echo(f"refresh token expiry (estimated): {token.expires_at:%Y-%m-%d} ({days} days)")
    if days < 0:
        typer.echo("DATEV login expired — run `ml-connector datev login`")
        raise typer.Exit(1)
    if days < EXPIRY_WARNING_DAYS:
        typer.echo(f"warning: fewer than {EXPIRY_WARNING_DAYS} days left; log in again soon")


@vault_app.command("init-key")
def init_key(
    key_file: Path = typer.Argument(..., help="where to write the new key (0600)"),
) -> None:
    """Create a new vault key file readable only by you."""
    if key_file.exists():
        raise ConnectorError(f"{key_file} exists; refusing to overwrite a vault key")
    write_key_file(key_file, [generate_key()])
    typer.echo(f"wrote {key_file}; set MLC_VAULT__KEY_FILE={key_file}")


@vault_app.command("rotate-key")
def rotate_key() -> None:
    """Re-encrypt the vault with a new key; the key file keeps the old key until this succeeds."""
    settings = load_settings()
    key_file = settings.vault.key_file
    if key_file is None or settings.vault.key is not None:
        raise ConnectorError(
            "rotate-key needs vault.key_file (MLC_VAULT__KEY_FILE) and no key value"
        )
    try:
        old = load_keys(None, key_file)
        new = generate_key()
        write_key_file(key_file, [new, *old])  # both readable during the rotation
        Vault.open(settings.data_dir, None, key_file).rotate(new)
        write_key_file(key_file, [new])
    except VaultError as exc:
        raise ConnectorError(str(exc)) from None
    typer.echo(f"vault re-encrypted with a new key; {key_file} now holds only the new key")


@vault_app.command("procore-credentials")
def procore_credentials(
    client_id: str = typer.Option(...),
    client_secret: str = typer.Option(..., prompt=True, hide_input=True),
) -> None:
    """Store the Procore OAuth client id/secret in the vault."""
    vault = open_vault(load_settings())
    vault.set_procore(
        ProcoreCredentials(client_id=client_id, client_secret=SecretStr(client_secret))
    )
    typer.echo(f"Procore client credentials stored in {vault.path}")


def register(app: typer.Typer) -> None:
    app.add_typer(datev_app, name="datev")
    app.add_typer(vault_app, name="vault")
