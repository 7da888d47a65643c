"""Webhooks API: hooks and triggers under ``/rest/v1.0/webhooks/hooks`` (company scope)."""

from __future__ import annotations

import re
from typing import Any

import orjson
from aiohttp import web

from emulators.procore import responses as R
from emulators.procore.server import CTX, company_of

NAMESPACE = re.compile(r"^[a-z0-9-]+$")


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        raise R.ApiError(R.bad_request("body", "is not valid JSON")) from None
    if not isinstance(data, dict):
        raise R.ApiError(R.bad_request("body", "must be a JSON object"))
    return data


async def list_hooks(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    company_id = company_of(request)
    return R.json_response([h for h in ctx.state.hooks.values() if h["company_id"] == company_id])


async def create_hook(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    body = await _body(request)
    hook = body.get("hook")
    if not isinstance(hook, dict) or not hook.get("destination_url"):
        return R.bad_request("hook.destination_url", "is missing")
    if not NAMESPACE.match(str(hook.get("namespace", ""))):
        return R.bad_request("hook.namespace", "may only contain a-z, 0-9 and -")
    hook_id = 100 + len(ctx.state.hooks) + 1
    stored = {
        "id": hook_id,
        "company_id": company_of(request),
        "project_id": body.get("project_id"),
        "api_version": hook.get("api_version", "v2"),
        "namespace": hook["namespace"],
        "destination_url": hook["destination_url"],
        "destination_headers": hook.get("destination_headers") or {},
    }
    ctx.state.hooks[hook_id] = stored
    ctx.state.triggers[hook_id] = []
    return R.json_response(stored, 201)


def _hook_id(request: web.Request) -> int:
    ctx = request.app[CTX]
    hook_id = int(request.match_info["hook_id"])
    hook = ctx.state.hooks.get(hook_id)
    if hook is None or hook["company_id"] != company_of(request):
        raise R.ApiError(R.not_found())
    return hook_id


async def list_triggers(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    return R.json_response(ctx.state.triggers[_hook_id(request)])


async def create_trigger(request: web.Request) -> web.Response:
    ctx = request.app[CTX]
    hook_id = _hook_id(request)
    trigger = (await _body(request)).get("trigger")
    if not isinstance(trigger, dict) or not trigger.get("resource_name"):
        return R.bad_request("trigger.resource_name", "is missing")
    if trigger.get("event_type") not in ("create", "update", "delete"):
        return R.bad_request("trigger.event_type", "must be create, update or delete")
    existing = ctx.state.triggers[hook_id]
    stored = {
        "id": hook_id * 1000 + len(existing) + 1,
        "resource_name": trigger["resource_name"],
        "event_type": trigger["event_type"],
    }
    existing.append(stored)
    return R.json_response(stored, 201)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/rest/v1.0/webhooks/hooks", list_hooks)
    app.router.add_post("/rest/v1.0/webhooks/hooks", create_hook)
    app.router.add_get("/rest/v1.0/webhooks/hooks/{hook_id:\\d+}/triggers", list_triggers)
    app.router.add_post("/rest/v1.0/webhooks/hooks/{hook_id:\\d+}/triggers", create_trigger)
