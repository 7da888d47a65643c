"""``ml-connector webhooks register``: create our Procore webhook and its triggers."""

from __future__ import annotations

import asyncio

import typer

from streams.bootstrap import build_procore, build_rules, open_vault
from streams.config.settings import load_settings
from streams.setup.webhooks import register_webhooks

webhooks_app = typer.Typer(help="Procore webhooks delivering to this connector.")


@webhooks_app.command("register")
def register_command() -> None:
    """Create our hook (and any missing triggers) in every configured Procore company."""
    settings = load_settings()
    client = build_procore(settings, open_vault(settings))
    for line in asyncio.run(register_webhooks(settings, client, build_rules(settings))):
        typer.echo(f"webhooks: {line}")


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
