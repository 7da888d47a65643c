"""Line-item changes → changes of their parent record (webhook payloads v2.0 and v4.0).

Only v3.0 names a line item's parent. For the others the fetch stage asks, in this order:
1. the index of line ids this process saw in the records it read (no Procore call);
2. direct cost lines: ``GET /rest/v1.0/projects/{id}/direct_costs/line_items?filters[id][]=…``,
   whose ``holder`` is the direct cost (one call);
3. commitment lines: Procore has no lookup by line id, so every commitment of that kind updated
   around the event (``filters[updated_at]``, one list call) is re-read — editing a line moves its
   contract's ``updated_at``.
A line whose parent is still unknown is parked with the reason (never dropped).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from adapters.procore.client import COMMITMENT_PATHS, ProcoreClient
from adapters.procore.reference import format_updated_range
from domain.changes import CommitmentKind, ProcoreChange, RecordRef, ResourceKind
from streams.ttl_cache import TtlCache

log = logging.getLogger(__name__)

INDEX_TTL_S = 24 * 3600.0
INDEX_ENTRIES = 100_000
AROUND_EVENT = timedelta(minutes=10)

LineKey = tuple[int, int, ResourceKind, int]  # company, project, line kind, line id
PARENT_OF: dict[str, ResourceKind] = {
    "direct_cost_line_item": "direct_cost",
    "commitment_line_item": "commitment",
}


class LineItemParents:
    """Remembers which record each line belongs to, and finds parents it has not seen."""

    def __init__(self, now: Any) -> None:
        self._index: TtlCache[LineKey, tuple[int, CommitmentKind | None]] = TtlCache(
            INDEX_TTL_S, INDEX_ENTRIES, now
        )

    def remember(self, ref: RecordRef, record: dict[str, Any]) -> None:
        """Index the line ids of a direct cost or commitment just read."""
        if ref.project_id is None or ref.resource not in ("direct_cost", "commitment"):
            return
        line_kind: ResourceKind = (
            "direct_cost_line_item" if ref.resource == "direct_cost" else "commitment_line_item"
        )
        kind = record.get("kind") if ref.resource == "commitment" else None
        for line in record.get("line_items") or []:
            line_id = line.get("id") if isinstance(line, dict) else None
            if isinstance(line_id, int):
                key = (ref.company_id, ref.project_id, line_kind, line_id)
                self._index.put(key, (ref.resource_id, kind))

    async def parents(self, client: ProcoreClient, change: ProcoreChange) -> list[ProcoreChange]:
        """The parent change(s) of a line-item change; empty when Procore knows no parent."""
        ref = change.ref
        if ref.project_id is None:
            return []
        parent_kind = PARENT_OF[ref.resource]
        known = self._index.get((ref.company_id, ref.project_id, ref.resource, ref.resource_id))
        if known is not None:
            return [_parent(change, parent_kind, known[0], known[1] or change.commitment_kind)]
        if ref.resource == "direct_cost_line_item":
            holder = await client.direct_cost_line_item_holder(
                ref.company_id, ref.project_id, ref.resource_id
            )
            return [] if holder is None else [_parent(change, "direct_cost", holder, None)]
        return await self._recent_commitments(client, change)

    async def _recent_commitments(
        self, client: ProcoreClient, change: ProcoreChange
    ) -> list[ProcoreChange]:
        ref = change.ref
        kinds = [change.commitment_kind] if change.commitment_kind else list(COMMITMENT_PATHS)
        window = (change.observed_at - AROUND_EVENT, change.observed_at + AROUND_EVENT)
        found: list[ProcoreChange] = []
        for kind in kinds:
            params = {
                "project_id": ref.project_id,
                "filters[updated_at]": format_updated_range(window),
            }
            async for item in client.iter_records(
                COMMITMENT_PATHS[kind], company_id=ref.company_id, params=params
            ):
                if isinstance(item.get("id"), int):
                    found.append(_parent(change, "commitment", item["id"], kind))
        log.info(
            "%s: parent not named by the webhook; re-reading %s commitment(s) updated around it",
            change.key,
            len(found),
        )
        return found


def _parent(
    change: ProcoreChange, kind: ResourceKind, parent_id: int, commitment: CommitmentKind | None
) -> ProcoreChange:
    ref = change.ref.model_copy(update={"resource": kind, "resource_id": parent_id})
    return change.model_copy(
        update={
            "ref": ref,
            "action": "update",
            "commitment_kind": commitment if kind == "commitment" else None,
        }
    )
