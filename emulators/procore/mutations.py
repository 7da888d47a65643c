"""Changes to emulator data (admin endpoints and tests); each one notifies the webhook sender."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from emulators.procore.data import EmulatorState, Json, Resource, Row
from emulators.procore.records import LineContext, money

EventType = Literal["create", "update", "delete"]

RESOURCE_NAMES: dict[str, str] = {
    "vendor": "Company Vendors",
    "requisition": "Requisitions",
    "direct_cost": "Direct Costs",
    "purchase_order_contract": "Purchase Order Contracts",
    "work_order_contract": "Work Order Contracts",
}


class NotFound(KeyError):
    """No such record in the emulator (or already deleted)."""


@dataclass(frozen=True)
class ChangeEvent:
    """What happened, in webhook terms (resource name as in Procore's trigger catalogue)."""

    resource_name: str
    event_type: EventType
    company_id: int
    project_id: int | None
    resource_id: int
    at: float
    related: tuple[tuple[int, str], ...] = ()


def row(state: EmulatorState, resource: Resource, record_id: int) -> Row:
    try:
        return state.rows[resource][record_id]
    except KeyError:
        raise NotFound(f"no {resource} {record_id} in the emulator") from None


def _emit(
    state: EmulatorState,
    resource: Resource,
    found: Row,
    event_type: EventType,
    line_item_id: int | None = None,
) -> None:
    """Notify listeners; with ``line_item_id`` the event is about that line (parent related)."""
    name = RESOURCE_NAMES[found.kind or resource]
    parent_id = int(found.data["id"])
    if line_item_id is None:
        event = ChangeEvent(
            name, event_type, found.company_id, found.project_id, parent_id, state.clock.now()
        )
    else:
        event = ChangeEvent(
            name.removesuffix("s") + " Line Items",
            event_type,
            found.company_id,
            found.project_id,
            line_item_id,
            state.clock.now(),
            related=((parent_id, name),),
        )
    for listener in list(state.listeners):
        listener(event)


def update_record(
    state: EmulatorState, resource: Resource, record_id: int, fields: dict[str, Any]
) -> Json:
    """Overwrite top-level fields (e.g. ``status``); bumps ``updated_at`` and fires an update."""
    found = row(state, resource, record_id)
    protected = {"id"} & fields.keys()
    if protected:
        raise ValueError(f"cannot change {sorted(protected)}")
    found.data.update(fields)
    found.data["updated_at"] = state.now_iso()
    _emit(state, resource, found, "update")
    return found.data


def approve_requisition(state: EmulatorState, requisition_id: int) -> Json:
    return update_record(state, "requisition", requisition_id, {"status": "approved"})


def edit_direct_cost(
    state: EmulatorState, direct_cost_id: int, *, amount: Decimal, description: str | None = None
) -> Json:
    """Change the first line's amount (and the grand total), as a user editing an approved cost."""
    found = row(state, "direct_cost", direct_cost_id)
    lines = found.data["line_items"]
    first = lines[0]
    first["amount"] = money(amount)
    first["total_amount"] = money(amount)
    if first.get("quantity"):
        first["quantity"], first["unit_cost"] = "1.0", money(amount)
    if description is not None:
        first["description"] = description
    total = sum((Decimal(li["amount"]) for li in lines), Decimal(0))
    _emit(state, "direct_cost", found, "update", line_item_id=int(first["id"]))
    return update_record(state, "direct_cost", direct_cost_id, {"grand_total": money(total)})


def delete_record(state: EmulatorState, resource: Resource, record_id: int) -> None:
    found = row(state, resource, record_id)
    del state.rows[resource][record_id]
    _emit(state, resource, found, "delete")


def create_record(
    state: EmulatorState,
    resource: Resource,
    *,
    company_id: int | None = None,
    project_id: int | None = None,
    fields: dict[str, Any] | None = None,
) -> Json:
    """Generate a new record in a project (or a company, for vendors) and fire a create."""
    factory = state.factory
    if project_id is not None:
        company_id = state.projects[project_id].company_id
    if company_id is None:
        company_id = next(iter(state.companies))
    vendors = [r.data for r in state.vendors_of(company_id)]
    now = state.now_iso()
    kind: str | None = None
    if resource == "vendor":
        data, project_id = factory.vendor(now), None
    else:
        if project_id is None:
            project_id = state.project_ids(company_id)[0]
        ctx = LineContext(
            state.cost_codes[project_id],
            state.line_item_types[company_id],
            state.tax_codes[company_id],
        )
        count = sum(1 for r in state.rows[resource].values() if r.project_id == project_id)
        if resource == "direct_cost":
            data = factory.direct_cost(factory.rng.choice(vendors), ctx, count, now)
        elif resource == "commitment":
            kind = (fields or {}).pop("kind", "work_order_contract")
            data = factory.commitment(str(kind), factory.rng.choice(vendors), ctx, count, now)
        else:
            contracts = [
                r.data
                for r in state.rows["commitment"].values()
                if r.project_id == project_id and r.kind == "work_order_contract"
            ]
            data = factory.requisition(contracts[count % len(contracts)], count, now)
    data.update(fields or {})
    new = Row(company_id, project_id, data, kind)
    state.rows[resource][data["id"]] = new
    _emit(state, resource, new, "create")
    return data
