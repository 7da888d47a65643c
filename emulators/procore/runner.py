"""Start the emulator: ``run_procore_emulator`` for tests, ``serve`` for the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from aiohttp import web

from emulators.procore import mutations
from emulators.procore.clock import Clock, SystemClock
from emulators.procore.data import EmulatorState, Json, Resource, Size
from emulators.procore.faults import Faults
from emulators.procore.limits import Counters
from emulators.procore.server import EmulatorConfig, EmulatorContext, build_app
from emulators.procore.webhooks_sender import WebhookSender


class ProcoreEmulator:
    """A running emulator: its URL, credentials, data, faults, counters and webhook sender."""

    def __init__(self, ctx: EmulatorContext, sender: WebhookSender) -> None:
        self.ctx = ctx
        self.webhooks = sender

    @property
    def base_url(self) -> str:
        return self.ctx.base_url

    @property
    def auth_url(self) -> str:
        return self.ctx.base_url  # the token endpoint is served by the same app

    @property
    def client_id(self) -> str:
        return self.ctx.config.client_id

    @property
    def client_secret(self) -> str:
        return self.ctx.config.client_secret

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    @property
    def state(self) -> EmulatorState:
        return self.ctx.state

    @property
    def faults(self) -> Faults:
        return self.ctx.faults

    def set_faults(self, **values: Any) -> Faults:
        """Replace fault switches (validated), e.g. ``emu.set_faults(burst_5xx_next=2)``."""
        self.ctx.faults = Faults.model_validate({**self.ctx.faults.model_dump(), **values})
        return self.ctx.faults

    @property
    def counters(self) -> Counters:
        return self.ctx.counters

    @property
    def company_id(self) -> int:
        return next(iter(self.ctx.state.companies))

    def project_ids(self, company_id: int | None = None) -> list[int]:
        return self.ctx.state.project_ids(company_id)

    # -- change drivers (each fires a webhook) ---------------------------------------------

    def approve_requisition(self, requisition_id: int) -> Json:
        return mutations.approve_requisition(self.state, requisition_id)

    def edit_direct_cost(self, direct_cost_id: int, amount: Decimal) -> Json:
        return mutations.edit_direct_cost(self.state, direct_cost_id, amount=amount)

    def update(self, resource: Resource, record_id: int, **fields: Any) -> Json:
        return mutations.update_record(self.state, resource, record_id, fields)

    def delete(self, resource: Resource, record_id: int) -> None:
        mutations.delete_record(self.state, resource, record_id)

    def create(self, resource: Resource, project_id: int | None = None, **fields: Any) -> Json:
        return mutations.create_record(self.state, resource, project_id=project_id, fields=fields)


@asynccontextmanager
async def run_procore_emulator(
    *,
    seed: int = 7,
    size: str | int | Size = "small",
    clock: Clock | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    **config: Any,
) -> AsyncIterator[ProcoreEmulator]:
    """Serve the emulator on ``host:port`` (0 = a free port) for the duration of the block.

    Extra keyword arguments are :class:`EmulatorConfig` fields (``token_ttl_s``,
    ``hourly_limit``, ``spike_limit``, ``webhook_url``, ``webhook_auth``, ``payload_version`` …).
    """
    ctx = EmulatorContext(EmulatorConfig(seed=seed, size=size, **config), clock or SystemClock())
    runner = web.AppRunner(build_app(ctx), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    ctx.base_url = f"http://{bound_host}:{bound_port}"
    sender = WebhookSender(ctx)
    await sender.start()
    try:
        yield ProcoreEmulator(ctx, sender)
    finally:
        await sender.stop()
        await runner.cleanup()


async def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    on_ready: Callable[[ProcoreEmulator], None] | None = None,
    faults: dict[str, Any] | None = None,
    **config: Any,
) -> None:
    """Run until cancelled (Ctrl-C); ``on_ready`` gets the running emulator (to print its URL)."""
    async with run_procore_emulator(host=host, port=port, **config) as emu:
        if faults:
            emu.set_faults(**faults)
        if on_ready is not None:
            on_ready(emu)
        await asyncio.Event().wait()
