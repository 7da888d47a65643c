"""Attachment downloads from Procore: streamed, with redirects followed by hand.

A file URL on Procore answers with a redirect to pre-signed storage. The Bearer token and the
company header go only to trusted hosts (the configured base URL, https ``*.procore.com``) and
never to a redirect target; only calls that reach Procore count against its rate limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urljoin, urlsplit

import httpx

from adapters.procore.errors import ProcoreError, ProcoreServerError
from adapters.procore.transport import COMPANY_HEADER, ProcoreTransport

MAX_REDIRECTS = 5


class ProcoreDownloads(ProcoreTransport):
    """The transport plus streamed downloads (invoice PDFs)."""

    def is_trusted_host(self, url: str) -> bool:
        """Hosts that may see the Bearer token: the configured base, or ``*.procore.com``."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.netloc == urlsplit(self.base_url).netloc:
            return True
        return parts.scheme == "https" and (host == "procore.com" or host.endswith(".procore.com"))

    async def _open_stream(self, url: str, company: str) -> httpx.Response:
        """Follow redirects by hand: the token goes only to trusted hosts, never to a redirect."""
        headers: dict[str, str] = {}
        if self.is_trusted_host(url):
            headers["Authorization"] = f"Bearer {await self.tokens.token()}"
            headers[COMPANY_HEADER] = company
            await self._wait_turn()
        for _ in range(MAX_REDIRECTS + 1):
            endpoint = urlsplit(url).path
            self.requests_sent += 1
            try:
                request = self._http.build_request("GET", url, headers=headers)
                response = await self._http.send(request, stream=True, follow_redirects=False)
            except httpx.TransportError as exc:
                if "Authorization" in headers:
                    self._observed(None)
                raise ProcoreServerError(
                    f"{type(exc).__name__}: download failed", method="GET", endpoint=endpoint
                ) from None
            if "Authorization" in headers:  # a Procore call, not a pre-signed storage URL
                self._observed(response.status_code)
                self.throttle.observe(response.headers)
            if response.is_redirect and "location" in response.headers:
                await response.aclose()
                url = urljoin(url, response.headers["location"])
                headers = {}  # pre-signed storage URLs must not see our token
                continue
            if response.status_code >= 400:
                await response.aread()
                await response.aclose()
                self._raise_for_status(response, "GET", endpoint)
            return response
        raise ProcoreError(f"more than {MAX_REDIRECTS} redirects", method="GET", endpoint=url)

    async def stream(
        self, url: str, *, company_id: int | None, chunk_size: int = 64 * 1024
    ) -> AsyncIterator[bytes]:
        """Download ``url`` as byte chunks; opening is retried, the body is streamed once.

        The company is required even for storage URLs: the first hop may be Procore's.
        """
        company = self._company(company_id)
        absolute = urljoin(self.base_url + "/", url)

        async def attempt() -> httpx.Response:
            return await self._open_stream(absolute, company)

        response = await self.retry.run(attempt, self.clock.sleep)
        try:
            async for chunk in response.aiter_bytes(chunk_size):
                yield chunk
        finally:
            await response.aclose()
