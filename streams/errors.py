"""Turning errors into messages for humans at the CLI boundary."""

from __future__ import annotations

import typer
from rich.console import Console

from streams.config.settings import SettingsError


class ConnectorError(Exception):
    """An error whose message already tells the operator what is wrong and how to fix it."""


_HUMAN_ERRORS: tuple[type[BaseException], ...] = (SettingsError, ConnectorError)


def human_cause(exc: BaseException) -> BaseException | None:
    """The error in ``exc``'s cause chain whose message is written for people, if any.

    Libraries wrap ours (eventsourcing wraps the event-store cipher's wrong-key error in its
    own deserialisation error); the operator needs our sentence, not the wrapper's traceback.
    """
    from streams.ledger.event_cipher import EventStoreKeyError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (*_HUMAN_ERRORS, EventStoreKeyError)):
            return seen
        seen = seen.__cause__
    return None


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
    except Exception as exc:
        human = human_cause(exc)
        if human is None:
            raise  # a bug: the traceback is what a developer needs
        err.print(f"[bold red]error:[/] {human}", highlight=False)
        return 2
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
