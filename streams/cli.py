"""The ``ml-connector`` command line: every operator action is a subcommand here.

Commands live in small modules under ``streams/commands``; each exposes ``register(app)``.
"""

from __future__ import annotations

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
    """Console-script entry point; turns known errors into one clear line, never a traceback."""
    from streams.errors import run_cli

    sys.exit(run_cli(app))


if __name__ == "__main__":
    main()
