"""A lean keep-alive HTTP/1.1 client for the push path: one JSON POST per message.

aiohttp's client spends most of a push's CPU on machinery a Bot API call does not need
(tracing, cookies, multidict headers, URL joins). This client writes one pre-formatted
request and reads a Content-Length or chunked answer over pooled connections. Everything
else (uploads, polling, replies) stays on aiohttp. No error raised here carries the URL,
which holds the token.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from telegram.error import NetworkError

IDLE_SECONDS = 30.0  # drop a kept-alive connection unused this long (servers close them)
MAX_HEADER_LINES = 100
# Connections kept open at once to hear answers that came after the read timeout: each
# holds a socket, so an outage of hung answers must not pile them up without end.
MAX_LATE_LISTENERS = 256


class ConnectFailed(NetworkError):
    """The connection could not be opened: the request was not sent."""


class AnswerTimedOut(Exception):
    """The request went out but no complete answer came in time.

    `late`, if set, keeps reading the answer in the background: (status, body) if it comes
    within the late window, else it raises AnswerTimedOut itself."""

    def __init__(self, late: asyncio.Task[tuple[int, bytes]] | None = None) -> None:
        super().__init__("no answer in time")
        self.late = late


class ConnectTimedOutError(Exception):
    """The connection could not be opened in time."""


@dataclass(frozen=True)
class _Target:
    host: str
    port: int
    tls: bool
    path: bytes
    host_header: str


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    used_at: float = field(default_factory=time.monotonic)
    # Whether the current answer's head has been read: until then a timed-out read has
    # consumed nothing and the answer can still be read whole, later.
    answer_started: bool = False

    def reusable(self, now: float) -> bool:
        # A server that closed an idle connection has fed EOF: never write into it.
        return (
            not self.writer.is_closing()
            and not self.reader.at_eof()
            and now - self.used_at < IDLE_SECONDS
        )

    def close(self) -> None:
        self.writer.close()


class Http1Client:
    """POST JSON bodies over kept-alive connections, per origin (the caller bounds concurrency)."""

    def __init__(self, user_agent: str) -> None:
        self._user_agent = user_agent
        self._idle: dict[tuple[str, int, bool], deque[_Connection]] = {}
        self._targets: dict[str, _Target] = {}
        self._ssl: ssl.SSLContext | None = None
        self._late: set[asyncio.Task[tuple[int, bytes]]] = set()

    def _target(self, url: str) -> _Target:
        target = self._targets.get(url)
        if target is None:
            parts = urlsplit(url)
            tls = parts.scheme == "https"
            port = parts.port or (443 if tls else 80)
            host = parts.hostname or ""
            default = port == (443 if tls else 80)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            target = _Target(host, port, tls, path.encode(), host if default else f"{host}:{port}")
            if len(self._targets) < 256:
                self._targets[url] = target
        return target

    async def _connect(self, target: _Target, seconds: float | None) -> _Connection:
        context: ssl.SSLContext | None = None
        if target.tls:
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        try:
            async with asyncio.timeout(seconds):
                reader, writer = await asyncio.open_connection(
                    target.host, target.port, ssl=context, limit=1 << 20
                )
        except TimeoutError:
            raise ConnectTimedOutError from None
        except (OSError, ssl.SSLError) as exc:
            raise ConnectFailed(f"Connect failed: {type(exc).__name__}") from None
        return _Connection(reader, writer)

    async def post_json(
        self,
        url: str,
        body: bytes,
        *,
        connect_timeout: float | None,
        read_timeout: float | None,
        on_write: Callable[[], None] | None = None,
        listen_late: float = 0.0,
    ) -> tuple[int, bytes]:
        """Send one POST; (status, body); `on_write` is called as the bytes go out. Raises
        ConnectFailed, ConnectTimedOutError, AnswerTimedOut or NetworkError (the request may
        have arrived). With `listen_late`, an answer that misses the read timeout is still
        read for that many seconds more (AnswerTimedOut.late)."""
        target = self._target(url)
        key = (target.host, target.port, target.tls)
        idle = self._idle.setdefault(key, deque())
        now = time.monotonic()
        connection: _Connection | None = None
        while idle:
            candidate = idle.pop()
            if candidate.reusable(now):
                connection = candidate
                break
            candidate.close()
        if connection is None:
            connection = await self._connect(target, connect_timeout)
        head = (
            b"POST "
            + target.path
            + b" HTTP/1.1\r\nHost: "
            + target.host_header.encode()
            + b"\r\nUser-Agent: "
            + self._user_agent.encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
        )
        keep = False
        handed_off = False
        if on_write is not None:
            on_write()
        connection.answer_started = False
        try:
            connection.writer.write(head + body)
            async with asyncio.timeout(read_timeout):
                status, answer, keep = await _read_answer(connection)
        except TimeoutError:
            late = self._listen_late(connection, listen_late)
            handed_off = late is not None
            raise AnswerTimedOut(late) from None
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            raise NetworkError(f"Connection dropped: {type(exc).__name__}") from None
        finally:
            if keep:
                connection.used_at = time.monotonic()
                idle.append(connection)
            elif not handed_off:
                connection.close()
        return status, answer

    def _listen_late(
        self, connection: _Connection, seconds: float
    ) -> asyncio.Task[tuple[int, bytes]] | None:
        """Go on reading a timed-out answer in the background, if it can still be read whole.

        A message whose answer came late was sent all the same: the caller resends it, and
        only the late answer tells which message id the first copy got."""
        if seconds <= 0 or connection.answer_started or len(self._late) >= MAX_LATE_LISTENERS:
            return None

        async def listen() -> tuple[int, bytes]:
            try:
                async with asyncio.timeout(seconds):
                    status, answer, _ = await _read_answer(connection)
            except TimeoutError:
                raise AnswerTimedOut from None
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
                raise NetworkError(f"Connection dropped: {type(exc).__name__}") from None
            finally:
                # Never reused: whatever the server sends next on it is nobody's answer.
                connection.close()
            return status, answer

        task = asyncio.get_running_loop().create_task(listen(), name="late-answer")
        self._late.add(task)
        task.add_done_callback(_forget(self._late))
        return task

    async def close(self) -> None:
        """Close every idle connection and stop listening for late answers."""
        for idle in self._idle.values():
            while idle:
                idle.pop().close()
        for task in list(self._late):
            task.cancel()
        await asyncio.gather(*self._late, return_exceptions=True)


def _forget(
    tasks: set[asyncio.Task[tuple[int, bytes]]],
) -> Callable[[asyncio.Task[tuple[int, bytes]]], None]:
    def done(task: asyncio.Task[tuple[int, bytes]]) -> None:
        tasks.discard(task)
        # Nobody may ask for a late answer: retrieve its failure so none is logged as lost.
        if not task.cancelled():
            task.exception()

    return done


async def _read_answer(connection: _Connection) -> tuple[int, bytes, bool]:
    reader = connection.reader
    # The status line and headers in one read (one await, not one per header line).
    try:
        block = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise ConnectionResetError("closed before an answer") from None
        raise ConnectionResetError("closed inside the headers") from None
    except asyncio.LimitOverrunError:
        raise ValueError("headers too long") from None
    connection.answer_started = True
    lines = block.split(b"\r\n")
    if len(lines) > MAX_HEADER_LINES + 3:  # status line, headers, two empty ends
        raise ValueError("too many header lines")
    version, status_text = lines[0].split(b" ", 2)[:2]
    status = int(status_text)
    length: int | None = None
    chunked = False
    keep = version.upper() == b"HTTP/1.1"
    for header in lines[1:]:
        if not header:
            continue
        name, _, value = header.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            token = value.strip().lower()
            keep = token == b"keep-alive" or (keep and token != b"close")
    if chunked:
        parts = []
        while True:
            size = int((await reader.readline()).split(b";", 1)[0].strip(), 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        return status, b"".join(parts), keep
    if length is not None:
        return status, await reader.readexactly(length), keep
    return status, await reader.read(), False
