"""Procore resource methods: the calls the connector makes, with real paths and parameters.

List methods stream records page by page (``per_page`` at a time) as pydantic models; the
``*_raw`` variants and :meth:`ProcoreClient.fetch_record` return the JSON dicts as Procore sent
them (plus ``kind`` on commitments), which is what the pipeline hashes and folds. Companies,
projects, vendors and codes are read by the base class in ``reference``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from adapters.procore.downloads import ProcoreDownloads
from adapters.procore.errors import ProcoreError, ProcoreNotFoundError
from adapters.procore.reference import (
    ProcoreReferenceClient,
    UpdatedRange,
    parse_record,
    updated_filter,
)
from adapters.procore.transport import OnPage
from domain.changes import CommitmentKind, RecordRef, ResourceKind
from domain.procore.records import Commitment, DirectCost, Requisition, commitment_kind

COMMITMENT_PATHS: dict[CommitmentKind, str] = {
    "purchase_order_contract": "/rest/v1.0/purchase_order_contracts",
    "work_order_contract": "/rest/v1.0/work_order_contracts",
}


class ProcoreClient(ProcoreReferenceClient, ProcoreDownloads):
    """Typed access to the Procore resources ml-connector reads."""

    # -- project level: the spend records --------------------------------------------------

    async def list_requisitions_raw(
        self,
        company_id: int,
        project_id: int,
        updated_range: UpdatedRange | None = None,
        *,
        on_page: OnPage | None = None,
        view: str | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Requisitions of a project; ``view="extended"`` makes the list carry ``items``."""
        params = {"project_id": project_id, **updated_filter(updated_range)}
        if view is not None:
            params["view"] = view
        async for item in self.iter_records(
            "/rest/v1.1/requisitions", company_id=company_id, params=params, on_page=on_page
        ):
            yield item

    async def list_requisitions(
        self, company_id: int, project_id: int, updated_range: UpdatedRange | None = None
    ) -> AsyncIterator[Requisition]:
        """Requisition summaries (no ``items``; use :meth:`get_requisition` for those)."""
        async for item in self.list_requisitions_raw(company_id, project_id, updated_range):
            yield parse_record(Requisition, item, "requisition")

    async def get_requisition_raw(
        self, company_id: int, project_id: int, requisition_id: int
    ) -> dict[str, Any]:
        body: dict[str, Any] = await self.get_json(
            f"/rest/v1.1/requisitions/{requisition_id}",
            company_id=company_id,
            params={"project_id": project_id, "view": "extended"},
        )
        return body

    async def get_requisition(
        self, company_id: int, project_id: int, requisition_id: int
    ) -> Requisition:
        raw = await self.get_requisition_raw(company_id, project_id, requisition_id)
        return parse_record(Requisition, raw, "requisition")

    async def list_direct_costs_raw(
        self,
        company_id: int,
        project_id: int,
        updated_range: UpdatedRange | None = None,
        *,
        on_page: OnPage | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        async for item in self.iter_records(
            f"/rest/v1.1/projects/{project_id}/direct_costs",
            company_id=company_id,
            params=updated_filter(updated_range),
            on_page=on_page,
        ):
            yield item

    async def list_direct_costs(
        self, company_id: int, project_id: int, updated_range: UpdatedRange | None = None
    ) -> AsyncIterator[DirectCost]:
        async for item in self.list_direct_costs_raw(company_id, project_id, updated_range):
            yield parse_record(DirectCost, item, "direct cost")

    async def get_direct_cost_raw(
        self, company_id: int, project_id: int, direct_cost_id: int
    ) -> dict[str, Any]:
        body: dict[str, Any] = await self.get_json(
            f"/rest/v1.1/projects/{project_id}/direct_costs/{direct_cost_id}",
            company_id=company_id,
        )
        return body

    async def get_direct_cost(
        self, company_id: int, project_id: int, direct_cost_id: int
    ) -> DirectCost:
        raw = await self.get_direct_cost_raw(company_id, project_id, direct_cost_id)
        return parse_record(DirectCost, raw, "direct cost")

    async def list_commitments_raw(
        self,
        company_id: int,
        project_id: int,
        updated_range: UpdatedRange | None = None,
        *,
        with_line_items: bool = True,
        on_page: OnPage | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Purchase order and work order contracts, each with ``kind`` set.

        List responses omit line items; with ``with_line_items`` each record is re-read from its
        show endpoint (one extra call per commitment).
        """
        params = {"project_id": project_id, **updated_filter(updated_range)}
        for kind, path in COMMITMENT_PATHS.items():
            async for item in self.iter_records(
                path, company_id=company_id, params=params, on_page=on_page
            ):
                if with_line_items:
                    item = await self.get_json(
                        f"{path}/{item['id']}", company_id=company_id, params=params
                    )
                yield {**item, "kind": kind}

    async def list_commitments(
        self,
        company_id: int,
        project_id: int,
        updated_range: UpdatedRange | None = None,
        *,
        with_line_items: bool = True,
    ) -> AsyncIterator[Commitment]:
        async for item in self.list_commitments_raw(
            company_id, project_id, updated_range, with_line_items=with_line_items
        ):
            yield parse_record(Commitment, item, "commitment")

    async def get_commitment_raw(
        self,
        company_id: int,
        project_id: int,
        commitment_id: int,
        kind: CommitmentKind | None = None,
    ) -> dict[str, Any]:
        """One commitment with its line items and ``kind`` set.

        With the kind known (a webhook's resource name, a list, a requisition's
        ``commitment_type``) this is one show call. Without it, ``/rest/v1.0/commitments/{id}``
        names the kind in ``type`` first — never a 404 probe of the wrong kind.
        """
        params = {"project_id": project_id}
        if kind is None:
            any_kind = await self.get_json(
                f"/rest/v1.0/commitments/{commitment_id}", company_id=company_id, params=params
            )
            kind = commitment_kind((any_kind or {}).get("type"))
            if kind is None:
                raise ProcoreError(
                    f"commitment {commitment_id} of project {project_id} has type "
                    f"{(any_kind or {}).get('type')!r}, neither a purchase order nor a work "
                    "order contract",
                    method="GET",
                    endpoint=f"/rest/v1.0/commitments/{commitment_id}",
                )
        body = await self.get_json(
            f"{COMMITMENT_PATHS[kind]}/{commitment_id}", company_id=company_id, params=params
        )
        return {**body, "kind": kind}

    async def get_commitment(
        self,
        company_id: int,
        project_id: int,
        commitment_id: int,
        kind: CommitmentKind | None = None,
    ) -> Commitment:
        raw = await self.get_commitment_raw(company_id, project_id, commitment_id, kind)
        return parse_record(Commitment, raw, "commitment")

    # -- pipeline helpers ------------------------------------------------------------------

    async def stream_attachment(
        self, url: str, *, company_id: int | None, chunk_size: int = 64 * 1024
    ) -> AsyncIterator[bytes]:
        """Download an attachment (e.g. an invoice PDF) as byte chunks."""
        async for chunk in self.stream(url, company_id=company_id, chunk_size=chunk_size):
            yield chunk

    async def fetch_record(
        self, ref: RecordRef, commitment_kind: CommitmentKind | None = None
    ) -> dict[str, Any] | None:
        """The current JSON of one record, or None when Procore answers 404 (deleted)."""
        try:
            return await self._fetch(ref, commitment_kind)
        except ProcoreNotFoundError:
            return None

    async def direct_cost_line_item_holder(
        self, company_id: int, project_id: int, line_item_id: int
    ) -> int | None:
        """The direct cost a line item belongs to (``holder.id``), or None when not found."""
        async for line in self.iter_records(
            f"/rest/v1.0/projects/{project_id}/direct_costs/line_items",
            company_id=company_id,
            params={"filters[id][]": line_item_id},
        ):
            holder = line.get("holder")
            if line.get("id") == line_item_id and isinstance(holder, dict):
                found = holder.get("id")
                return found if isinstance(found, int) else None
        return None

    async def _fetch(
        self, ref: RecordRef, commitment_kind: CommitmentKind | None = None
    ) -> dict[str, Any]:
        resource: ResourceKind = ref.resource
        if resource == "vendor":
            body: dict[str, Any] = await self.get_json(
                f"/rest/v1.0/vendors/{ref.resource_id}",
                company_id=ref.company_id,
                params={"company_id": ref.company_id},
            )
            return body
        if ref.project_id is None:
            raise ValueError(f"{ref.key}: a {resource} needs a project id")
        if resource == "requisition":
            return await self.get_requisition_raw(ref.company_id, ref.project_id, ref.resource_id)
        if resource == "direct_cost":
            return await self.get_direct_cost_raw(ref.company_id, ref.project_id, ref.resource_id)
        if resource == "commitment":
            return await self.get_commitment_raw(
                ref.company_id, ref.project_id, ref.resource_id, commitment_kind
            )
        raise ValueError(f"{ref.key}: a {resource} change has no record of its own to read")
