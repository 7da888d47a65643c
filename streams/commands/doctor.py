"""``ml-connector doctor``: a checklist of every system the connector depends on (read-only)."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from streams.bootstrap import build_procore
from streams.config.settings import Settings, SettingsError, load_settings
from streams.ledger.application import Ledger
from streams.ledger.eventstore import event_store_env
from streams.setup.checks.base import Check, DoctorContext
from streams.setup.doctor import run_doctor as run_checks

_MARK = {"ok": "[green]✔ ok  [/]", "warn": "[yellow]! warn[/]", "fail": "[bold red]✘ FAIL[/]"}


def read_only_ledger(settings: Settings) -> Ledger:
    """The ledger as the worker would open it, except that it creates no tables."""
    return Ledger(env={**event_store_env(settings), "CREATE_TABLE": "n"})


def doctor_context(settings: Settings, timeout_s: float = 10.0) -> DoctorContext:
    """The context the checks read, wired to the composition root's builders."""
    return DoctorContext(
        settings=settings,
        build_procore=build_procore,
        build_ledger=read_only_ledger,
        timeout_s=timeout_s,
    )


async def run_doctor(settings: Settings, timeout_s: float = 10.0) -> list[Check]:
    """Every check against the configured systems; nothing is changed."""
    return await run_checks(doctor_context(settings, timeout_s))


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
        checks = asyncio.run(run_doctor(settings, timeout))
        print_checks(checks, console)
        if any(c.failed for c in checks):
            raise typer.Exit(1)
