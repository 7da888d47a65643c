"""The ``BelegfeldRegistry`` aggregate: Belegfeld 1 values issued per creditor and fiscal year.

Two different invoices must never share a Belegfeld 1 for the same creditor in one fiscal year
(DATEV's open items and duplicate check key on it). Derivation proposes a value
(``BelegfeldClaim``); the registry of the claim's scope confirms it or resolves a collision:

* a value already held by the same record stays with it (re-derivation changes nothing);
* a free value is issued to the record;
* a value held by another record becomes ``<prefix>-<6 hex>``, the hex from the raw invoice
  number and the claiming record's Procore reference — the same input gives the same value on
  every install. The raw number goes into Beleginfo ``Rechnungsnummer``, and the note naming
  both invoices goes into the audit trail.

One aggregate per (client, creditor, fiscal year) keeps each small and is exactly the scope of
the rule. Issuing is an event, saved in the fold's transaction: exactly-once like everything
else.
"""

from __future__ import annotations

import uuid
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.booking import BelegfeldClaim, Planned
from domain.derivation.lines import RAW_NUMBER
from domain.text import BELEGFELD_MAX, raw_digest, truncate

BELEGFELD_NAMESPACE = uuid.UUID("2f8d4c61-9b3e-4a57-8e12-6c0b7d9a5e34")


def registry_id(client_id: str, creditor: int, fiscal_year_start: date) -> UUID:
    return uuid.uuid5(BELEGFELD_NAMESPACE, f"{client_id}:{creditor}:{fiscal_year_start}")


class BelegfeldRegistry(Aggregate):
    """Issued Belegfeld 1 values of one creditor in one fiscal year of one DATEV client."""

    INITIAL_VERSION = 1

    @staticmethod
    def create_id(client_id: str, creditor: int, fiscal_year_start: str) -> UUID:
        return registry_id(client_id, creditor, date.fromisoformat(fiscal_year_start))

    @event("Opened")
    def __init__(self, client_id: str, creditor: int, fiscal_year_start: str) -> None:
        self.client_id = client_id
        self.creditor = creditor
        self.fiscal_year_start = fiscal_year_start
        self.holders: dict[str, str] = {}  # value -> record key holding it
        self.issued: dict[str, dict[str, str]] = {}  # record key -> {raw number: value}
        self.raw_of: dict[str, str] = {}  # value -> raw number it was issued for

    @event("Issued")
    def issue(
        self, holder: str, raw: str, value: str, wanted: str, collided_with: str | None
    ) -> None:
        self.holders[value] = holder
        self.issued.setdefault(holder, {})[raw] = value
        self.raw_of[value] = raw

    def resolve(self, holder: str, raw: str, wanted: str) -> str:
        """The value ``holder`` books ``raw`` under; issues it (an event) when it is new."""
        if self.holders.get(wanted) == holder:
            return wanted
        prior = self.issued.get(holder, {}).get(raw)
        if prior is not None:
            return prior
        if wanted not in self.holders:
            self.issue(holder=holder, raw=raw, value=wanted, wanted=wanted, collided_with=None)
            return wanted
        value = _suffixed(wanted, raw, holder, self.holders)
        self.issue(
            holder=holder, raw=raw, value=value, wanted=wanted, collided_with=self.holders[wanted]
        )
        return value


def _suffixed(wanted: str, raw: str, holder: str, taken: dict[str, str]) -> str:
    digest = raw_digest(raw, holder)
    for width in (6, 8, 10, 12):
        candidate = f"{wanted[: BELEGFELD_MAX - width - 1]}-{digest[:width]}"
        if candidate not in taken:
            return candidate
    raise ValueError(f"cannot build a unique Belegfeld 1 for {raw!r} of {holder}")


def new_registry(client_id: str, claim: BelegfeldClaim) -> BelegfeldRegistry:
    return BelegfeldRegistry(
        client_id=client_id,
        creditor=claim.creditor,
        fiscal_year_start=claim.fiscal_year_start.isoformat(),
    )


def assign_belegfeld(result: Planned, holder: str, registry: BelegfeldRegistry) -> Planned:
    """``result`` with a Belegfeld 1 that no other invoice of its scope holds.

    A changed value is written on every line that carried the provisional one, the raw number
    is kept in Beleginfo and the audit note names the invoice that holds the wanted value.
    """
    claim = result.belegfeld
    if claim is None:
        return result
    value = registry.resolve(holder, claim.raw, claim.value)
    if value == claim.value:
        return result
    other = registry.holders.get(claim.value, "?")
    other_raw = registry.raw_of.get(claim.value, claim.value)
    note = (
        f"Belegfeld 1 {claim.value!r} is already used by invoice {other_raw!r} ({other}) of "
        f"creditor {claim.creditor} in the fiscal year from {claim.fiscal_year_start}; "
        f"invoice {claim.raw!r} is booked as {value!r} (raw number in Beleginfo "
        f"'{RAW_NUMBER}')"
    )
    raw_pair = (RAW_NUMBER, truncate(claim.raw, 210)[0])
    lines = []
    for line in result.lines:
        if line.belegfeld1 != claim.value:
            lines.append(line)
            continue
        info = line.beleginfo
        if raw_pair not in info and len(info) < 8:
            info = (*info, raw_pair)
        lines.append(line.model_copy(update={"belegfeld1": value, "beleginfo": info}))
    return result.model_copy(
        update={
            "lines": tuple(lines),
            "notes": (*result.notes, note),
            "belegfeld": claim.model_copy(update={"value": value}),
        }
    )
