"""Reading a REST request as Procore does: ids, company and project scope, windows and pages.

Every list endpoint shares these: the ``company_id`` must match the ``Procore-Company-Id``
header, ``filters[updated_at]`` is a ``start...end`` window of dates or instants, and pages come
with ``Total``, ``Per-Page`` and ``Link`` headers (fault modes drop some of them, or change a
listed record once its first page is out).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from aiohttp import web

from emulators.procore import responses as R
from emulators.procore.data import Json, Resource
from emulators.procore.mutations import delete_record, update_record
from emulators.procore.server import CTX, EmulatorContext, company_of


def int_param(request: web.Request, name: str, *, required: bool = True) -> int | None:
    raw = request.query.get(name) or request.match_info.get(name)
    if raw is None or raw == "":
        if required:
            raise R.ApiError(R.bad_request(name, "is missing"))
        return None
    if not raw.isdigit():
        raise R.ApiError(R.bad_request(name, "is not an id"))
    return int(raw)


def scoped_company(request: web.Request) -> int:
    """The company in ``company_id`` must be the one in the Procore-Company-Id header."""
    company_id = int_param(request, "company_id", required=False) or company_of(request)
    if company_id != company_of(request):
        raise R.ApiError(R.not_found())
    return int(company_id)


def scoped_project(request: web.Request, ctx: EmulatorContext) -> int:
    project_id = int_param(request, "project_id")
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


def updated_range(request: web.Request) -> tuple[datetime, datetime] | None:
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


def in_range(data: Json, window: tuple[datetime, datetime] | None) -> bool:
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


def changed_while_listed(request: web.Request, resource: Resource) -> None:
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
