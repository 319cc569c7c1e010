"""A high-throughput Bot API transport on aiohttp, and the bot that pushes with it.

PTB's default HTTPXRequest peaks near 570 requests/s and collapses past ~40 concurrent
requests on a small machine (design.md §5); aiohttp's keep-alive pool stays flat. The token
is part of every URL, so no error raised here ever carries the URL or the underlying
exception (raised `from None`: a chained cause would print the URL in a traceback).
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import aiohttp
import yarl
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, RequestData

from bot.delivery.http1 import AnswerTimedOut, ConnectTimedOutError, Http1Client
from bot.delivery.ratelimit import effective_rate, senders_for
from bot.logs import redact

if TYPE_CHECKING:
    from bot.config import Settings


# How long a push whose answer missed the read timeout is still listened for. Telegram
# answers late under load; the message it sent meanwhile is one the engine must know of,
# or the resend leaves a copy that corrections and retractions never reach.
LATE_ANSWER_SECONDS = 120.0


class PoolTimedOut(TimedOut):
    """No connection became free in time: the request was never sent (safe to retry)."""


class ConnectTimedOut(TimedOut):
    """The connection could not be opened in time: the request was never sent."""


class ReadTimedOut(TimedOut):
    """The request went out but no answer came in time: it may have been executed.

    `late`, if set, is the answer still being listened for (see LATE_ANSWER_SECONDS)."""

    def __init__(
        self,
        message: str = "Read timeout: the request may have been executed",
        late: LateAnswer | None = None,
    ) -> None:
        super().__init__(message)
        self.late = late


class LateAnswer:
    """An answer that missed the read timeout and is still being read."""

    __slots__ = ("_answer", "_parse")

    def __init__(
        self, answer: asyncio.Task[tuple[int, bytes]], parse: Callable[[int, bytes], Any]
    ) -> None:
        self._answer = answer
        self._parse = parse

    async def result(self) -> Any:
        """The method's result if the answer comes after all; else the error it means."""
        try:
            status, body = await self._answer
        except AnswerTimedOut:
            raise ReadTimedOut("Read timeout: no late answer either") from None
        return self._parse(status, body)

    def cancel(self) -> None:
        """Nobody needs the answer: stop listening (closes the connection)."""
        self._answer.cancel()


def _seconds(value: object, default: float | None) -> float | None:
    # A time-out not given is BaseRequest.DEFAULT_NONE (PTB's sentinel; its type lives in a
    # private module): anything but a number or None means "the default".
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return default


@runtime_checkable
class JsonTransport(Protocol):
    """A transport that posts a JSON body to a Bot API method and returns its result."""

    async def call_json(
        self,
        url: str,
        payload: dict[str, Any],
        *,
        encoded: bytes | None = None,
        on_write: Callable[[], None] | None = None,
    ) -> Any:
        """The method's `result`, or the PTB exception for its error answer; `encoded`, if
        given, is `payload` already encoded as the body; `on_write` is called as the
        request's bytes go out."""
        ...


