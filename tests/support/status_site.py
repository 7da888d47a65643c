"""The status page's aiohttp application served on a free loopback port, with a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from aiohttp import web

from streams.operator.status.context import StatusContext
from streams.operator.status.routes import status_application


@asynccontextmanager
async def status_client(ctx: StatusContext) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client whose base URL is the running status page of ``ctx``."""
    runner = web.AppRunner(status_application(ctx))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        async with httpx.AsyncClient(base_url=f"http://{host}:{port}") as http:
            yield http
    finally:
        await runner.cleanup()
