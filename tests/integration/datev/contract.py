"""DATEV's published OpenAPI structure (trimmed fixtures) as a response checker for tests."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import httpx
import orjson
from openapi_schema_validator import OAS30Validator

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "datev"
SPECS = {
    "extf": "accounting_extf-files-3.0.1.trimmed.json",
    "documents": "accounting_documents-2.1.12.trimmed.json",
    "dxso": "accounting_dxso-jobs-2.1.7.trimmed.json",
    "clients": "accounting-clients-2.0.trimmed.json",
}


@functools.cache
def spec(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads((FIXTURES / SPECS[name]).read_bytes())
    return loaded


def operation(name: str, method: str, url_path: str) -> tuple[str, dict[str, Any]]:
    """The spec path template matching ``url_path`` (after the product prefix) and its op.

    A literal segment beats a parameter (``documents/stapled`` before ``documents/{id}``).
    """
    paths = spec(name)["paths"]
    matching = [
        t
        for t, ops in paths.items()
        if method.lower() in ops
        and re.match("^" + re.sub(r"\{[^}]+\}", "[^/]+", t) + "$", url_path)
    ]
    if not matching:
        raise AssertionError(f"{method} {url_path} is not in DATEV's {name} spec")
    chosen = min(matching, key=lambda t: t.count("{"))
    return chosen, paths[chosen][method.lower()]


def check_response(name: str, prefix: str, resp: httpx.Response) -> None:
    """Assert the answer is one the spec documents: status, headers, body schema."""
    path = resp.request.url.path.removeprefix(prefix)
    template, op = operation(name, resp.request.method, path)
    status = str(resp.status_code)
    documented = op["responses"]
    assert status in documented, (
        f"{resp.request.method} {template} answered {status}; documented: {sorted(documented)}"
    )
    answer = documented[status]
    for header in answer.get("headers", {}):
        if header in ("Location", "Retry-After", "Total-Items"):
            assert header in resp.headers, f"{template} {status} lacks header {header}"
    content = answer.get("content", {})
    json_schema = next((c.get("schema") for t, c in content.items() if "json" in t), None)
    if json_schema is None or not resp.content:
        return
    root = {**json_schema, "components": spec(name)["components"]}
    OAS30Validator(root).validate(orjson.loads(resp.content))
