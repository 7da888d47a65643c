"""Procore's reference data: companies, projects, vendors and the codes line items point at.

:class:`ProcoreReferenceClient` reads them; the spend records (requisitions, direct costs,
commitments) are read by its subclass in ``client``. Both parse with :func:`parse_record` and
filter lists by the ``filters[updated_at]`` window.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from adapters.procore.errors import ProcoreError
from adapters.procore.transport import OnPage, ProcoreTransport
from domain.procore.records import Company, CostCode, LineItemType, Project, TaxCode, Vendor

M = TypeVar("M", bound=BaseModel)
UpdatedRange = tuple[datetime, datetime]


def format_updated_range(window: UpdatedRange) -> str:
    """``filters[updated_at]`` value: two ISO 8601 UTC instants joined by ``...``."""

    def iso(moment: datetime) -> str:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    start, end = window
    return f"{iso(start)}...{iso(end)}"


def updated_filter(window: UpdatedRange | None) -> dict[str, str]:
    return {} if window is None else {"filters[updated_at]": format_updated_range(window)}


def parse_record(model: type[M], data: dict[str, Any], what: str) -> M:
    """``data`` as ``model``; a shape that does not fit names the record and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ProcoreError(
            f"{what} {data.get('id')!r} has an unexpected shape at {field!r}: {first['msg']}"
        ) from None


class ProcoreReferenceClient(ProcoreTransport):
    """Reads the company-level data and the project's cost codes."""

    # -- company level ---------------------------------------------------------------------

    async def list_companies(self, company_id: int) -> list[Company]:
        """Companies visible to the service account (DMSA needs a company header here too)."""
        body = await self.get_json("/rest/v1.0/companies", company_id=company_id)
        return [parse_record(Company, item, "company") for item in body or []]

    async def list_projects(self, company_id: int, status: str = "All") -> AsyncIterator[Project]:
        params = {"company_id": company_id, "filters[by_status]": status}
        async for item in self.iter_records(
            "/rest/v1.1/projects", company_id=company_id, params=params
        ):
            yield parse_record(Project, item, "project")

    async def list_vendors_raw(
        self,
        company_id: int,
        updated_since: datetime | None = None,
        *,
        on_page: OnPage | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        params: dict[str, Any] = {"company_id": company_id}
        if updated_since is not None:
            now = datetime.fromtimestamp(self.clock.now(), UTC)
            params |= updated_filter((updated_since, now))
        async for item in self.iter_records(
            "/rest/v1.0/vendors", company_id=company_id, params=params, on_page=on_page
        ):
            yield item

    async def list_vendors(
        self, company_id: int, updated_since: datetime | None = None
    ) -> AsyncIterator[Vendor]:
        async for item in self.list_vendors_raw(company_id, updated_since):
            yield parse_record(Vendor, item, "vendor")

    async def get_vendor(self, company_id: int, vendor_id: int) -> Vendor:
        body = await self.get_json(
            f"/rest/v1.0/vendors/{vendor_id}",
            company_id=company_id,
            params={"company_id": company_id},
        )
        return parse_record(Vendor, body, "vendor")

    async def list_line_item_types(self, company_id: int) -> AsyncIterator[LineItemType]:
        async for item in self.iter_records(
            "/rest/v1.0/line_item_types", company_id=company_id, params={"company_id": company_id}
        ):
            yield parse_record(LineItemType, item, "line item type")

    async def list_tax_codes(self, company_id: int) -> AsyncIterator[TaxCode]:
        async for item in self.iter_records(
            "/rest/v1.0/tax_codes", company_id=company_id, params={"company_id": company_id}
        ):
            yield parse_record(TaxCode, item, "tax code")

    async def list_cost_codes(self, company_id: int, project_id: int) -> AsyncIterator[CostCode]:
        async for item in self.iter_records(
            "/rest/v1.0/cost_codes", company_id=company_id, params={"project_id": project_id}
        ):
            yield parse_record(CostCode, item, "cost code")
