"""``ml-connector emulator datev``: run the DATEV emulator standalone on loopback."""

from __future__ import annotations

import asyncio
import contextlib

import typer

from emulators.datev import EmulatedClient, Faults, demo_client, run_datev_emulator


def emulator_datev(
    port: int = typer.Option(8789, help="port to listen on"),
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    client: list[str] = typer.Option(["455148-1"], help="DATEV client id(s) <advisor>-<client>"),
    job_delay: float = typer.Option(2.0, help="seconds an EXTF job stays pending"),
    oauth_client_id: str = typer.Option("emulated-datev-app"),
    oauth_client_secret: str = typer.Option("emulated-datev-secret"),
) -> None:
    """Run the DATEV emulator (OAuth, clients, EXTF jobs, DUO) until Ctrl-C."""
    clients = [_client(text) for text in client]
    faults = Faults(job_delay_s=job_delay)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(clients, faults, host, port, oauth_client_id, oauth_client_secret))


async def _serve(
    clients: list[EmulatedClient], faults: Faults, host: str, port: int, cid: str, secret: str
) -> None:
    async with run_datev_emulator(
        clients=clients, faults=faults, host=host, port=port,
        oauth_client_id=cid, oauth_client_secret=secret,
    ) as emu:  # fmt: skip
        typer.echo(f"DATEV emulator on {emu.base_url}  (admin: {emu.base_url}/_emulator/state)")
        typer.echo("settings:")
        for name, url in emu.settings_urls().items():
            typer.echo(f"  MLC_DATEV__{name.upper()}={url}")
        typer.echo(f"  then: ml-connector datev credentials --client-id {cid}  (secret: the one")
        typer.echo("  passed as --oauth-client-secret)")
        await asyncio.Event().wait()


def _client(text: str) -> EmulatedClient:
    consultant, sep, number = text.partition("-")
    if not sep or not consultant.isdigit() or not number.isdigit():
        raise typer.BadParameter(f"{text!r} is not <advisor>-<client>, e.g. 455148-1")
    return demo_client(int(consultant), int(number))


def register(app: typer.Typer) -> None:
    """Attach ``datev`` to the ``emulator`` group, creating the group if nobody else did."""
    for info in app.registered_groups:
        if info.name == "emulator" and info.typer_instance is not None:
            info.typer_instance.command("datev")(emulator_datev)
            return
    group = typer.Typer(help="Run emulators of Procore and DATEV.", no_args_is_help=True)
    group.command("datev")(emulator_datev)
    app.add_typer(group, name="emulator")
