"""The fetch stage's reads: a change carrying ids → the full record and what it refers to.

API economy: a record the poller listed whole (requisitions, vendors) costs nothing; a direct
cost or commitment costs its show only when some client books its status (``needs``, see
``domain.procore.needs``: Procore's lists lack line items and attachments), else it is kept as
listed; a requisition's commitment is read (once, cached by id) only when the requisition
books. List calls are cached per company/project for ``ttl_s`` (vendors and tax codes per
company, cost codes per project). PDFs are not downloaded here (the documents stage does that).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from adapters.procore.client import ProcoreClient
from adapters.procore.errors import ProcoreNotFoundError
from domain.changes import LINE_ITEM_KINDS, CommitmentKind, ProcoreChange, RecordRef
from domain.procore.needs import PARTIAL, ReadNeeds, partial_reason
from domain.procore.records import commitment_kind
from streams.inputs.code_store import CodeStore
from streams.inputs.line_items import LineItemParents
from streams.ttl_cache import TtlCache

log = logging.getLogger(__name__)

Json = dict[str, Any]
DEFAULT_TTL_S = 600.0
MISS_RELOAD_AFTER_S = 30.0  # a code missing from a fresher list is not re-listed per record

VENDORS_PATH = "/rest/v1.0/vendors"
TAX_CODES_PATH = "/rest/v1.0/tax_codes"
COST_CODES_PATH = "/rest/v1.0/cost_codes"


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _lines(record: Json | None) -> list[Json]:
    if not record:
        return []
    lines = [*(record.get("items") or []), *(record.get("line_items") or [])]
    return [line for line in lines if isinstance(line, dict)]


def referenced_codes(records: Iterable[Json | None]) -> tuple[set[int], set[int]]:
    """(cost code ids, tax code ids) referenced by the records' items and line items."""
    cost: set[int] = set()
    tax: set[int] = set()
    for record in records:
        for line in _lines(record):
            code = line.get("cost_code")
            ids = [line.get("cost_code_id"), code.get("id") if isinstance(code, dict) else None]
            cost.update(i for i in map(_int, ids) if i is not None)
            tax_id = _int(line.get("tax_code_id"))
            if tax_id is not None:
                tax.add(tax_id)
    return cost, tax


def vendor_id_of(record: Json, commitment: Json | None) -> int | None:
    """Requisitions/direct costs carry ``vendor_id``; commitments ``vendor.id``."""
    for source in (record, commitment or {}):
        vid = _int(source.get("vendor_id"))
        vendor = source.get("vendor")
        if vid is None and isinstance(vendor, dict):
            vid = _int(vendor.get("id"))
        if vid is not None:
            return vid
    return None


class ProcoreNotConfigured(Exception):
    """A change needs a Procore read but no Procore client is configured."""


