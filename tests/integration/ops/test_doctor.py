"""`ml-connector doctor` against the emulators: all green, and each red case with its message."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from pydantic import SecretStr
from typer.testing import CliRunner

from adapters.kafka.embedded import free_port
from adapters.vault import ProcoreCredentials, Vault
from streams.bootstrap import build_procore
from streams.commands import doctor as doctor_command
from streams.commands import webhooks as webhooks_command
from streams.commands.doctor import run_doctor
from streams.config.settings import Settings
from streams.demo.environment import DemoEnvironment
from streams.setup.checks.base import Check
from streams.setup.webhooks import register_webhooks
from streams.topics import ALL_TOPICS

cli_app = typer.Typer()
cli_app.callback()(lambda: None)  # keep `doctor` a subcommand, as in the real CLI
doctor_command.register(cli_app)
webhooks_command.register(cli_app)


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def red(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks if c.verdict == "fail"}


async def test_all_green_against_the_emulators(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings]
) -> None:
    settings = demo_settings()
    vault = Vault.open(settings.data_dir, settings.vault.key, None)
    done = await register_webhooks(settings, build_procore(settings, vault), None)
    assert len(done) == 1 and "hook" in done[0]
    checks = await run_doctor(settings, timeout_s=5)
    assert red(checks) == {}, [(c.name, c.detail) for c in checks]
    assert [c.name for c in checks if c.verdict == "warn"] == []
    names = by_name(checks)
    company = demo.procore.company_id
    assert "readable in every tool" in names[f"procore company {company}"].detail
    assert "refresh works; login valid until" in names["datev login"].detail
    assert "Rechnungseingang" in names[f"datev client {demo.mapping.client_id}"].detail
    assert f"{len(ALL_TOPICS)} topics as declared" in names["kafka"].detail
    assert names["backlog"].detail == "0 parked record(s), 0 failed batch(es)"


async def test_the_cli_prints_the_checklist_and_fails_on_red(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings]
) -> None:
    demo_settings()  # sets the environment; webhooks not registered yet
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, ["doctor", "--timeout", "5"])
    assert result.exit_code == 1, result.output
    assert "no webhook delivers to https://connector.example.test" in result.output
    assert "fix: run `ml-connector webhooks register`" in result.output
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, ["webhooks", "register"])
    assert result.exit_code == 0, result.output
    assert "webhooks: company" in result.output and "trigger(s) added" in result.output
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, ["doctor", "--timeout", "5"])
    assert result.exit_code == 0, result.output
    assert "all good" in result.output


async def test_wrong_procore_secret(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings]
) -> None:
    settings = demo_settings()
    vault = Vault.open(settings.data_dir, settings.vault.key, None)
    vault.set_procore(
        ProcoreCredentials(client_id=demo.procore.client_id, client_secret=SecretStr("wrong"))
    )
    failed = red(await run_doctor(settings, timeout_s=5))
    assert "Procore refused the service-account credentials" in failed["procore token"].detail
    assert "vault procore-credentials" in failed["procore token"].fix


async def test_project_tool_not_permitted_is_a_configuration_problem(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings]
) -> None:
    settings = demo_settings()
    project = demo.procore.project_ids()[0]
    demo.procore.set_faults(forbidden_projects=[project])
    failed = red(await run_doctor(settings, timeout_s=5))
    check = failed[f"procore company {demo.procore.company_id}"]
    assert f"project {project}" in check.detail or str(project) in check.detail
    assert "permitted" in check.fix or "permitted" in check.detail


async def test_revoked_datev_login(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings]
) -> None:
    settings = demo_settings()
    demo.datev.auth.revoke_refresh_tokens()
    failed = red(await run_doctor(settings, timeout_s=5))
    assert "refresh failed: DATEV login expired" in failed["datev login"].detail
    assert "ml-connector datev login" in failed["datev login"].fix


async def test_unknown_account_in_mapping(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    text = demo.mapping_path.read_text()
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('"L" = 3100', '"L" = 4999', 1), encoding="utf-8")
    assert broken.read_text() != text
    settings = demo_settings(MLC_MAPPINGS=f'["{broken}"]')
    failed = red(await run_doctor(settings, timeout_s=5))
    assert "4999" in failed["mapping"].detail
    assert "mapping check" in failed["mapping"].fix


async def test_broker_down(demo: DemoEnvironment, demo_settings: Callable[..., Settings]) -> None:
    settings = demo_settings(MLC_KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}")
    failed = red(await run_doctor(settings, timeout_s=3))
    assert "cannot reach Kafka at 127.0.0.1:" in failed["kafka"].detail
    assert "MLC_KAFKA_BOOTSTRAP_SERVERS" in failed["kafka"].fix


async def test_missing_webhook(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings]
) -> None:
    settings = demo_settings()
    failed = red(await run_doctor(settings, timeout_s=5))
    check = failed[f"procore webhooks {demo.procore.company_id}"]
    assert check.detail == "no webhook delivers to https://connector.example.test/webhooks/procore"
    assert set(failed) == {check.name}  # nothing else is red


def test_bad_settings_are_one_red_line(monkeypatch) -> None:
    monkeypatch.setenv("MLC_WEB_PORT", "not-a-port")
    result = CliRunner().invoke(cli_app, ["doctor"])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "web_port" in result.output


async def test_data_readable_by_others_is_red(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings]
) -> None:
    settings = demo_settings()
    assert by_name(await run_doctor(settings, timeout_s=5))["data directory"].verdict == "ok"
    vault_file = settings.data_dir / "credentials.vault"
    vault_file.chmod(0o644)
    check = red(await run_doctor(settings, timeout_s=5))["data directory"]
    assert f"{vault_file} (644)" in check.detail and "IBAN" in check.detail
    assert check.fix == f"run `chmod -R go-rwx {settings.data_dir}`"


def test_the_worker_warns_when_data_is_readable_by_others(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from streams.commands.worker import preflight

    settings = Settings(data_dir=tmp_path / "data", web_port=free_port())
    preflight(settings)
    assert (settings.data_dir.stat().st_mode & 0o777) == 0o700
    assert not caplog.records
    leaked = settings.data_dir / "events.sqlite3"
    leaked.write_bytes(b"")
    leaked.chmod(0o640)
    preflight(settings)
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert f"{leaked} (640)" in warning.getMessage()
    assert "chmod -R go-rwx" in warning.getMessage()


async def test_datev_client_setup_per_schnittstellenvorgaben(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings]
) -> None:
    settings = demo_settings()
    client = demo.datev.state.clients[demo.mapping.client_id]
    client.services = ("Rechnungsdatenservice 1.0",)  # neither booking nor document service
    client.document_management = False
    client.chart = dataclasses.replace(client.chart, account_length=5)
    check = red(await run_doctor(settings, timeout_s=5))[f"datev client {demo.mapping.client_id}"]
    assert "no Buchungsdatenservice" in check.detail and "Belegbilderservice" in check.detail
    assert "document management" in check.detail and "account length in DATEV is 5" in check.detail


async def test_a_dxso_client_needs_rechnungsdatenservice_not_the_extf_services(
    demo: DemoEnvironment, demo_settings: Callable[..., Settings]
) -> None:
    demo.mapping_path.write_text(
        demo.mapping_path.read_text() + '\n[delivery]\ndestination = "dxso"\n'
    )
    settings = demo_settings()
    name = f"datev client {demo.mapping.client_id}"
    client = demo.datev.state.clients[demo.mapping.client_id]
    client.services = ("Buchungsdatenservice", "Belegbilderservice")
    check = red(await run_doctor(settings, timeout_s=5))[name]
    assert (
        "no Rechnungsdatenservice 1.0" in check.detail
        and "Buchungsdatenservice" not in check.detail
    )
    client.services = ("Rechnungsdatenservice 1.0",)
    check = by_name(await run_doctor(settings, timeout_s=5))[name]
    assert check.verdict == "ok" and "Rechnungsdatenservice 1.0 booked" in check.detail, check
