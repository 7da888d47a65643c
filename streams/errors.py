"""Turning errors into messages for humans at the CLI boundary."""

from __future__ import annotations

import typer
from rich.console import Console

from streams.config.settings import SettingsError


class ConnectorError(Exception):
    """An error whose message already tells the operator what is wrong and how to fix it."""


_HUMAN_ERRORS: tuple[type[BaseException], ...] = (SettingsError, ConnectorError)


def run_cli(app: typer.Typer) -> int:
    """Run the typer app; known errors become a red line and exit code 2."""
    err = Console(stderr=True, soft_wrap=True)
    try:
        app()  # standalone mode: click prints usage errors itself and raises SystemExit
    except _HUMAN_ERRORS as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        return 2
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
