"""Read models of the month-end close: plan positions, record versions, a client's records.

Like every read model they follow ``LedgerView`` (``read_models``); record versions are read
from the log on each call, their contents being too large to keep in memory.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.source_document import SourceDocument
from streams.ledger.read_models import VERSIONS, view
from streams.ledger.store import LedgerStore


def plan_positions(ledger: LedgerStore) -> dict[UUID, int]:
    """Each record's latest ``LinesPlanned`` notification id."""
    return dict(view(ledger).planned_at)


def record_versions(ledger: LedgerStore) -> dict[UUID, list[tuple[int, dict[str, Any] | None]]]:
    """Every record version (None: deleted) by aggregate, with its ledger position.

    Read from the log on each call: the versions' contents are too large to keep in memory.
    """
    found: dict[UUID, list[tuple[int, dict[str, Any] | None]]] = {}
    for n in ledger.scan(VERSIONS):
        event: Any = ledger.decode(n)
        found.setdefault(UUID(str(n.originator_id)), []).append(
            (n.id, getattr(event, "record", None))
        )
    return found


def client_documents(ledger: LedgerStore, client_id: str) -> list[SourceDocument]:
    """The client's records, in the order they were first received."""
    rows = view(ledger).records
    mine = [agg_id for agg_id, row in list(rows.items()) if row.client_id == client_id]
    return [doc for agg_id in mine if (doc := ledger.document(agg_id)) is not None]
