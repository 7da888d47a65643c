"""``ml-connector emulator …``: run the API emulators standalone (demo, manual testing)."""

from __future__ import annotations

import asyncio
import contextlib

import typer

from emulators.procore.data import Size
from emulators.procore.faults import parse_assignments
from emulators.procore.runner import ProcoreEmulator, serve
from streams.errors import ConnectorError

emulator_app = typer.Typer(
    name="emulator", help="Run API emulators on loopback.", no_args_is_help=True
)


def _print_ready(emu: ProcoreEmulator) -> None:
    typer.echo(f"Procore emulator listening on {emu.base_url}")
    typer.echo("  (emulator credentials, not secret)")
    typer.echo(f"  MLC_PROCORE__BASE_URL={emu.base_url}")
    typer.echo(f"  MLC_PROCORE__AUTH_URL={emu.auth_url}")
    typer.echo(f"  MLC_PROCORE__COMPANY_IDS=[{','.join(str(c) for c in emu.state.companies)}]")
    typer.echo(f"  client_id={emu.client_id}")
    typer.echo(f"  client_secret={emu.client_secret}")
    typer.echo(f"  projects: {', '.join(str(p) for p in emu.project_ids())}")
    typer.echo(f"  admin: {emu.base_url}/_emulator  (faults: {emu.base_url}/_emulator/faults)")


@emulator_app.command("procore")
def procore(
    port: int = typer.Option(8001, help="TCP port on 127.0.0.1 (0 = any free port)."),
    host: str = typer.Option("127.0.0.1", help="Interface to bind (loopback by default)."),
    seed: int = typer.Option(7, help="Seed of the deterministic data generator."),
    size: str = typer.Option("small", help="small, medium, large, or a number of records."),
    webhook_url: str | None = typer.Option(None, help="POST webhook deliveries here."),
    webhook_auth: str | None = typer.Option(
        None, help="Authorization header value sent with every delivery."
    ),
    payload_version: str = typer.Option("v3.0", help="Webhook payload: v2.0, v3.0 or v4.0."),
    token_ttl: int = typer.Option(5400, help="Access token lifetime (expires_in, seconds)."),
    hourly_limit: int = typer.Option(3600, help="Requests per hour before 429."),
    spike_limit: int | None = typer.Option(None, help="Requests per 10 s before 429 (off)."),
    fault: list[str] = typer.Option(
        [], "--fault", help="Fault switch name=value, e.g. rate_5xx=0.1 (repeatable)."
    ),
) -> None:
    """Serve a faithful Procore API emulator with seeded German construction data."""
    if payload_version not in ("v2.0", "v3.0", "v4.0"):
        raise ConnectorError(f"--payload-version {payload_version!r}: use v2.0, v3.0 or v4.0")
    try:
        faults = parse_assignments(fault)
        parsed_size = Size.parse(int(size) if size.isdigit() else size)
    except ValueError as exc:
        raise ConnectorError(str(exc)) from None
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(
                serve(
                    host=host,
                    port=port,
                    on_ready=_print_ready,
                    faults=faults,
                    seed=seed,
                    size=parsed_size,
                    webhook_url=webhook_url,
                    webhook_auth=webhook_auth,
                    payload_version=payload_version,
                    token_ttl_s=token_ttl,
                    hourly_limit=hourly_limit,
                    spike_limit=spike_limit,
                )
            )
        except OSError as exc:
            raise ConnectorError(
                f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port"
            ) from None


def register(app: typer.Typer) -> None:
    app.add_typer(emulator_app, name="emulator")