class ProcoreSnapshotter:
    """Turns changes into snapshots: ``record`` (full JSON) and ``context`` (see module doc).

    Without a client (no Procore credentials), changes that carry their record pass through
    and the others raise :class:`ProcoreNotConfigured` (parked by the fetch agent).
    """

    def __init__(
        self,
        client: ProcoreClient | None,
        *,
        ttl_s: float = DEFAULT_TTL_S,
        max_entries: int = 256,
        now: Callable[[], float] | None = None,
        codes_file: Path | None = None,
        needs: Callable[[], ReadNeeds] | None = None,
    ) -> None:
        self._client = client
        self._needs = needs  # None: every record is read whole (its show, its commitment)
        clock = now or (client.clock.now if client is not None else time.time)
        self._clock = clock
        self._stored = None if codes_file is None else CodeStore(codes_file, ttl_s, clock)

        def cache() -> TtlCache[Any, Any]:
            return TtlCache(ttl_s, max_entries, clock)

        self._vendors: TtlCache[int, dict[int, Json | None]] = cache()
        self._tax_codes: TtlCache[int, dict[int, Json]] = cache()
        self._cost_codes: TtlCache[tuple[int, int], dict[int, Json]] = cache()
        self._commitments: TtlCache[tuple[int, int, int], Json | None] = TtlCache(
            ttl_s, max_entries * 16, clock
        )
        self.line_items = LineItemParents(clock)

    async def parents_of(self, change: ProcoreChange) -> list[ProcoreChange]:
        """A line-item change as change(s) of its parent (see ``streams.inputs.line_items``)."""
        return await self.line_items.parents(self.client, change)

    async def snapshot(self, change: ProcoreChange) -> ProcoreChange:
        """The change with ``record`` and ``context`` filled in (deletes pass through)."""
        if change.ref.resource in LINE_ITEM_KINDS:
            raise ValueError(f"{change.key}: resolve a line-item change with parents_of first")
        if change.action == "delete":
            return change
        if change.listed and change.record is not None:
            return await self._listed(change, change.record)
        if change.record is not None and (change.context is not None or _is_vendor(change)):
            return change
        if self._client is None:
            if change.record is not None:
                return change
            raise ProcoreNotConfigured(
                f"{change.key} needs a Procore read, but no Procore credentials are configured; "
                "add them to the vault (see docs/inputs.md) and replay the record"
            )
        record = change.record if change.record is not None else self._read_since(change)
        if record is None:
            record = await self.client.fetch_record(change.ref, change.commitment_kind)
            if record is None:
                log.info("%s: Procore answers 404; treating it as deleted", change.key)
                return change.model_copy(update={"action": "delete", "record": None})
        if _is_vendor(change):
            self._remember_vendor(change.ref.company_id, record)
            return change.model_copy(update={"record": record, "context": None})
        self.line_items.remember(change.ref, record)
        if change.ref.resource == "commitment" and change.ref.project_id is not None:
            ckey = (change.ref.company_id, change.ref.project_id, change.ref.resource_id)
            self._commitments.put(ckey, record)
        # A requisition comes whole from its list; its commitment is read only if it books.
        books = change.ref.resource != "requisition" or self._books("requisition", record)
        context = await self.context_for(change.ref, record, full=books)
        if not books:
            context[PARTIAL] = partial_reason(change.ref.resource, record)
        return change.model_copy(update={"record": record, "context": context})

    async def _listed(self, change: ProcoreChange, record: Json) -> ProcoreChange:
        """A record as its list returns it: kept when no client books its status (the show
        would add line items and attachments nobody books), else read whole."""
        if self._books(change.ref.resource, record):
            whole = change.model_copy(update={"record": None, "listed": False})
            return await self.snapshot(whole)
        if self._client is None:
            raise ProcoreNotConfigured(f"{change.key}: no Procore client configured")
        context = await self.context_for(change.ref, record, full=False)
        context[PARTIAL] = partial_reason(change.ref.resource, record)
        return change.model_copy(update={"context": context})

    def _books(self, resource: str, record: Json) -> bool:
        return self._needs is None or self._needs().books(resource, record)

    async def context_for(self, ref: RecordRef, record: Json, *, full: bool = True) -> Json:
        """``vendor``, ``commitment`` (requisitions), ``cost_codes``, ``tax_codes``; without
        ``full`` (the record books nowhere) only the vendor, from the cached vendor list."""
        commitment: Json | None = None
        if full and ref.resource == "requisition" and ref.project_id is not None:
            cid = _int(record.get("commitment_id"))
            if cid is not None:
                kind = commitment_kind(record.get("commitment_type"))
                commitment = await self._commitment(ref.company_id, ref.project_id, cid, kind)
        vendor_id = vendor_id_of(record, commitment)
        vendor = None if vendor_id is None else await self._vendor(ref.company_id, vendor_id)
        cost_ids, tax_ids = referenced_codes([record, commitment]) if full else (set(), set())
        cost_codes: list[Json] = []
        if cost_ids and ref.project_id is not None:
            cost_codes = await self._pick(
                self._cost_codes,
                (ref.company_id, ref.project_id),
                f"cost_codes:{ref.company_id}:{ref.project_id}",
                cost_ids,
                lambda: self._list(COST_CODES_PATH, ref.company_id, {"project_id": ref.project_id}),
            )
        tax_codes: list[Json] = []
        if tax_ids:
            tax_codes = await self._pick(
                self._tax_codes,
                ref.company_id,
                f"tax_codes:{ref.company_id}",
                tax_ids,
                lambda: self._list(TAX_CODES_PATH, ref.company_id, {"company_id": ref.company_id}),
            )
        return {
            "vendor": vendor,
            "commitment": commitment,
            "cost_codes": cost_codes,
            "tax_codes": tax_codes,
        }

    def _read_since(self, change: ProcoreChange) -> Json | None:
        """A commitment this stage read after the change was observed (e.g. as a requisition's
        context moments ago) is current: commitments are read once per change, not twice."""
        if change.ref.resource != "commitment" or change.ref.project_id is None:
            return None
        key = (change.ref.company_id, change.ref.project_id, change.ref.resource_id)
        age = self._commitments.age(key)
        if age is None or self._clock() - age < change.observed_at.timestamp():
            return None
        return self._commitments.get(key)

    @property
    def client(self) -> ProcoreClient:
        if self._client is None:
            raise ProcoreNotConfigured("no Procore client configured")
        return self._client

    # -- cached reads ---------------------------------------------------------------------

    async def _list(self, path: str, company: int, params: dict[str, Any]) -> dict[int, Json]:
        found: dict[int, Json] = {}
        async for item in self.client.iter_records(path, company_id=company, params=params):
            item_id = _int(item.get("id"))
            if item_id is not None:
                found[item_id] = item
        return found

    async def _pick(
        self,
        cache: TtlCache[Any, dict[int, Json]],
        key: Any,
        name: str,
        wanted: set[int],
        load: Callable[[], Any],
    ) -> list[Json]:
        """The wanted entries of a cached list; a miss reloads the list once (new codes)."""
        table = cache.get(key)
        if table is None and self._stored is not None:
            stored = self._stored.get(name)  # read before a restart, still within ttl_s
            if stored is not None:
                cache.put(key, stored[1], stored_at=stored[0])
                table = stored[1]
        age = cache.age(key)
        stale_for_miss = age is None or age >= MISS_RELOAD_AFTER_S
        if table is None or (not wanted <= table.keys() and stale_for_miss):
            table = await load()
            cache.put(key, table)
            if self._stored is not None:
                self._stored.put(name, table)
        missing = sorted(wanted - table.keys())
        if missing:
            log.warning("ids %s not found in Procore list for %s", missing, key)
        return [table[i] for i in sorted(wanted) if i in table]

    async def _vendor(self, company_id: int, vendor_id: int) -> Json | None:
        table = self._vendors.get(company_id)
        if table is None:
            table = dict(await self._list(VENDORS_PATH, company_id, {"company_id": company_id}))
            self._vendors.put(company_id, table)
        if vendor_id not in table:  # created since the list was read: one show call
            ref = RecordRef(
                company_id=company_id, project_id=None, resource="vendor", resource_id=vendor_id
            )
            table[vendor_id] = await self.client.fetch_record(ref)  # None = gone (cached)
        return table[vendor_id]

    def _remember_vendor(self, company_id: int, record: Json) -> None:
        table = self._vendors.get(company_id)
        vid = _int(record.get("id"))
        if table is not None and vid is not None:
            table[vid] = record

    async def _commitment(
        self, company_id: int, project_id: int, cid: int, kind: CommitmentKind | None
    ) -> Json | None:
        key = (company_id, project_id, cid)
        cached = self._commitments.get(key)
        if cached is not None:
            return cached
        try:
            commitment = await self.client.get_commitment_raw(company_id, project_id, cid, kind)
        except ProcoreNotFoundError:
            log.warning("commitment %s of project %s not found in Procore", cid, project_id)
            return None
        self._commitments.put(key, commitment)
        return commitment


def _is_vendor(change: ProcoreChange) -> bool:
    return change.ref.resource == "vendor"
