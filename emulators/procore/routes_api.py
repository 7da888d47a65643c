"""Procore REST endpoints served by the emulator: same paths, parameters and JSON shapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from aiohttp import web

from emulators.procore import responses as R
from emulators.procore.data import Json, Resource, Row
from emulators.procore.mutations import delete_record, update_record
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


def _int_param(request: web.Request, name: str, *, required: bool = True) -> int | None:
    raw = request.query.get(name) or request.match_info.get(name)
    if raw is None or raw == "":
        if required:
            raise R.ApiError(R.bad_request(name, "is missing"))
        return None
    if not raw.isdigit():
        raise R.ApiError(R.bad_request(name, "is not an id"))
    return int(raw)


def _company(request: web.Request) -> int:
    """The company in ``company_id`` must be the one in the Procore-Company-Id header."""
    company_id = _int_param(request, "company_id", required=False) or company_of(request)
    if company_id != company_of(request):
        raise R.ApiError(R.not_found())
    return int(company_id)


def _project(request: web.Request, ctx: EmulatorContext) -> int:
    project_id = _int_param(request, "project_id")
    assert project_id is not None
    row = ctx.state.projects.get(project_id)
    if row is None or row.company_id != company_of(request):
        raise R.ApiError(R.not_found())
    if project_id in ctx.faults.forbidden_projects:
        raise R.ApiError(R.forbidden())
    return project_id


def _parse_instant(text: str, end: bool) -> datetime:
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _updated_range(request: web.Request) -> tuple[datetime, datetime] | None:
    raw = request.query.get("filters[updated_at]")
    if raw is None:
        return None
    start, sep, end = raw.partition("...")
    try:
        if not sep:
            raise ValueError(raw)
        return _parse_instant(start, False), _parse_instant(end, True)
    except ValueError:
        raise R.ApiError(R.bad_request("filters[updated_at]", "is invalid")) from None


def _in_range(data: Json, window: tuple[datetime, datetime] | None) -> bool:
    if window is None:
        return True
    updated = datetime.fromisoformat(str(data["updated_at"]).replace("Z", "+00:00"))
    return window[0] <= updated <= window[1]


def render(ctx: EmulatorContext, data: Json, omit: tuple[str, ...] = ()) -> Json:
    """The record as served: absolute attachment URLs, summary fields omitted in lists."""
    out = {k: v for k, v in data.items() if k not in omit}
    if out.get("attachments"):
        out["attachments"] = [{**a, "url": ctx.base_url + a["url"]} for a in out["attachments"]]
    return out


def paginate(
    request: web.Request, items: list[Any], shape: Callable[[Any], Any] | None = None
) -> web.Response:
    """``page``/``per_page`` with ``Total``, ``Per-Page`` and ``Link`` (no next at the end)."""
    ctx = request.app[CTX]
    try:
        page = max(1, int(request.query.get("page", "1")))
        per_page = min(ctx.config.max_per_page, max(1, int(request.query.get("per_page", "100"))))
    except ValueError:
        raise R.ApiError(R.bad_request("page", "must be a number")) from None
    last = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    if shape is not None:  # render only the page served, not the whole list
        chunk = [shape(item) for item in chunk]
    url = request.url.with_scheme("http")

    def link(n: int, rel: str) -> str:
        return f'<{url.update_query(page=str(n), per_page=str(per_page))}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    links.append(link(last, "last"))
    headers = {"Total": str(len(items)), "Per-Page": str(per_page), "Link": ", ".join(links)}
    if ctx.faults.page_headers != "link":  # endpoints that do not send every header
        del headers["Link"]
        if ctx.faults.page_headers == "none":
            headers = {}
    return R.json_response(chunk, headers=headers)


def _changed_while_listed(request: web.Request, resource: Resource) -> None:
    """Fault switches: change a record of this list once its first page is out (paging race)."""
    ctx = request.app[CTX]
    if request.query.get("page", "1") != "1":
        return
    faults = ctx.faults
    for name in ("edit_during_list", "delete_during_list"):
        record_id = getattr(faults, name)
        if record_id is None or record_id not in ctx.state.rows[resource]:
            continue
        setattr(faults, name, None)
        if name == "edit_during_list":
            data = update_record(ctx.state, resource, record_id, {"description": "edited"})
            # The edit happens after the list began: strictly later than the window's end.
            later = datetime.fromtimestamp(ctx.clock.now() + 1, UTC)
            data["updated_at"] = later.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            delete_record(ctx.state, resource, record_id)


def _rows(
    ctx: EmulatorContext, resource: Resource, project_id: int, kind: str | None = None
) -> list[Row]:
    rows = [r for r in ctx.state.rows[resource].values() if r.project_id == project_id]
    rows = [r for r in rows if kind is None or r.kind == kind]
    return sorted(rows, key=lambda r: int(r.data["id"]))


def _one(ctx: EmulatorContext, resource: Resource, request: web.Request, project_id: int) -> Row:
    record_id = _int_param(request, "id")
    row = ctx.state.rows[resource].get(record_id or 0)
    if row is None or row.project_id != project_id:
        raise R.ApiError(R.not_found())
    return row


async def companies(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    return paginate(request, list(ctx.state.companies.values()))


async def projects(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    company_id = _company(request)
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
    row = ctx.state.projects.get(_int_param(request, "id") or 0)
    if row is None or row.company_id != company_of(request):
        raise R.ApiError(R.not_found())
    return R.json_response(row.data)


async def vendors(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    _int_param(request, "company_id")
    company_id, window = _company(request), _updated_range(request)
    rows = sorted(
        (r.data for r in ctx.state.vendors_of(company_id) if _in_range(r.data, window)),
        key=lambda d: int(d["id"]),
    )
    return paginate(request, rows)


async def vendor(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = ctx.state.rows["vendor"].get(_int_param(request, "id") or 0)
    if row is None or row.company_id != _company(request):
        raise R.ApiError(R.not_found())
    return R.json_response(row.data)


def _kind(request: web.Request) -> str:
    return COMMITMENT_KINDS[request.match_info["kind"]]


async def commitments(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    project_id, window = _project(request, ctx), _updated_range(request)
    kind = _kind(request) if "kind" in request.match_info else None
    rows = [r for r in _rows(ctx, "commitment", project_id, kind) if _in_range(r.data, window)]
    omit = SUMMARY_OMITS["commitment"]
    try:
        return paginate(request, rows, lambda r: render(ctx, r.data, omit))
    finally:
        _changed_while_listed(request, "commitment")


async def commitment(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "commitment", request, _project(request, ctx))
    if row.kind != _kind(request):
        raise R.ApiError(R.not_found())
    return R.json_response(render(ctx, row.data))


async def any_commitment(request: web.Request) -> web.Response:
    """``/rest/v1.0/commitments/{id}``: either kind, named in ``type``."""
    ctx = request.app[CTX]
    row = _one(ctx, "commitment", request, _project(request, ctx))
    return R.json_response({**render(ctx, row.data), "type": COMMITMENT_TYPES[str(row.kind)]})


async def commitment_line_items(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "commitment", request, _project(request, ctx))
    if row.kind != _kind(request):
        raise R.ApiError(R.not_found())
    return paginate(request, row.data["line_items"])


async def requisitions(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    project_id, window = _project(request, ctx), _updated_range(request)
    status = request.query.get("filters[status]")
    commitment_id = request.query.get("filters[commitment_id]")
    extended = request.query.get("view") in ("extended", "items")
    rows = [
        r
        for r in _rows(ctx, "requisition", project_id)
        if _in_range(r.data, window)
        and status in (None, r.data["status"])
        and commitment_id in (None, str(r.data["commitment_id"]))
    ]
    omit = () if extended else SUMMARY_OMITS["requisition"]
    try:
        return paginate(request, rows, lambda r: render(ctx, r.data, omit))
    finally:
        _changed_while_listed(request, "requisition")


async def requisition(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "requisition", request, _project(request, ctx))
    extended = request.query.get("view") in ("extended", "items")
    return R.json_response(render(ctx, row.data, () if extended else ("items",)))


async def direct_costs(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    project_id, window = _project(request, ctx), _updated_range(request)
    rows = [r for r in _rows(ctx, "direct_cost", project_id) if _in_range(r.data, window)]
    omit = SUMMARY_OMITS["direct_cost"]

    def listed(row: Row) -> Json:  # lists send the vendor's name where show sends an object
        out = render(ctx, row.data, omit)
        return {**out, "vendor": out.get("vendor_name")}

    try:
        return paginate(request, rows, listed)
    finally:
        _changed_while_listed(request, "direct_cost")


async def direct_cost(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "direct_cost", request, _project(request, ctx))
    return R.json_response(render(ctx, row.data))


async def direct_cost_line_items(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    row = _one(ctx, "direct_cost", request, _project(request, ctx))
    return paginate(request, row.data["line_items"])


async def all_direct_cost_line_items(request: web.Request) -> web.Response:
    """Every direct cost line of a project, each with its ``holder`` (``filters[id][]``)."""
    ctx = request.app[CTX]
    project_id = _project(request, ctx)
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
    return paginate(request, ctx.state.cost_codes[_project(request, ctx)])


async def line_item_types(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    if "project_id" in request.query:
        company_id = ctx.state.projects[_project(request, ctx)].company_id
    else:
        _int_param(request, "company_id")
        company_id = _company(request)
    return paginate(request, ctx.state.line_item_types[company_id])


async def tax_codes(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    _int_param(request, "company_id")
    return paginate(request, ctx.state.tax_codes[_company(request)])


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
