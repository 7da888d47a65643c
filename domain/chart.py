"""The declared chart of accounts: which accounts exist, what kind they are, which BU keys fit.

DATEV will not tell us its chart, so the user declares it: a shipped SKR03/SKR04 subset for
construction purchasing (``domain/skr``) plus their own additions. Every mapping target and every
booking line is checked against it, so a BU key never lands on an automatic account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Skr = Literal["03", "04"]
AccountKind = Literal["expense", "automatic", "tax", "creditor_collective", "liability", "other"]
TaxKind = Literal["input_vat", "reverse_charge", "eu_acquisition"]


class Account(BaseModel):
    """One declared G/L account (Sachkonto) at the client's account length."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1, le=99_999_999)
    name: str = Field(min_length=1, max_length=80)
    kind: AccountKind
    automatic_tax: TaxKind | None = None
    automatic_rate: Decimal | None = None
    bu_keys: frozenset[str] = frozenset()
    confirmed: bool = True

    @property
    def is_automatic(self) -> bool:
        return self.kind == "automatic"


class BuKey(BaseModel):
    """One declared BU key (tax key) usable on plain expense accounts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[0-9]{1,4}$")
    meaning: str
    tax_kind: TaxKind
    rate: Decimal
    confirmed: bool = True


class Chart(BaseModel):
    """A client's declared chart: accounts by number plus the BU key table for its SKR."""

    model_config = ConfigDict(frozen=True)

    skr: Skr
    account_length: int = Field(ge=4, le=8)
    accounts: Mapping[int, Account]
    bu_keys: Mapping[str, BuKey]

    def account(self, number: int) -> Account | None:
        return self.accounts.get(number)

    @property
    def creditor_range(self) -> tuple[int, int]:
        return creditor_range(self.account_length)

    def is_creditor(self, number: int) -> bool:
        low, high = self.creditor_range
        return low <= number <= high


def creditor_range(account_length: int) -> tuple[int, int]:
    """Kreditoren range for a Sachkontenlänge: 4 → 70000–99999, 5 → 700000–999999, …"""
    if not 4 <= account_length <= 8:
        raise ValueError(f"account length must be 4–8, got {account_length}")
    return 7 * 10**account_length, 10 ** (account_length + 1) - 1


def scale_account(number4: int, account_length: int) -> int:
    """A 4-digit SKR account at a longer account length (DATEV pads with zeros on the right)."""
    return int(number4 * 10 ** (account_length - 4))


def build_chart(
    skr: Skr,
    account_length: int,
    additions: Iterable[Account] = (),
    *,
    include_shipped: bool = True,
) -> Chart:
    """The shipped SKR subset at ``account_length`` plus user ``additions`` (these win)."""
    from domain.skr import shipped_accounts, shipped_bu_keys

    accounts: dict[int, Account] = {}
    if include_shipped:
        for acc in shipped_accounts(skr):
            scaled = acc.model_copy(update={"number": scale_account(acc.number, account_length)})
            accounts[scaled.number] = scaled
    for acc in additions:
        accounts[acc.number] = acc
    return Chart(
        skr=skr,
        account_length=account_length,
        accounts=dict(sorted(accounts.items())),
        bu_keys={k.code: k for k in shipped_bu_keys()},
    )
