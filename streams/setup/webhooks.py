"""Registering our Procore webhook: an explicit action, `ml-connector webhooks register`.

It lives apart from the doctor because it changes Procore; a check only reads.
"""

from __future__ import annotations

import re

from adapters.procore.client import ProcoreClient
from adapters.procore.hooks import ensure_triggers, list_hooks, register_hook
from streams.config.settings import Settings
from streams.errors import ConnectorError
from streams.ledger.rules import BookingRules
from streams.setup.scope import procore_companies


async def register_webhooks(
    settings: Settings, client: ProcoreClient | None, rules: BookingRules | None
) -> list[str]:
    """Create our hook (and its missing triggers) in every configured company; what was done."""
    url, secret = settings.procore.webhook_url, settings.procore.webhook_secret
    if url is None or secret is None:
        raise ConnectorError(
            "set procore.webhook_url (MLC_PROCORE__WEBHOOK_URL) and procore.webhook_secret "
            "(MLC_PROCORE__WEBHOOK_SECRET) before registering webhooks"
        )
    if client is None:
        raise ConnectorError("no Procore credentials: `ml-connector vault procore-credentials`")
    namespace = re.sub(r"[^a-z0-9-]", "-", settings.app_id)
    done: list[str] = []
    async with client:
        for company in sorted(procore_companies(settings, rules)):
            hooks = [h for h in await list_hooks(client, company) if h["destination_url"] == url]
            hook = (
                hooks[0]
                if hooks
                else await register_hook(
                    client, company, namespace=namespace, destination_url=url, authorization=secret
                )
            )
            created = await ensure_triggers(client, company, int(hook["id"]))
            done.append(f"company {company}: hook {hook['id']}, {len(created)} trigger(s) added")
    return done
