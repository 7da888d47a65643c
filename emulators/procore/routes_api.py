"""Procore REST endpoints served by the emulator: same paths, parameters and JSON shapes."""

from __future__ import annotations

from aiohttp import web

from emulators.procore import responses as R
from emulators.procore.data import Json, Resource, Row
from emulators.procore.queries import (
    changed_while_listed,
    in_range,
    int_param,
    paginate,
    render,
    scoped_company,
    scoped_project,
    updated_range,
)
from emulators.procore.server import CTX, EmulatorContext, company_of

COMMITMENT_KINDS = {
    "purchase_order_contracts": "purchase_order_contract",
    "work_order_contracts": "work_order_contract",
}
COMMITMENT_TYPES = {
    "purchase_order_contract": "PurchaseOrderContract",
    "work_order_contract": "WorkOrderContract",
}
SUMMARY_OMITS: dict[str, tuple[str, ...]] = {
    "commitment": ("line_items", "attachments"),
    "requisition": ("items",),
    "direct_cost": ("line_items", "attachments"),  # the show alone carries them
}


HOLDER = "DirectCost::Item"  # the spec example's holder_type for direct cost lines


def _without(data: Json, *keys: str) -> Json:
    return {k: v for k, v in data.items() if k not in keys}


def _rows(
    ctx: EmulatorContext, resource: Resource, project_id: int, kind: str | None = None
) -> list[Row]:
    rows = [r for r in ctx.state.rows[resource].values() if r.project_id == project_id]
    rows = [r for r in rows if kind is None or r.kind == kind]
    return sorted(rows, key=lambda r: int(r.data["id"]))


def _one(ctx: EmulatorContext, resource: Resource, request: web.Request, project_id: int) -> Row:
    record_id = int_param(request, "id")
    row = ctx.state.rows[resource].get(record_id or 0)
    if row is None or row.project_id != project_id:
        raise R.ApiError(R.not_found())
    return row


