"""The types every check module shares: a checklist line and the context checks read from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from adapters.procore.client import ProcoreClient
from adapters.vault import Vault
from streams.config.settings import Settings
from streams.ledger.application import Ledger
from streams.ledger.rules import BookingRules

Verdict = Literal["ok", "warn", "fail"]


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


ProcoreFactory = Callable[[Settings, Vault | None], ProcoreClient | None]
LedgerFactory = Callable[[Settings], Ledger]


@dataclass
class DoctorContext:
    """What checks read: the settings, the builders of the composition root, earlier findings.

    The builders are passed in by the command (which may import the composition root) so the
    checks never climb up to it.
    """

    settings: Settings
    build_procore: ProcoreFactory
    build_ledger: LedgerFactory
    timeout_s: float = 10.0
    vault: Vault | None = None
    rules: BookingRules | None = None
    ledger: Ledger | None = None
    notes: dict[str, object] = field(default_factory=dict)  # for checks of other modules
