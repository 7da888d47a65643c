"""What most operator commands need: settings, rules (if configured) and the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from streams.bootstrap import build_ledger, build_rules
from streams.config.settings import Settings, load_settings
from streams.ledger.application import Ledger
from streams.ledger.rules import BookingRules


@dataclass
class CommandContext:
    settings: Settings
    rules: BookingRules | None
    ledger: Ledger


def command_context(with_rules: bool = True) -> CommandContext:
    settings = load_settings()
    rules = build_rules(settings) if with_rules else None
    return CommandContext(settings, rules, build_ledger(settings, rules))
