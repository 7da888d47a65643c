"""Scan a finished run's files and CLI output for every configured secret and issued token."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from streams.demo.environment import WEBHOOK_SECRET, DemoEnvironment

CLI_COMMANDS: list[list[str]] = [["batches"], ["parked"], ["doctor"], ["datev", "status"]]


def secrets_of(env: DemoEnvironment) -> dict[str, str]:
    """Name → value of everything that must never appear in plain text."""
    found = {
        "Procore client secret": env.procore.client_secret,
        "DATEV client secret": env.datev.oauth_client_secret,
        "vault key": env.vault_key.get_secret_value(),
        "webhook secret": WEBHOOK_SECRET,
    }
    for i, token in enumerate(env.procore.ctx.tokens):
        found[f"Procore access token {i}"] = token
    auth = env.datev.auth
    for kind, tokens in (("access", auth.access), ("refresh", auth.refresh), ("code", auth.codes)):
        for i, token in enumerate(tokens):
            found[f"DATEV {kind} token {i}"] = token
    return {name: value for name, value in found.items() if len(value) >= 8}


def cli_output(env_vars: dict[str, str], args: list[str], cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "streams.cli", *args],
        env=env_vars,
        cwd=cwd,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return (done.stdout + done.stderr).decode("utf-8", "replace")


@dataclass(frozen=True)
class Leak:
    secret: str
    where: str


def scan(secrets: dict[str, str], places: dict[str, bytes]) -> list[Leak]:
    leaks = []
    for where, data in places.items():
        for name, value in secrets.items():
            if value.encode() in data:
                leaks.append(Leak(name, where))
    return leaks


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
