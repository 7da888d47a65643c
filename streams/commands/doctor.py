"""``ml-connector doctor``: a checklist of every system the connector depends on."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from streams.config.settings import SettingsError, load_settings
from streams.setup.doctor import Check, check_mapping, check_vault, run_doctor

_MARK = {"ok": "[green]✔ ok  [/]", "warn": "[yellow]! warn[/]", "fail": "[bold red]✘ FAIL[/]"}


def print_checks(checks: list[Check], console: Console) -> None:
    for check in checks:
        console.print(f"{_MARK[check.verdict]} [bold]{check.name}[/]: {check.detail}")
        if check.fix and check.verdict != "ok":
            console.print(f"         fix: {check.fix}", highlight=False)
    failed = sum(c.failed for c in checks)
    warned = sum(c.verdict == "warn" for c in checks)
    if failed:
        console.print(f"[bold red]{failed} problem(s) to fix[/], {warned} warning(s)")
    else:
        console.print(f"[bold green]all good[/] ({warned} warning(s))")


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor(
        timeout: float = typer.Option(10.0, help="seconds to wait for each remote system"),
        register_webhooks: bool = typer.Option(
            False, "--register-webhooks", help="create our Procore webhook and triggers first"
        ),
    ) -> None:
        """Check settings, vault, Procore, DATEV, mapping, Kafka, event store and backlog."""
        console = Console(highlight=False, soft_wrap=True)
        try:
            settings = load_settings()
        except SettingsError as exc:
            print_checks(
                [Check("settings", "fail", str(exc), "correct the settings named above")], console
            )
            raise typer.Exit(1) from None
        if register_webhooks:
            from streams.setup.doctor_remote import register_webhooks as register_all

            _, vault = check_vault(settings)
            _, rules = check_mapping(settings)
            for line in asyncio.run(register_all(settings, vault, rules)):
                console.print(f"webhooks: {line}")
        checks = asyncio.run(run_doctor(settings, timeout))
        print_checks(checks, console)
        if any(c.failed for c in checks):
            raise typer.Exit(1)
