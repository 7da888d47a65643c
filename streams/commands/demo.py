"""``ml-connector demo``: run the product end to end on emulators and the embedded broker."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        workdir: Path = typer.Option(Path("var/demo"), help="scratch directory (wiped first)"),
        size: str = typer.Option("small", help="emulator data size: small, medium, large or N"),
        timeout: float = typer.Option(120.0, help="seconds each step may take to converge"),
    ) -> None:
        """Sync a seeded contractor from the Procore emulator into the DATEV emulator, drive
        live changes and faults, and reconcile; exit 0 only if DATEV matches to the cent."""
        from streams.demo.run import run_demo

        raise typer.Exit(asyncio.run(run_demo(workdir, size, timeout)))