class AiohttpRequest(BaseRequest):
    """`telegram.request.BaseRequest` on an aiohttp keep-alive connection pool."""

    __slots__ = (
        "_connect_timeout",
        "_http1",
        "_late_answer_seconds",
        "_media_write_timeout",
        "_pool",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        pool_size: int = 128,
        read_timeout: float | None = 10.0,
        write_timeout: float | None = 10.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 10.0,
        media_write_timeout: float | None = 30.0,
        late_answer_seconds: float = LATE_ANSWER_SECONDS,
    ) -> None:
        self._pool_size = pool_size
        self._late_answer_seconds = late_answer_seconds
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._pool: asyncio.Semaphore | None = None
        self._http1: Http1Client | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the connection pool (inside the running loop)."""
        if self._session is not None and not self._session.closed:
            return
        connector = aiohttp.TCPConnector(
            limit=self._pool_size,
            limit_per_host=self._pool_size,
            keepalive_timeout=60,
            ttl_dns_cache=300,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            # The caller interprets every status itself (BaseRequest maps 4xx/5xx).
            raise_for_status=False,
            auto_decompress=True,
            # The Bot API sets no cookies; a real jar is consulted on every request.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        # Our own semaphore gives a pool timeout distinct from connect and read timeouts:
        # waiting for a free connection means the request has not been sent.
        self._pool = asyncio.Semaphore(self._pool_size)
        self._http1 = Http1Client(self.USER_AGENT)

    async def shutdown(self) -> None:
        """Close the pool; safe to call twice."""
        if self._session is not None:
            await self._session.close()
        self._session = None
        if self._http1 is not None:
            await self._http1.close()
        self._http1 = None

    def _body(self, request_data: RequestData | None) -> Any:
        if request_data is None:
            return None
        if not request_data.contains_files:
            return aiohttp.FormData(request_data.json_parameters)
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, upload in request_data.multipart_data.items():
            filename, content, mimetype = upload[0], upload[1], upload[2]
            form.add_field(name, content, filename=filename, content_type=mimetype)
        return form

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; map timeouts to TimedOut subclasses and all else to NetworkError."""
        files = request_data is not None and request_data.contains_files
        read = _seconds(read_timeout, self._read_timeout)
        write = _seconds(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = _seconds(connect_timeout, self._connect_timeout)
        pool = _seconds(pool_timeout, self._pool_timeout)
        return await self._exchange(
            method, url, self._body(request_data), None, read, write, connect, pool
        )

    async def call_json(
        self,
        url: str,
        payload: dict[str, Any],
        *,
        encoded: bytes | None = None,
        on_write: Callable[[], None] | None = None,
    ) -> Any:
        """POST a JSON body to a Bot API method and return its `result` (the push fast path).

        The answer stays a dict: building PTB objects for a million sends costs more CPU than
        everything else on the path. Failures raise the exceptions PTB's BaseRequest raises
        for the same answers (RetryAfter, ChatMigrated, Forbidden, BadRequest, ...).
        """
        if self._pool is None or self._http1 is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        body = (
            encoded
            if encoded is not None
            else json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        )
        _checked_url(url)
        try:
            if self._pool.locked():
                await asyncio.wait_for(self._pool.acquire(), self._pool_timeout)
            else:
                await self._pool.acquire()
        except TimeoutError:
            raise PoolTimedOut(
                "Pool timeout: every connection is busy; the request was not sent"
            ) from None
        try:
            status, body = await self._http1.post_json(
                url,
                body,
                connect_timeout=self._connect_timeout,
                read_timeout=self._read_timeout,
                on_write=on_write,
                listen_late=self._late_answer_seconds,
            )
        except ConnectTimedOutError:
            raise ConnectTimedOut("Connect timeout: the request was not sent") from None
        except AnswerTimedOut as exc:
            late = None if exc.late is None else LateAnswer(exc.late, self._result)
            raise ReadTimedOut(late=late) from None
        finally:
            self._pool.release()
        return self._result(status, body)

    def _result(self, status: int, body: bytes) -> Any:
        if HTTPStatus.OK <= status <= 299:
            data = self.parse_json_payload(body)
            if not data.get("ok", False):
                raise NetworkError(str(data.get("description") or "Unknown error"))
            return data.get("result")
        raise _api_error(status, body)

    async def _exchange(
        self,
        method: str,
        url: str,
        data: Any,
        headers: dict[str, str] | None,
        read: float | None,
        write: float | None,
        connect: float | None,
        pool: float | None,
    ) -> tuple[int, bytes]:
        if self._session is None or self._pool is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        target = _checked_url(url)
        try:
            if self._pool.locked():
                await asyncio.wait_for(self._pool.acquire(), pool)
            else:  # a free connection: no timer task needed (it costs CPU on every send)
                await self._pool.acquire()
        except TimeoutError:
            raise PoolTimedOut(
                "Pool timeout: every connection is busy; the request was not sent"
            ) from None
        try:
            # aiohttp has no separate write timeout; sock_read starts once the body is out,
            # so bound the whole exchange by the sum as a backstop.
            total = (
                None
                if None in (read, write, connect)
                else (read or 0) + (write or 0) + (connect or 0)
            )
            timeout = _client_timeout(total, connect, read)
            async with self._session.request(
                method, target, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError:
            raise ConnectTimedOut("Connect timeout: the request was not sent") from None
        except (aiohttp.SocketTimeoutError, TimeoutError):
            raise ReadTimedOut("Read timeout: the request may have been executed") from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {redact(str(exc))}") from None
        finally:
            self._pool.release()


_JSON_HEADERS = {"Content-Type": "application/json"}


@functools.lru_cache(maxsize=256)
def _parsed(url: str) -> yarl.URL:
    # A push goes to the same few URLs a million times: parse each once.
    return yarl.URL(url)


def _checked_url(url: str) -> yarl.URL:
    """The parsed URL; a malformed one is a NetworkError that does not repeat it."""
    try:
        return _parsed(url)
    except ValueError:
        raise NetworkError("Invalid URL: check TELEGRAM_BASE_URL") from None


@functools.lru_cache(maxsize=64)
def _client_timeout(
    total: float | None, connect: float | None, read: float | None
) -> aiohttp.ClientTimeout:
    # The same few timeouts on every request: build each once.
    return aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)


def _api_error(status: int, body: bytes) -> TelegramError:
    """The exception PTB's BaseRequest raises for this error answer (same rules, same texts)."""
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = str(data.get("description") or message)
        parameters = data.get("parameters")
        if isinstance(parameters, dict):
            if parameters.get("migrate_to_chat_id"):
                return ChatMigrated(int(parameters["migrate_to_chat_id"]))
            if parameters.get("retry_after"):
                return RetryAfter(int(parameters["retry_after"]))
    if status == HTTPStatus.FORBIDDEN:
        return Forbidden(message)
    if status in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        return InvalidToken(message)
    if status == HTTPStatus.BAD_REQUEST:
        return BadRequest(message)
    if status == HTTPStatus.CONFLICT:
        return Conflict(message)
    return NetworkError(message)


def build_push_bot(settings: Settings, *, pool_size: int | None = None) -> Bot:
    """A Bot for fan-out: aiohttp transport sized for the push rate, base URL from settings."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to push")
    # One connection per sender the engine runs at this rate: a sender never waits for one.
    size = pool_size or senders_for(effective_rate(settings.push_rate, settings.paid_broadcast))
    return Bot(
        token=settings.bot_token.get_secret_value(),
        base_url=settings.telegram_base_url,
        base_file_url=settings.file_base_url,
        request=AiohttpRequest(pool_size=size),
        get_updates_request=AiohttpRequest(pool_size=1),
    )
