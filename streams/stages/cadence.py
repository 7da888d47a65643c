"""Cadence: seal each DATEV client's pending lines when its schedule says so."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime

from domain.sealing import SealResult
from streams.ledger.application import Ledger
from streams.ledger.rules import BookingRules

log = logging.getLogger(__name__)


def local_now() -> datetime:
    return datetime.now().astimezone()


class SealScheduler:
    def __init__(
        self,
        ledger: Ledger,
        rules: BookingRules,
        now: Callable[[], datetime] = local_now,
        documents: bool = False,
    ) -> None:
        self.ledger = ledger
        self.documents = documents  # a documents stage uploads PDFs: linking records wait for it
        self.rules = rules
        self.now = now
        self.last_seal: dict[str, datetime | None] = {}  # read from the ledger on first use

    def run_once(self, clients: Collection[str] | None = None) -> dict[str, SealResult]:
        """Seal every client (of ``clients``, default all) whose cadence is due.

        Returns what was sealed per client.
        """
        results: dict[str, SealResult] = {}
        now = self.now()
        for client_id, rules in self.rules.clients.items():
            if clients is not None and client_id not in clients:
                continue
            if client_id not in self.last_seal:
                self.last_seal[client_id] = self.ledger.seal_clock(client_id).last_seal
            if not rules.cadence.due(self.last_seal[client_id], now):
                continue
            scheduled = rules.cadence.kind in ("every", "daily")  # the others never wait
            result = self.ledger.seal(rules, now, scheduled=scheduled, documents=self.documents)
            self.last_seal[client_id] = now
            if result.batch_ids:
                log.info(
                    "sealed %d line(s) of %d record(s) for %s into %d batch(es)",
                    result.lines,
                    result.records,
                    client_id,
                    len(result.batch_ids),
                )
                results[client_id] = result
        return results
