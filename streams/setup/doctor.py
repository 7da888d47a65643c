"""``ml-connector doctor``: ping every system the connector depends on, one check at a time.

Each check is a small function returning :class:`Check` (name, verdict, detail, fix). A check
never raises: whatever goes wrong becomes a red line with the fix a person can carry out.
Procore and DATEV checks live in :mod:`streams.setup.doctor_remote`.
"""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from adapters.kafka.admin import KafkaUnavailable, existing_partitions, partition_report
from adapters.vault import Vault, VaultError, load_keys
from streams.config.settings import Settings
from streams.errors import ConnectorError
from streams.ledger.eventstore import describe_event_store
from streams.ledger.rules import BookingRules, load_rules
from streams.topics import ALL_TOPICS, consumer_group

Verdict = Literal["ok", "warn", "fail"]
LAG_WARNING = 1000


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    name: str
    verdict: Verdict
    detail: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        return self.verdict == "fail"


def ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def warn(name: str, detail: str, fix: str = "") -> Check:
    return Check(name, "warn", detail, fix)


def fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, "fail", detail, fix)


# -- local checks ------------------------------------------------------------------------------


def check_vault(settings: Settings) -> tuple[Check, Vault | None]:
    """Key configured, key file private, vault decryptable; which credentials it holds."""
    name = "vault"
    vs = settings.vault
    if vs.key is None and vs.key_file is None:
        return (
            fail(
                name,
                "no vault key configured",
                "create one with `ml-connector vault init-key` and set vault.key_file "
                "(or MLC_VAULT__KEY)",
            ),
            None,
        )
    if vs.key is None and vs.key_file is not None and vs.key_file.exists():
        mode = stat.S_IMODE(vs.key_file.stat().st_mode)
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            return (
                fail(
                    name,
                    f"key file {vs.key_file} is readable by group or others (mode {mode:o})",
                    f"run `chmod 600 {vs.key_file}`",
                ),
                None,
            )
    try:
        vault = Vault(settings.data_dir / "credentials.vault", load_keys(vs.key, vs.key_file))
        secrets = vault.read()
    except VaultError as exc:
        return fail(name, str(exc), "check vault.key / vault.key_file"), None
    held = [n for n in ("procore", "datev", "datev_refresh") if getattr(secrets, n) is not None]
    if not vault.path.exists():
        return (
            warn(
                name,
                f"key readable; {vault.path} not created yet",
                "store credentials: `ml-connector vault procore-credentials`, "
                "`ml-connector datev credentials`",
            ),
            vault,
        )
    return ok(name, f"{vault.path} decrypts; holds {', '.join(held) or 'nothing'}"), vault


def check_mapping(settings: Settings) -> tuple[Check, BookingRules | None]:
    name = "mapping"
    if not settings.mappings:
        return (
            warn(
                name,
                "no mapping files configured: records are stored, not booked",
                "set `mappings` (MLC_MAPPINGS) to your mapping TOML files",
            ),
            None,
        )
    try:
        rules = load_rules(settings.mappings)
    except ConnectorError as exc:
        return fail(name, str(exc), "edit the mapping, then `ml-connector mapping check`"), None
    clients = ", ".join(
        f"{c.client_id} ({len(c.mapping.cost_accounts)} cost rules, cadence {c.cadence.describe()})"
        for c in rules.clients.values()
    )
    return ok(name, f"valid against the declared charts: {clients}"), rules


async def check_kafka(settings: Settings, timeout_s: float) -> Check:
    """Broker reachable, declared topics present with their partitions; consumer lag."""
    name = "kafka"
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


def check_event_store(settings: Settings) -> tuple[Check, object | None]:
    """The store answers and its tables exist (created on first use)."""
    from streams.bootstrap import build_ledger

    name = "event store"
    where = describe_event_store(settings)
    try:
        ledger = build_ledger(settings)
        last = ledger.recorder.max_notification_id() or 0
    except Exception as exc:
        return (
            fail(
                name,
                f"{where}: {type(exc).__name__}: {exc}",
                "check the postgres settings (host, dbname, user, password) and that the "
                "server runs; for SQLite that data_dir is writable",
            ),
            None,
        )
    return ok(name, f"{where}: reachable, {last} events"), ledger


def check_backlog(ledger: object) -> Check:
    """Parked records (warn) and failed DATEV batches (fail: a person must act)."""
    from streams.ledger.application import Ledger
    from streams.operator.actions import batch_rows, parked

    assert isinstance(ledger, Ledger)
    name = "backlog"
    stuck = parked(ledger)
    failed = batch_rows(ledger, "failed")
    detail = f"{len(stuck)} parked record(s), {len(failed)} failed batch(es)"
    if failed:
        first = failed[0]
        return fail(
            name,
            f"{detail}; e.g. batch {str(first.batch_id)[:8]}: {first.failure}",
            "read DATEV's messages on the status page, fix the cause, then "
            f"`ml-connector replay batch {str(first.batch_id)[:8]}`",
        )
    if stuck:
        return warn(
            name,
            f"{detail}; e.g. {stuck[0].key}: {stuck[0].reason}",
            "fix the mapping or the record in Procore, then replay it from the status page",
        )
    return ok(name, detail)


# -- running everything ------------------------------------------------------------------------


async def _guard(name: str, step: Callable[[], Awaitable[list[Check]]]) -> list[Check]:
    try:
        return await step()
    except Exception as exc:  # a check must never crash the checklist
        return [fail(name, f"unexpected {type(exc).__name__}: {exc}", "report this as a bug")]


async def run_doctor(settings: Settings, timeout_s: float = 10.0) -> list[Check]:
    """Every check, in the order a person would fix things."""
    from streams.setup.doctor_remote import datev_checks, procore_checks

    checks = [ok("settings", "valid")]
    vault_check, vault = check_vault(settings)
    checks.append(vault_check)
    mapping_check, rules = check_mapping(settings)
    checks.append(mapping_check)
    checks += await _guard("procore", lambda: procore_checks(settings, vault, rules, timeout_s))
    checks += await _guard("datev", lambda: datev_checks(settings, vault, rules, timeout_s))
    checks.append(await check_kafka(settings, timeout_s))
    store_check, ledger = await asyncio.to_thread(check_event_store, settings)
    checks.append(store_check)
    if ledger is not None:
        checks.append(await asyncio.to_thread(check_backlog, ledger))
    return checks
