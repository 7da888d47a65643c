"""``version`` and other small commands."""

from __future__ import annotations

from importlib.metadata import version as dist_version

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def version() -> None:
        """Print the installed ml-connector version."""
        typer.echo(f"ml-connector {dist_version('ml-connector')}")
