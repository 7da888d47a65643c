"""Admin endpoints under ``/_emulator/``: drive change, reset, read counters, switch faults.

No auth (loopback test tool). Resources in paths: vendors, commitments, requisitions, direct_costs.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from aiohttp import web
from pydantic import ValidationError

from emulators.procore import mutations
from emulators.procore.data import Resource
from emulators.procore.responses import json_response
from emulators.procore.server import CTX

RESOURCES: dict[str, Resource] = {
    "vendors": "vendor",
    "commitments": "commitment",
    "requisitions": "requisition",
    "direct_costs": "direct_cost",
}


def _problem(status: int, message: str) -> web.Response:
    return json_response({"error": message}, status)


async def _json(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    data = orjson.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


def _resource(request: web.Request) -> Resource:
    name = request.match_info["resource"]
    if name not in RESOURCES:
        raise KeyError(f"unknown resource {name!r}; use one of {', '.join(RESOURCES)}")
    return RESOURCES[name]


async def summary(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    state = ctx.state
    return json_response(
        {
            "base_url": ctx.base_url,
            "seed": state.seed,
            "companies": list(state.companies),
            "projects": {str(p): r.company_id for p, r in state.projects.items()},
            "records": {k: len(v) for k, v in state.rows.items()},
            "clock": ctx.clock.now(),
        }
    )


async def reset(request: web.Request) -> web.Response:
    request.app[CTX].reset()
    return json_response({"reset": True})


async def counters(request: web.Request) -> web.Response:
    return json_response(request.app[CTX].counters.snapshot())


async def reset_counters(request: web.Request) -> web.Response:
    request.app[CTX].counters.reset()
    return json_response({"reset": True})


async def get_faults(request: web.Request) -> web.Response:
    return json_response(request.app[CTX].faults.model_dump())


async def set_faults(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    try:
        changes = await _json(request)
        merged = {**ctx.faults.model_dump(), **changes}
        ctx.faults = type(ctx.faults).model_validate(merged)
    except (ValueError, ValidationError) as exc:
        return _problem(400, str(exc))
    return json_response(ctx.faults.model_dump())


async def list_ids(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    try:
        resource = _resource(request)
    except KeyError as exc:
        return _problem(404, str(exc.args[0]))
    rows = ctx.state.rows[resource].values()
    return json_response(
        [
            {
                "id": r.data["id"],
                "company_id": r.company_id,
                "project_id": r.project_id,
                "status": r.data.get("status"),
                "kind": r.kind,
            }
            for r in rows
        ]
    )


async def approve(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    try:
        data = mutations.approve_requisition(ctx.state, int(request.match_info["id"]))
    except mutations.NotFound as exc:
        return _problem(404, str(exc.args[0]))
    return json_response(data)


async def patch_record(request: web.Request) -> web.Response:
    """Update fields; for direct costs ``{"amount": "123.45"}`` edits the first line item."""
    ctx = request.app[CTX]
    try:
        resource, record_id = _resource(request), int(request.match_info["id"])
        fields = await _json(request)
        if resource == "direct_cost" and "amount" in fields:
            amount = Decimal(str(fields.pop("amount")))
            data = mutations.edit_direct_cost(
                ctx.state, record_id, amount=amount, description=fields.pop("description", None)
            )
        if fields or resource != "direct_cost":
            data = mutations.update_record(ctx.state, resource, record_id, fields)
    except (KeyError, mutations.NotFound) as exc:
        return _problem(404, str(exc.args[0]))
    except (ValueError, InvalidOperation) as exc:
        return _problem(400, str(exc))
    return json_response(data)


async def delete_record(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    try:
        mutations.delete_record(ctx.state, _resource(request), int(request.match_info["id"]))
    except (KeyError, mutations.NotFound) as exc:
        return _problem(404, str(exc.args[0]))
    return web.Response(status=204)


async def create_record(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    try:
        body = await _json(request)
        data = mutations.create_record(
            ctx.state,
            _resource(request),
            company_id=body.get("company_id"),
            project_id=body.get("project_id"),
            fields=body.get("fields"),
        )
    except KeyError as exc:
        return _problem(404, str(exc.args[0]))
    except ValueError as exc:
        return _problem(400, str(exc))
    return json_response(data, 201)


async def advance_clock(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    advance = getattr(ctx.clock, "advance", None)
    if not callable(advance):
        return _problem(409, "the emulator runs on the system clock; start it with a manual clock")
    seconds = float((await _json(request)).get("seconds", 0))
    advance(seconds)
    return json_response({"clock": ctx.clock.now()})


async def expire_tokens(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    for token in ctx.tokens:
        ctx.tokens[token] = ctx.clock.now()
    return json_response({"expired": len(ctx.tokens)})


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/_emulator", summary)
    r.add_post("/_emulator/reset", reset)
    r.add_get("/_emulator/counters", counters)
    r.add_post("/_emulator/counters/reset", reset_counters)
    r.add_get("/_emulator/faults", get_faults)
    r.add_put("/_emulator/faults", set_faults)
    r.add_patch("/_emulator/faults", set_faults)
    r.add_post("/_emulator/clock/advance", advance_clock)
    r.add_post("/_emulator/tokens/expire", expire_tokens)
    r.add_post("/_emulator/requisitions/{id:\\d+}/approve", approve)
    r.add_get("/_emulator/{resource}", list_ids)
    r.add_post("/_emulator/{resource}", create_record)
    r.add_patch("/_emulator/{resource}/{id:\\d+}", patch_record)
    r.add_delete("/_emulator/{resource}/{id:\\d+}", delete_record)
