"""``ml-connector mapping check``: validate a client mapping against its declared chart."""

from __future__ import annotations

from pathlib import Path

import typer

from adapters.config_files import load_and_check

mapping_app = typer.Typer(help="Per-DATEV-client mapping: check it before the worker runs.")


def register(app: typer.Typer) -> None:
    app.add_typer(mapping_app, name="mapping")


@mapping_app.command("check")
def check(
    mapping: Path = typer.Option(
        Path("mapping.toml"), "--mapping", help="mapping TOML file of one DATEV client"
    ),
    chart: str | None = typer.Option(
        None, "--chart", help="skr03 | skr04 | PATH (TOML/CSV); default: the mapping's SKR"
    ),
) -> None:
    """Print every problem with its location and fix; exit 1 if there is any."""
    parsed, _chart, problems = load_and_check(mapping, chart)
    if problems:
        typer.echo(f"{mapping}: {len(problems)} problem(s)")
        for problem in problems:
            typer.echo(f"- {problem.render()}")
        raise typer.Exit(code=1)
    assert parsed is not None
    typer.echo(
        f"{mapping}: OK (client {parsed.client.advisor_number}/{parsed.client.client_number}, "
        f"SKR{parsed.client.skr}, {len(parsed.cost_accounts)} cost rules, "
        f"{len(parsed.projects)} projects)"
    )
