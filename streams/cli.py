"""The ``ml-connector`` command line: every operator action is a subcommand here.

Commands live in small modules under ``streams/commands``; each exposes ``register(app)``.
"""

from __future__ import annotations

import os
import sys

import typer

from streams.commands import COMMAND_MODULES

app = typer.Typer(
    name="ml-connector",
    help="Procore → DATEV connector: stream worker, emulators, operator tools.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Procore → DATEV connector. Run a subcommand with --help for details."""
    from streams.config.logging_setup import configure_cli_logging

    configure_cli_logging()


for _module in COMMAND_MODULES:
    _module.register(app)


def main() -> None:
    """Console-script entry point; turns known errors into one clear line, never a traceback.

    Everything the process creates is private to its user (files 0600, directories 0700):
    the event store, logs and exported files hold vendor names and IBANs.
    """
    from streams.config.datadir import PRIVATE_UMASK
    from streams.errors import run_cli

    os.umask(PRIVATE_UMASK)
    sys.exit(run_cli(app))


if __name__ == "__main__":
    main()
