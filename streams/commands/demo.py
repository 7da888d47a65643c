"""``ml-connector demo``: run the product end to end on emulators and the embedded broker."""

from __future__ import annotations

from pathlib import Path

import typer

from streams.settings import load_settings


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        workdir: Path = typer.Option(Path("var/demo"), help="scratch directory (wiped first)"),
    ) -> None:
        """Run the demo end to end and print what happened; exit 0 only if it all checks out."""
        from streams.demo_skeleton import run_skeleton_demo

        raise typer.Exit(run_skeleton_demo(load_settings(), workdir))
