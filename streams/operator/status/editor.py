"""The mapping editor on the status page: GET shows one client, each POST changes one thing."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from aiohttp import web

from domain.problems import Problem
from streams.errors import ConnectorError
from streams.ledger.rules import ClientRules
from streams.operator.mapping.editor import (
    EXEMPTIONS,
    MappingEditor,
    Saved,
    editor_view,
    pair_field,
    replay_parked,
)
from streams.operator.status import auth
from streams.operator.status.respond import html, translator_for

if TYPE_CHECKING:
    from streams.operator.status.context import StatusContext

BASE = "/status/mapping"


def _client(ctx: StatusContext, client_id: str | None) -> ClientRules:
    if ctx.rules is None or not ctx.rules.clients:
        raise ConnectorError("no mapping files configured (setting `mappings` / MLC_MAPPINGS)")
    return ctx.rules.client(client_id or next(iter(sorted(ctx.rules.clients))))


async def _render(
    ctx: StatusContext,
    request: web.Request,
    client: ClientRules,
    *,
    errors: dict[str, list[Problem]] | None = None,
    note: str = "",
    status: int = 200,
) -> web.Response:
    view = await asyncio.to_thread(editor_view, ctx.ledger, client)
    assert ctx.rules is not None
    errors = dict(errors or {})
    for key in [k for k in errors if not view.shows(k)]:  # no row for it: show above the tables
        errors.setdefault("form", []).extend(errors.pop(key))
    return html(
        request,
        ctx,
        "mapping",
        "Mapping",
        status=status,
        note=note,
        note_kind="fail" if errors else "",
        v=view,
        clients=sorted(ctx.rules.clients),
        errors=errors,
        exemptions=EXEMPTIONS,
    )


async def mapping_page(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    t = translator_for(ctx, request)
    try:
        client = _client(ctx, request.query.get("client"))
    except ConnectorError as exc:
        return html(request, ctx, "message", "Mapping", status=404, note=str(exc), note_kind="fail")
    note = ""
    if saved := request.query.get("saved"):
        note = t(
            "Saved {what}; in force now (previous version kept as {backup}).",
            what=saved,
            backup=request.query.get("backup", ""),
        )
    if replayed := request.query.get("replayed"):
        note = t(
            "Replayed {n} record(s): {result}.", n=replayed, result=request.query.get("result", "")
        )
    return await _render(ctx, request, client, note=note)


def _done(client: ClientRules, saved: Saved, what: str, anchor: str) -> web.HTTPSeeOther:
    backup = saved.backup.name if saved.backup else ""
    query = urlencode({"client": client.client_id, "saved": what, "backup": backup})
    return web.HTTPSeeOther(f"{BASE}?{query}#{anchor}")


async def mapping_change(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    """One form of the editor: pair, tax code, project or vendor."""
    if not auth.same_origin(request.headers):
        return web.Response(status=403, text="cross-site request refused")
    form = await request.post()
    kind = request.match_info["kind"]
    t = translator_for(ctx, request)

    def value(name: str) -> str:
        return str(form.get(name, "")).strip()

    try:
        client = _client(ctx, value("client"))
        assert ctx.rules is not None
        editor = MappingEditor(ctx.rules, list(ctx.settings.mappings))
        if kind == "pair":
            code, ctype = value("cost_code"), value("cost_type")
            key, what = f"pair:{code}:{ctype}", f"{code} / {ctype} → {value('account')}"
            saved = await asyncio.to_thread(
                editor.map_pair,
                client.client_id,
                code,
                ctype,
                int(value("account")),
                value("tax_rule") or None,
            )
        elif kind == "tax-code":
            code = value("code")
            key, what = f"tax:{code}", f"{code} → {value('rule')}"
            saved = await asyncio.to_thread(
                editor.map_tax_code, client.client_id, code, value("rule")
            )
        elif kind == "project":
            pid = int(value("project_id"))
            key, what = f"project:{pid}", f"{pid} → KOST1 {value('kost1')}"
            saved = await asyncio.to_thread(
                editor.set_project, client.client_id, pid, value("kost1")
            )
        elif kind == "schedule":
            key, what = "schedule", f"{value('cadence')}, review {value('review') == 'on'}"
            saved = await asyncio.to_thread(
                editor.set_schedule, client.client_id, value("cadence"), value("review") == "on"
            )
        elif kind == "vendor":
            vid = int(value("vendor_id"))
            key, what = f"vendor:{vid}", t("vendor {vendor}", vendor=vid)
            saved = await asyncio.to_thread(
                editor.set_vendor,
                client.client_id,
                vid,
                value("reverse_charge") == "on",
                value("exemption"),
                value("exemption_valid_until") or None,
            )
        else:
            raise web.HTTPNotFound()
    except (ConnectorError, ValueError) as exc:
        problem = Problem(path=(), message=str(exc), fix=t("correct the value and save again"))
        client = _client(ctx, value("client"))
        return await _render(
            ctx, request, client, errors={"form": [problem]}, note=str(exc), status=400
        )
    if saved.problems:
        note = t("Not saved: the change does not pass the mapping check.")
        if saved.backup is not None:
            note = t("Saved, but not in force yet: another mapping file does not pass the check.")
        return await _render(
            ctx, request, client, errors={key: saved.problems}, note=note, status=400
        )
    raise _done(client, saved, what, key)


async def mapping_replay(ctx: StatusContext, request: web.Request) -> web.StreamResponse:
    """Replay every record parked for one pair or tax code, in one action."""
    if not auth.same_origin(request.headers):
        return web.Response(status=403, text="cross-site request refused")
    form = await request.post()
    client = _client(ctx, str(form.get("client", "")))
    if form.get("cost_code"):
        field = pair_field(str(form["cost_code"]), str(form.get("cost_type", "")))
    else:
        field = f'tax_codes."{form.get("tax_code", "")}"'
    result = await asyncio.to_thread(replay_parked, ctx.ledger, client, field, "mapping editor")
    counts: dict[str, int] = {}
    for decision in result.values():
        counts[decision] = counts.get(decision, 0) + 1
    t = translator_for(ctx, request)
    summary = ", ".join(f"{n} {t(d)}" for d, n in sorted(counts.items()))
    query = urlencode({"client": client.client_id, "replayed": len(result), "result": summary})
    raise web.HTTPSeeOther(f"{BASE}?{query}")


EDITOR_ROUTES = [
    ("GET", BASE, mapping_page),
    ("POST", BASE + "/replay", mapping_replay),
    ("POST", BASE + "/{kind}", mapping_change),
]