async def companies(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    return paginate(request, list(ctx.state.companies.values()))


async def projects(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    company_id = scoped_company(request)
    status = request.query.get("filters[by_status]", "Active")
    rows = [
        r.data
        for pid, r in ctx.state.projects.items()
        if r.company_id == company_id and pid not in ctx.faults.forbidden_projects
        if status == "All" or r.data["active"] == (status == "Active")
    ]
    return paginate(request, rows)


async def project(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = ctx.state.projects.get(int_param(request, "id") or 0)
    if row is None or row.company_id != company_of(request):
        raise R.ApiError(R.not_found())
    return R.json_response(row.data)


async def vendors(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    int_param(request, "company_id")
    company_id, window = scoped_company(request), updated_range(request)
    rows = sorted(
        (r.data for r in ctx.state.vendors_of(company_id) if in_range(r.data, window)),
        key=lambda d: int(d["id"]),
    )
    return paginate(request, rows)


async def vendor(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = ctx.state.rows["vendor"].get(int_param(request, "id") or 0)
    if row is None or row.company_id != scoped_company(request):
        raise R.ApiError(R.not_found())
    return R.json_response(row.data)


def _kind(request: web.Request) -> str:
    return COMMITMENT_KINDS[request.match_info["kind"]]


async def commitments(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    project_id, window = scoped_project(request, ctx), updated_range(request)
    kind = _kind(request) if "kind" in request.match_info else None
    rows = [r for r in _rows(ctx, "commitment", project_id, kind) if in_range(r.data, window)]
    omit = SUMMARY_OMITS["commitment"]
    try:
        return paginate(request, rows, lambda r: render(ctx, r.data, omit))
    finally:
        changed_while_listed(request, "commitment")


async def commitment(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "commitment", request, scoped_project(request, ctx))
    if row.kind != _kind(request):
        raise R.ApiError(R.not_found())
    return R.json_response(render(ctx, row.data))


async def any_commitment(request: web.Request) -> web.Response:
    """``/rest/v1.0/commitments/{id}``: either kind, named in ``type``."""
    ctx = request.app[CTX]
    row = _one(ctx, "commitment", request, scoped_project(request, ctx))
    return R.json_response({**render(ctx, row.data), "type": COMMITMENT_TYPES[str(row.kind)]})


async def commitment_line_items(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "commitment", request, scoped_project(request, ctx))
    if row.kind != _kind(request):
        raise R.ApiError(R.not_found())
    return paginate(request, row.data["line_items"])


async def requisitions(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    project_id, window = scoped_project(request, ctx), updated_range(request)
    status = request.query.get("filters[status]")
    commitment_id = request.query.get("filters[commitment_id]")
    extended = request.query.get("view") in ("extended", "items")
    rows = [
        r
        for r in _rows(ctx, "requisition", project_id)
        if in_range(r.data, window)
        and status in (None, r.data["status"])
        and commitment_id in (None, str(r.data["commitment_id"]))
    ]
    omit = () if extended else SUMMARY_OMITS["requisition"]
    try:
        return paginate(request, rows, lambda r: render(ctx, r.data, omit))
    finally:
        changed_while_listed(request, "requisition")


async def requisition(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "requisition", request, scoped_project(request, ctx))
    extended = request.query.get("view") in ("extended", "items")
    return R.json_response(render(ctx, row.data, () if extended else ("items",)))


async def direct_costs(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    project_id, window = scoped_project(request, ctx), updated_range(request)
    rows = [r for r in _rows(ctx, "direct_cost", project_id) if in_range(r.data, window)]
    omit = SUMMARY_OMITS["direct_cost"]

    def listed(row: Row) -> Json:  # lists send the vendor's name where show sends an object
        out = render(ctx, row.data, omit)
        return {**out, "vendor": out.get("vendor_name")}

    try:
        return paginate(request, rows, listed)
    finally:
        changed_while_listed(request, "direct_cost")


async def direct_cost(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "direct_cost", request, scoped_project(request, ctx))
    return R.json_response(render(ctx, row.data))


async def direct_cost_line_items(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "direct_cost", request, scoped_project(request, ctx))
    return paginate(request, row.data["line_items"])


async def all_direct_cost_line_items(request: web.Request) -> web.Response:
    """Every direct cost line of a project, each with its ``holder`` (``filters[id][]``)."""
    ctx = request.app[CTX]
    project_id = scoped_project(request, ctx)
    wanted = {int(v) for v in request.query.getall("filters[id][]", []) if v.isdigit()}
    lines = [  # the spec's project-wide lines carry no tax_code_id (the show's lines do)
        {**_without(line, "tax_code_id"), "holder": {"id": r.data["id"], "holder_type": HOLDER}}
        for r in _rows(ctx, "direct_cost", project_id)
        for line in r.data["line_items"]
        if not wanted or int(line["id"]) in wanted
    ]
    return paginate(request, lines)


async def cost_codes(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    return paginate(request, ctx.state.cost_codes[scoped_project(request, ctx)])


async def line_item_types(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    if "project_id" in request.query:
        company_id = ctx.state.projects[scoped_project(request, ctx)].company_id
    else:
        int_param(request, "company_id")
        company_id = scoped_company(request)
    return paginate(request, ctx.state.line_item_types[company_id])


async def tax_codes(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    int_param(request, "company_id")
    return paginate(request, ctx.state.tax_codes[scoped_company(request)])


def add_routes(app: web.Application) -> None:
    from emulators.procore import routes_hooks

    kinds = "{kind:purchase_order_contracts|work_order_contracts}"
    app.router.add_get("/rest/v1.0/companies", companies)
    app.router.add_get("/rest/v1.1/projects", projects)
    app.router.add_get("/rest/v1.0/projects/{id}", project)
    app.router.add_get("/rest/v1.0/vendors", vendors)
    app.router.add_get("/rest/v1.0/vendors/{id}", vendor)
    app.router.add_get("/rest/v1.0/commitments", commitments)
    app.router.add_get("/rest/v1.0/commitments/{id}", any_commitment)
    app.router.add_get(f"/rest/v1.0/{kinds}", commitments)
    app.router.add_get(f"/rest/v1.0/{kinds}/{{id}}", commitment)
    app.router.add_get(f"/rest/v1.0/{kinds}/{{id}}/line_items", commitment_line_items)
    app.router.add_get("/rest/v1.1/requisitions", requisitions)
    app.router.add_get("/rest/v1.1/requisitions/{id}", requisition)
    app.router.add_get("/rest/v1.1/projects/{project_id}/direct_costs", direct_costs)
    app.router.add_get("/rest/v1.1/projects/{project_id}/direct_costs/{id}", direct_cost)
    app.router.add_get(
        "/rest/v1.0/projects/{project_id}/direct_costs/line_items", all_direct_cost_line_items
    )
    app.router.add_get(
        "/rest/v1.0/projects/{project_id}/direct_costs/{id}/line_items", direct_cost_line_items
    )
    app.router.add_get("/rest/v1.0/cost_codes", cost_codes)
    app.router.add_get("/rest/v1.0/line_item_types", line_item_types)
    app.router.add_get("/rest/v1.0/tax_codes", tax_codes)
    routes_hooks.add_routes(app)
