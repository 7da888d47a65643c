"""Shipped chart subsets (SKR03/SKR04) and the BU key table, as Python constants."""

from __future__ import annotations

from domain.chart import Account, BuKey, Skr
from domain.skr.bu_keys import BU_KEYS
from domain.skr.skr03 import SKR03
from domain.skr.skr04 import SKR04


def shipped_accounts(skr: Skr) -> tuple[Account, ...]:
    """The construction-purchasing subset of SKR03 or SKR04 (4-digit numbers)."""
    return SKR03 if skr == "03" else SKR04


def shipped_bu_keys() -> tuple[BuKey, ...]:
    return BU_KEYS
