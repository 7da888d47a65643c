"""``ml-connector topics``: declared topics, partitions, end offsets and consumer-group lag."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from adapters.kafka.admin import (
    KafkaUnavailable,
    ensure_topics,
    existing_partitions,
    partition_report,
)
from streams.config.settings import load_settings
from streams.errors import ConnectorError
from streams.topics import ALL_TOPICS, consumer_group


def register(app: typer.Typer) -> None:
    @app.command()
    def topics(
        create: bool = typer.Option(False, "--create", help="create missing declared topics"),
        group: str | None = typer.Option(None, help="consumer group for lag (default: app id)"),
    ) -> None:
        """List the connector's topics with partitions, end offsets and consumer-group lag."""
        settings = load_settings()
        servers = settings.kafka_bootstrap_servers
        if servers is None:
            raise ConnectorError(
                "no Kafka configured: set MLC_KAFKA_BOOTSTRAP_SERVERS (the embedded broker "
                "only lives as long as `ml-connector worker` or `demo`, which print its address)"
            )
        try:
            if create:
                made = asyncio.run(ensure_topics(servers, ALL_TOPICS))
                typer.echo(f"created: {', '.join(made) or 'nothing (all present)'}")
            have = asyncio.run(existing_partitions(servers))
            rows = asyncio.run(
                partition_report(
                    servers, [t.name for t in ALL_TOPICS], group or consumer_group(settings.app_id)
                )
            )
        except KafkaUnavailable as exc:
            raise ConnectorError(f"{exc}; check MLC_KAFKA_BOOTSTRAP_SERVERS") from None
        table = Table(title=f"Kafka {servers}")
        for col in ("topic", "declared", "actual", "partition", "end offset", "committed", "lag"):
            table.add_column(col)
        for decl in ALL_TOPICS:
            parts = [r for r in rows if r.topic == decl.name]
            actual = str(have.get(decl.name, "missing"))
            if not parts:
                table.add_row(decl.name, str(decl.partitions), actual, "-", "-", "-", "-")
            for r in parts:
                table.add_row(
                    decl.name,
                    str(decl.partitions),
                    actual,
                    str(r.partition),
                    str(r.end_offset),
                    "-" if r.committed is None else str(r.committed),
                    "-" if r.lag is None else str(r.lag),
                )
        Console().print(table)
        if settings.embedded_kafka is False and any(have.get(t.name) is None for t in ALL_TOPICS):
            raise typer.Exit(1)
