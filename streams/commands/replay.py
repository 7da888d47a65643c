"""``ml-connector replay record|batch|topic|dlq``: re-drive what failed, safely (dry run first)."""

from __future__ import annotations

import asyncio
import getpass
import re
from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console

from adapters.kafka.admin import GroupActive, KafkaUnavailable, reset_offsets
from adapters.kafka.dead_letters import redrive
from streams.commands.context import command_context
from streams.config.settings import load_settings
from streams.errors import ConnectorError
from streams.operator.actions import replay_batch, replay_record
from streams.topics import ALL_TOPICS, CONNECTOR_DLQ, consumer_group

replay_app = typer.Typer(help="Re-drive a parked record, a failed batch, or a whole topic.")
_DURATION = re.compile(r"^(\d+)([smhd])$")


def _who() -> str:
    try:
        return getpass.getuser()
    except OSError:
        return "operator"


@replay_app.command("record")
def record(
    ref: str = typer.Argument(..., help="company:project:resource:id or aggregate id"),
    dry_run: bool = typer.Option(False, "--dry-run", help="show what would happen"),
) -> None:
    """Decide again with the current mapping and re-drive a failed PDF upload."""
    ctx = command_context()
    before = replay_record(ctx.ledger, ref, by=_who(), dry_run=True)
    state = f"{before.decision}" + (f" ({before.reason})" if before.reason else "")
    if dry_run:
        typer.echo(f"would replay {before.key}, now {state}")
        return
    after = replay_record(ctx.ledger, ref, by=_who())
    typer.echo(
        f"{after.key}: {state} → {after.decision}" + (f" ({after.reason})" if after.reason else "")
    )
    if after.decision == "planned":
        typer.echo("its lines go into the next batch (cadence) — the worker submits them")


@replay_app.command("batch")
def batch(
    batch_id: str = typer.Argument(
        ..., help="batch id or unique prefix (see `ml-connector batches`)"
    ),
    dry_run: bool = typer.Option(False, "--dry-run"),
) -> None:
    """Submit a failed batch again: same files, same names, so DATEV cannot book it twice."""
    ctx = command_context(with_rules=False)
    found = replay_batch(ctx.ledger, batch_id, by=_who(), dry_run=dry_run)
    names = ", ".join(f["filename"] for f in found.files.values())
    verb = "would resubmit" if dry_run else "resubmission requested for"
    typer.echo(f"{verb} batch {found.id} ({names}); it failed with: {found.failure}")


def _parse_when(to_datetime: str | None, by_duration: str | None) -> int | None:
    if to_datetime:
        try:
            when = datetime.fromisoformat(to_datetime)
        except ValueError:
            raise ConnectorError(f"--to-datetime {to_datetime!r} is not ISO 8601") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return int(when.timestamp() * 1000)
    if by_duration:
        m = _DURATION.match(by_duration)
        if not m:
            raise ConnectorError(f"--by-duration {by_duration!r}: use e.g. 30m, 6h, 2d")
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
        when = datetime.now(UTC) - timedelta(**{unit: int(m.group(1))})
        return int(when.timestamp() * 1000)
    return None


@replay_app.command("topic")
def topic(
    name: str = typer.Argument(..., help="topic, e.g. procore.records"),
    group: str | None = typer.Option(None, help="consumer group (default: the worker's app id)"),
    to_offset: int | None = typer.Option(None, "--to-offset"),
    to_datetime: str | None = typer.Option(None, "--to-datetime", help="ISO 8601"),
    by_duration: str | None = typer.Option(None, "--by-duration", help="e.g. 6h: back from now"),
    dry_run: bool = typer.Option(False, "--dry-run"),
) -> None:
    """Reset a consumer group's offsets (stop the workers first); folds skip what they know."""
    settings = load_settings()
    if settings.kafka_bootstrap_servers is None:
        raise ConnectorError("set MLC_KAFKA_BOOTSTRAP_SERVERS to the cluster to reset")
    if name not in {t.name for t in ALL_TOPICS}:
        raise ConnectorError(
            f"unknown topic {name!r}; topics: {', '.join(t.name for t in ALL_TOPICS)}"
        )
    chosen = [x for x in (to_offset, to_datetime, by_duration) if x is not None]
    if len(chosen) != 1:
        raise ConnectorError("give exactly one of --to-offset, --to-datetime, --by-duration")
    stamp = _parse_when(to_datetime, by_duration)
    try:
        moves = asyncio.run(
            reset_offsets(
                settings.kafka_bootstrap_servers,
                group or consumer_group(settings.app_id),
                name,
                to_offset=to_offset,
                to_timestamp_ms=stamp,
                dry_run=dry_run,
            )
        )
    except (GroupActive, KafkaUnavailable) as exc:
        raise ConnectorError(str(exc)) from None
    console = Console()
    for m in moves:
        console.print(
            f"{m.topic}[{m.partition}]: {m.current if m.current is not None else '-'} → {m.target}"
        )
    console.print("dry run: nothing changed" if dry_run else "done: start the workers to reprocess")


@replay_app.command("dlq")
def dead_letters(
    dry_run: bool = typer.Option(False, "--dry-run", help="list, send nothing"),
) -> None:
    """Send parked Kafka messages (connector.dlq) back to their source topics after a fix."""
    settings = load_settings()
    if settings.kafka_bootstrap_servers is None:
        raise ConnectorError("set MLC_KAFKA_BOOTSTRAP_SERVERS to the cluster whose DLQ to replay")
    try:
        letters = asyncio.run(
            redrive(
                settings.kafka_bootstrap_servers,
                CONNECTOR_DLQ.name,
                f"{settings.app_id}-dlq-replay",
                dry_run=dry_run,
            )
        )
    except KafkaUnavailable as exc:
        raise ConnectorError(str(exc)) from None
    console = Console(highlight=False)
    for d in letters:
        where = f"{d.source_topic}[{d.source_partition}]@{d.source_offset}"
        key = (d.key or b"").decode("utf-8", "replace")
        console.print(f"{where} {key}: {d.error}", soft_wrap=True)
    verb = "would re-drive" if dry_run else "re-drove"
    console.print(f"{verb} {len(letters)} dead letter(s)")


def register(app: typer.Typer) -> None:
    app.add_typer(replay_app, name="replay")
