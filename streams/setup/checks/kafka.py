"""Kafka reachable, declared topics present with their partitions; consumer lag."""

from __future__ import annotations

import asyncio

from adapters.kafka.admin import KafkaUnavailable, existing_partitions, partition_report
from streams.setup.checks.base import Check, DoctorContext, fail, ok, warn
from streams.topics import ALL_TOPICS, consumer_group

ORDER = 50
LAG_WARNING = 1000


async def run(ctx: DoctorContext) -> list[Check]:
    return [await check_kafka(ctx)]


async def check_kafka(ctx: DoctorContext) -> Check:
    name = "kafka"
    settings, timeout_s = ctx.settings, ctx.timeout_s
    servers = settings.kafka_bootstrap_servers
    if servers is None:
        return ok(name, "embedded broker: the worker starts it and creates the topics")
    try:
        have = await asyncio.wait_for(existing_partitions(servers), timeout_s)
    except (KafkaUnavailable, TimeoutError, OSError) as exc:
        reason = str(exc) or f"no answer within {timeout_s:.0f} s"
        return fail(
            name,
            f"cannot reach Kafka at {servers}: {reason}",
            "start the broker or correct kafka_bootstrap_servers (MLC_KAFKA_BOOTSTRAP_SERVERS)",
        )
    missing = [t.name for t in ALL_TOPICS if t.name not in have]
    wrong = [
        f"{t.name} has {have[t.name]} partitions, {t.partitions} declared"
        for t in ALL_TOPICS
        if t.name in have and have[t.name] != t.partitions
    ]
    if missing:
        return fail(
            name, f"missing topics: {', '.join(missing)}", "run `ml-connector topics --create`"
        )
    if wrong:
        return fail(
            name,
            "; ".join(wrong),
            "recreate the topic with the declared partitions (keys are hashed per partition "
            "count), or change the declaration in streams/topics.py and redeploy",
        )
    detail = f"{servers}: {len(ALL_TOPICS)} topics as declared"
    try:
        report = await asyncio.wait_for(
            partition_report(
                servers, [t.name for t in ALL_TOPICS[:2]], consumer_group(settings.app_id)
            ),
            timeout_s,
        )
    except Exception as exc:  # lag is informative only
        return warn(name, f"{detail}; lag unknown ({type(exc).__name__})")
    lag = sum(p.lag or 0 for p in report)
    if lag > LAG_WARNING:
        return warn(
            name,
            f"{detail}; consumer lag {lag} messages",
            "the worker is behind: check it runs, or add workers (same app_id) up to the "
            "partition count",
        )
    return ok(name, f"{detail}; consumer lag {lag}")
