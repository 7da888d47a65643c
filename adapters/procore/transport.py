"""HTTP transport of the Procore client: auth, company header, throttle, retries, pages.

Downloads (redirects to storage that must not see the token) are in ``downloads``.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Mapping
from types import TracebackType
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import httpx
import orjson
from pydantic import SecretStr

from adapters.procore.auth import ClientAuth, TokenProvider
from adapters.procore.clock import Clock, SystemClock
from adapters.procore.errors import (
    MissingCompanyContext,
    ProcoreError,
    ProcoreServerError,
    error_for_status,
)
from adapters.procore.pagination import Page, page_from_response
from adapters.procore.ratelimit import Throttle, read_retry_after
from adapters.procore.retry import RetryPolicy

COMPANY_HEADER = "Procore-Company-Id"
MAX_PAGES = 100_000  # a runaway Link chain must not loop forever

# Optional observers (metrics live in ``streams``): the HTTP status of every response (None when
# no response arrived) and every throttle wait in seconds.
OnResponse = Callable[[int | None], None]
OnThrottleWait = Callable[[float], None]
OnPage = Callable[[Page], None]


class ProcoreTransport:
    """Sends requests to Procore; every API request carries a company context."""

    def __init__(
        self,
        *,
        base_url: str,
        auth_url: str | None = None,
        client_id: str,
        client_secret: SecretStr | str,
        clock: Clock | None = None,
        per_page: int = 100,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        http: httpx.AsyncClient | None = None,
        on_response: OnResponse | None = None,
        on_throttle_wait: OnThrottleWait | None = None,
        client_auth: ClientAuth = "form",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._on_response = on_response
        self._on_throttle_wait = on_throttle_wait
        self.per_page = per_page
        self.clock: Clock = clock or SystemClock()
        secret = client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        self._http = http or httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)
        self._owns_http = http is None
        self.tokens = TokenProvider(
            self._http,
            (auth_url or base_url),
            client_id,
            secret,
            self.clock,
            client_auth=client_auth,
        )
        self.throttle = Throttle(self.clock, rng=rng)
        self.retry = retry or RetryPolicy(rng=rng or random.Random())
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- observers ---------------------------------------------------------------------------

    async def _wait_turn(self) -> None:
        waited = await self.throttle.wait_turn()
        if waited > 0 and self._on_throttle_wait is not None:
            self._on_throttle_wait(waited)

    def _observed(self, status: int | None) -> None:
        if self._on_response is not None:
            self._on_response(status)

    # -- single requests -------------------------------------------------------------------

    def _url(self, path_or_url: str) -> str:
        url = (
            urljoin(self.base_url + "/", path_or_url.lstrip("/"))
            if "://" not in path_or_url
            else path_or_url
        )
        if not self._is_api_host(url):
            raise ProcoreError(
                f"refusing to send credentials to {urlsplit(url).netloc!r}: not the configured "
                f"Procore host {urlsplit(self.base_url).netloc!r}",
                endpoint=urlsplit(url).path,
            )
        return url

    def _is_api_host(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.base_url).netloc

    @staticmethod
    def _company(company_id: int | None) -> str:
        if company_id is None or isinstance(company_id, bool) or int(company_id) <= 0:
            raise MissingCompanyContext(
                "every Procore request needs a company: pass company_id (it is sent as the "
                f"{COMPANY_HEADER} header); got {company_id!r}"
            )
        return str(int(company_id))

    async def _send(
        self,
        method: str,
        url: str,
        company: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
    ) -> httpx.Response:
        endpoint = urlsplit(url).path
        token = await self.tokens.token()
        for first in (True, False):
            await self._wait_turn()
            headers = {
                "Authorization": f"Bearer {token}",
                COMPANY_HEADER: company,
                "Accept": "application/json",
            }
            content = orjson.dumps(json_body) if json_body is not None else None
            if content is not None:
                headers["Content-Type"] = "application/json"
            self.requests_sent += 1
            try:
                response = await self._http.request(
                    method, url, params=params, headers=headers, content=content
                )
            except httpx.TransportError as exc:
                self._observed(None)
                raise ProcoreServerError(
                    f"{type(exc).__name__}: no usable response", method=method, endpoint=endpoint
                ) from None
            self._observed(response.status_code)
            self.throttle.observe(response.headers)
            if response.status_code == 401 and first:
                token = await self.tokens.renew_after_401(token)
                continue
            break
        self._raise_for_status(response, method, endpoint)
        return response

    def _raise_for_status(self, response: httpx.Response, method: str, endpoint: str) -> None:
        status = response.status_code
        if status < 400:
            return
        retry_after = read_retry_after(response.headers, self.clock.now())
        if status == 429 or (status == 503 and retry_after is not None):
            retry_after = self.throttle.on_throttled(response.headers)
        raise error_for_status(
            status,
            response.content,
            method=method,
            endpoint=endpoint,
            request_id=response.headers.get("x-request-id"),
            retry_after=retry_after if status in (429, 503) else None,
        )

    async def request_json(
        self,
        method: str,
        path_or_url: str,
        *,
        company_id: int | None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> tuple[Any, httpx.Headers]:
        """One API call with the retry policy; returns the decoded body and the headers."""
        company = self._company(company_id)
        url = self._url(path_or_url)

        async def attempt() -> tuple[Any, httpx.Headers]:
            response = await self._send(method, url, company, params, json_body)
            if response.status_code == 204 or not response.content:
                return None, response.headers
            try:
                return orjson.loads(response.content), response.headers
            except orjson.JSONDecodeError:
                raise ProcoreServerError(
                    "response body is not valid JSON (truncated or malformed)",
                    status=response.status_code,
                    method=method,
                    endpoint=urlsplit(url).path,
                    request_id=response.headers.get("x-request-id"),
                ) from None

        return await self.retry.run(attempt, self.clock.sleep)

    async def get_json(
        self, path: str, *, company_id: int | None, params: Mapping[str, Any] | None = None
    ) -> Any:
        body, _ = await self.request_json("GET", path, company_id=company_id, params=params)
        return body

    # -- lists -----------------------------------------------------------------------------

    async def paginate(
        self, path: str, *, company_id: int | None, params: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Page]:
        """Yield pages (``per_page`` records each) to the end (see ``pagination`` for how)."""
        base = {**(params or {}), "per_page": self.per_page}
        query: dict[str, Any] | None = {**base, "page": 1}
        url = path
        for number in range(1, MAX_PAGES + 1):
            body, headers = await self.request_json("GET", url, company_id=company_id, params=query)
            try:
                page = page_from_response(number, body, headers, endpoint=urlsplit(url).path)
            except ValueError as exc:
                raise ProcoreError(str(exc), method="GET", endpoint=urlsplit(url).path) from None
            yield page
            if page.next_url is not None:
                url, query = page.next_url, None  # the next link already carries every parameter
            elif not page.has_links and page.more_by_number(self.per_page):
                url, query = path, {**base, "page": number + 1}
            else:
                return
        raise ProcoreError(f"more than {MAX_PAGES} pages; stopping", endpoint=path)

    async def iter_records(
        self,
        path: str,
        *,
        company_id: int | None,
        params: Mapping[str, Any] | None = None,
        on_page: OnPage | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every record of a list; ``on_page`` sees each page (e.g. its ``Total``) first."""
        async for page in self.paginate(path, company_id=company_id, params=params):
            if on_page is not None:
                on_page(page)
            for item in page.items:
                yield item
