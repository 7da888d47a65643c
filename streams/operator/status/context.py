"""What every status-page handler receives: settings, ledger, rules and the worker's parts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry

from adapters.datev.login_state import read_login_state
from adapters.vault import Vault, VaultError
from streams.config.settings import Settings
from streams.ledger.application import Ledger
from streams.ledger.rules import BookingRules
from streams.operator.status import auth
from streams.operator.status.metrics import build_registry

Handler = Callable[["StatusContext", web.Request], Awaitable[web.StreamResponse]]


@dataclass
class StatusContext:
    settings: Settings
    ledger: Ledger
    rules: BookingRules | None
    vault: Vault | None = None
    gateway: Any = None  # DatevGateway of the submit stage, for its login_problem
    attachments: Any = None  # the Procore client: invoice PDFs shown in the review step
    throttle: auth.LoginThrottle = field(default_factory=auth.LoginThrottle)
    registry: CollectorRegistry = field(init=False)

    def __post_init__(self) -> None:
        self.registry = build_registry(self.ledger)

    def login_state(self) -> tuple[str, str]:
        problem = getattr(self.gateway, "login_problem", None)
        if problem:
            return problem, "fail"
        recorded = read_login_state(self.settings.data_dir)
        if recorded is not None:  # found by the worker's DATEV stages (any process)
            return recorded.describe(), "fail"
        if self.vault is None:
            return "not configured (no vault)", "warn"
        try:
            token = self.vault.read().datev_refresh
        except VaultError as exc:
            return str(exc), "fail"
        if token is None:
            return "no login stored — run `ml-connector datev login`", "fail"
        if token.expires_at is None:
            return "logged in (expiry unknown)", "ok"
        days = (token.expires_at - datetime.now(UTC)).days
        kind = "ok" if days >= 30 else ("warn" if days >= 0 else "fail")
        return f"logged in, valid until {token.expires_at:%Y-%m-%d} ({days} days)", kind
