"""Manage Procore webhook hooks and triggers (``/rest/v1.0/webhooks/hooks``) for our resources.

Hooks are registered with the newest payload version Procore documents (v4.0); the receiver
parses v2.0/v3.0 as well, so hooks created earlier keep working.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from adapters.procore.transport import ProcoreTransport
from adapters.procore.webhooks import NEWEST_PAYLOAD_VERSION

HOOKS_PATH = "/rest/v1.0/webhooks/hooks"
EVENT_TYPES = ("create", "update", "delete")

# Company-level and project-level resource names the connector listens to. Procore's catalogue
# did not list a requisition resource in one sandbox (unconfirmed): keep polling requisitions.
COMPANY_RESOURCES = ("Company Vendors",)
PROJECT_RESOURCES = (
    "Requisitions",
    "Direct Costs",
    "Direct Cost Line Items",
    "Purchase Order Contracts",
    "Purchase Order Contract Line Items",
    "Work Order Contracts",
    "Work Order Contract Line Items",
)


async def list_hooks(client: ProcoreTransport, company_id: int) -> list[dict[str, Any]]:
    body = await client.get_json(
        HOOKS_PATH, company_id=company_id, params={"company_id": company_id}
    )
    return list(body or [])


async def list_triggers(
    client: ProcoreTransport, company_id: int, hook_id: int
) -> list[dict[str, Any]]:
    body = await client.get_json(
        f"{HOOKS_PATH}/{hook_id}/triggers", company_id=company_id, params={"company_id": company_id}
    )
    return list(body or [])


async def register_hook(
    client: ProcoreTransport,
    company_id: int,
    *,
    namespace: str,
    destination_url: str,
    authorization: SecretStr,
    api_version: str = NEWEST_PAYLOAD_VERSION,
) -> dict[str, Any]:
    """Create a company hook delivering to ``destination_url`` with our Authorization header."""
    body = {
        "company_id": company_id,
        "hook": {
            "api_version": api_version,
            "namespace": namespace,
            "destination_url": destination_url,
            "destination_headers": {"Authorization": authorization.get_secret_value()},
        },
    }
    created, _ = await client.request_json(
        "POST", HOOKS_PATH, company_id=company_id, json_body=body
    )
    return dict(created)


async def ensure_triggers(
    client: ProcoreTransport,
    company_id: int,
    hook_id: int,
    *,
    resource_names: tuple[str, ...] = COMPANY_RESOURCES + PROJECT_RESOURCES,
    api_version: str = NEWEST_PAYLOAD_VERSION,
) -> list[dict[str, Any]]:
    """Create the missing (resource, event type) triggers on a hook; returns the created ones."""
    existing = {
        (t.get("resource_name"), t.get("event_type"))
        for t in await list_triggers(client, company_id, hook_id)
    }
    created: list[dict[str, Any]] = []
    for name in resource_names:
        for event_type in EVENT_TYPES:
            if (name, event_type) in existing:
                continue
            body = {
                "company_id": company_id,
                "api_version": api_version,
                "trigger": {"resource_name": name, "event_type": event_type},
            }
            trigger, _ = await client.request_json(
                "POST", f"{HOOKS_PATH}/{hook_id}/triggers", company_id=company_id, json_body=body
            )
            created.append(dict(trigger))
    return created
