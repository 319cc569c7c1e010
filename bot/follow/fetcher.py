"""One polite, bounded HTTP fetch of a followed source.

Conditional (ETag, Last-Modified), compressed (gzip, brotli), limited in size and time,
redirects followed by hand so each hop is checked against the address policy."""

from __future__ import annotations

import asyncio
import email.utils
import enum
import time
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from bot.follow.safety import AddressPolicy, GuardedResolver, RefusedAddress

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 5_000_000
DEFAULT_TIMEOUT_S = 20.0
ACCEPT = (
    "application/feed+json, application/atom+xml, application/rss+xml, application/xml;q=0.9,"
    " text/html;q=0.9, */*;q=0.5"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchFailure(enum.StrEnum):
    """Kinds of failed fetches; each one is shown to editors in /sources."""

    REFUSED = "refused"
    HTTP = "http"
    THROTTLED = "throttled"
    TOO_LARGE = "too-large"
    TIMEOUT = "timeout"
    NETWORK = "network"
    REDIRECTS = "redirects"


class FetchError(Exception):
    """A fetch that brought nothing usable; `retry_after` when the server asked for a pause."""

    def __init__(
        self,
        kind: FetchFailure,
        detail: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        refusal: RefusedAddress | None = None,
    ) -> None:
        super().__init__(f"{kind.value}: {detail}")
        self.kind = kind
        self.detail = detail
        self.status = status
        self.retry_after = retry_after
        self.refusal = refusal


@dataclass(frozen=True)
class Validators:
    """What the server said last time, sent back so an unchanged source answers 304."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    """A fetch's outcome: `body` is None when the server said 304 Not Modified."""

    url: str
    body: bytes | None
    content_type: str
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.body is None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """An HTTP client for followed sources, one connection pool for all of them."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        user_agent: str,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        resolver: AbstractResolver | None = None,
        max_connections: int = 32,
    ) -> None:
        self.policy = policy
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self._resolver = GuardedResolver(policy, resolver)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=self._resolver,
                limit=self._max_connections,
                limit_per_host=4,
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                # Proxies from the environment would move the connection out of our checks.
                trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.user_agent, "Accept": ACCEPT},
            )
        return self._session

    async def close(self) -> None:
        """Close the connection pool; safe to call twice."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, url: str, validators: Validators | None = None) -> Fetched:
        """GET a source, following redirects hop by hop; FetchError when nothing usable came."""
        try:
            return await asyncio.wait_for(self._fetch(url, validators), self.timeout_s)
        except TimeoutError:
            raise FetchError(
                FetchFailure.TIMEOUT, f"no complete answer within {self.timeout_s:g} s"
            ) from None

    async def _fetch(self, url: str, validators: Validators | None) -> Fetched:
        current = self._checked(url)
        headers: dict[str, str] = {}
        if validators is not None:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        session = self._client()
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                async with session.get(
                    current, headers=headers, allow_redirects=False, max_line_size=16384
                ) as response:
                    if response.status in REDIRECT_STATUSES:
                        location = response.headers.get("Location")
                        if not location:
                            raise FetchError(
                                FetchFailure.HTTP,
                                "redirect without a target",
                                status=response.status,
                            )
                        current = self._checked(current.join(URL(location)))
                        continue
                    return await self._read(current, response)
            except RefusedAddress as exc:
                raise FetchError(FetchFailure.REFUSED, str(exc), refusal=exc) from None
            except aiohttp.ClientError as exc:
                raise FetchError(FetchFailure.NETWORK, _short(exc)) from None
        raise FetchError(FetchFailure.REDIRECTS, f"more than {MAX_REDIRECTS} redirects")

    def _checked(self, url: str | URL) -> URL:
        try:
            return self.policy.check_url(url)
        except RefusedAddress as exc:
            raise FetchError(FetchFailure.REFUSED, str(exc), refusal=exc) from None

    async def _read(self, url: URL, response: aiohttp.ClientResponse) -> Fetched:
        validators = Validators(
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )
        if response.status == 304:
            return Fetched(str(url), None, "", validators)
        if response.status in (429, 503):
            raise FetchError(
                FetchFailure.THROTTLED,
                f"HTTP {response.status}",
                status=response.status,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if response.status != 200:
            raise FetchError(FetchFailure.HTTP, f"HTTP {response.status}", status=response.status)
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise FetchError(FetchFailure.TOO_LARGE, f"{declared} bytes > {self.max_bytes}")
        chunks: list[bytes] = []
        size = 0
        # Counted after decompression: a small gzip bomb is as large as what it unpacks to.
        async for chunk in response.content.iter_chunked(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(FetchFailure.TOO_LARGE, f"more than {self.max_bytes} bytes")
            chunks.append(chunk)
        return Fetched(
            str(url), b"".join(chunks), response.headers.get("Content-Type", ""), validators
        )


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
