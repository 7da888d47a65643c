"""The downstream half of the pipeline, in-process, against both emulators over real HTTP:
ledger (fold, decide) → seal → DocumentUploader (Procore PDF → DUO) → Submitter (EXTF jobs).

The parts come from the composition root (``build_parts``), as in the worker; the seams make
DATEV jobs due every round and the documents stage's retry waits instant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from adapters.datev.polling import PollPolicy
from adapters.vault import DatevCredentials, ProcoreCredentials, Vault, generate_key
from domain.reconciliation import reconcile
from emulators.datev import run_datev_emulator
from emulators.datev.server import DatevEmulator
from emulators.procore import mutations, run_procore_emulator
from emulators.procore.runner import ProcoreEmulator
from streams.bootstrap import Seams, build_parts
from streams.config.settings import DatevSettings, Settings
from streams.demo.environment import _datev_client, _login, _write_mapping
from streams.ledger.application import Ledger
from streams.ledger.rules import ClientRules, load_rules
from streams.stages.documents import DocumentUploader
from streams.stages.submit import INLINE_FIRST_POLL_S, Submitter
from tests.support.snapshots import all_snapshots, fold_each, snapshot
from tests.support.statuses import bookable_statuses

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
FAST = PollPolicy(first_delay_s=0, max_delay_s=0.001, max_gets=5)  # due every round


async def no_sleep(_: float) -> None:
    return None


@dataclass
class DeliveryStack:
    procore: ProcoreEmulator
    datev: DatevEmulator
    ledger: Ledger
    rules: ClientRules
    submitter: Submitter
    uploader: DocumentUploader
    vault: Vault
    offset: int = 0

    @property
    def state(self) -> Any:
        return self.procore.state

    def fold(self, *changes: Any) -> None:
        self.offset = fold_each(self.ledger, changes, self.offset)

    def backfill(self, now: datetime = NOW) -> None:
        self.fold(*all_snapshots(self.state))
        self.ledger.seal(self.rules, now)

    def fold_record(self, resource: str, rid: int) -> None:
        self.fold(snapshot(self.state, resource, rid))  # type: ignore[arg-type]

    def delete(self, resource: str, rid: int) -> None:
        gone = snapshot(self.state, resource, rid).model_copy(  # type: ignore[arg-type]
            update={"action": "delete", "record": None}
        )
        mutations.delete_record(self.state, resource, rid)  # type: ignore[arg-type]
        self.fold(gone)

    async def deliver(self, now: datetime = NOW) -> None:
        self.ledger.seal(self.rules, now)
        await self.uploader.run_once()
        await self.submitter.run_once()

    def approved(self) -> list[tuple[int | None, str, dict[str, Any]]]:
        return [
            (row.project_id, res, row.data)
            for res in ("requisition", "direct_cost")
            for row in self.state.rows[res].values()
            if row.data.get("status") in bookable_statuses(res)
        ]

    def datev_matches_procore(self) -> bool:
        rows = self.datev.state.bookings(self.rules.client_id)
        return reconcile(self.rules.mapping, self.rules.chart, self.approved(), rows).matches  # type: ignore[arg-type]


S = TypeVar("S", bound=DeliveryStack)


@asynccontextmanager
async def delivery_stack(
    tmp_path: Path,
    settings: Settings,
    stack_class: type[S] = DeliveryStack,  # type: ignore[assignment]
) -> AsyncIterator[S]:
    """Both emulators, a vault with the DATEV login, the ledger and the delivery stages."""
    async with run_procore_emulator(seed=7, size="small") as procore:
        mapping = _write_mapping(tmp_path, procore, "manual")
        declared = next(iter(load_rules([mapping]).clients.values()))  # for DATEV's client list
        datev_client = _datev_client(declared.chart, declared.mapping)
        async with (
            run_datev_emulator(clients=[datev_client]) as datev,
            httpx.AsyncClient(timeout=10) as http,
        ):
            settings = settings.model_copy(
                update={
                    "mappings": [mapping],
                    "procore": settings.procore.model_copy(
                        update={"base_url": procore.base_url, "auth_url": procore.auth_url}
                    ),
                    "datev": DatevSettings(**datev.settings_urls()),
                }
            )
            vault = Vault.open(tmp_path, generate_key(), None)
            vault.set_procore(
                ProcoreCredentials(
                    client_id=procore.client_id, client_secret=SecretStr(procore.client_secret)
                )
            )
            vault.set_datev(
                DatevCredentials(
                    client_id=datev.oauth_client_id,
                    client_secret=SecretStr(datev.oauth_client_secret),
                )
            )
            await _login(vault, datev)
            seams = Seams(vault=vault, datev_http=http, poll_policy=FAST, sleep=no_sleep)
            parts = build_parts(settings, seams)
            assert parts.rules and parts.submit and parts.documents and parts.procore
            # Rounds are driven by hand here: a job due within 2 s is polled in the same round.
            parts.submit.inline_first_poll_s = INLINE_FIRST_POLL_S
            client_rules = next(iter(parts.rules.clients.values()))
            async with parts.procore:
                yield stack_class(
                    procore=procore,
                    datev=datev,
                    ledger=parts.ledger,
                    rules=client_rules,
                    submitter=parts.submit,
                    uploader=parts.documents,
                    vault=vault,
                )
