"""The push path's HTTP/1.1 client against answers real servers give."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.delivery.http1 import Http1Client
from bot.delivery.transport import AiohttpRequest, ReadTimedOut

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuv"


@pytest.fixture
async def server() -> AsyncIterator[str]:
    async def chunked(request: web.Request) -> web.StreamResponse:
        payload = await request.json()
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        text = json.dumps({"ok": True, "result": {"message_id": 7, "echo": payload["text"]}})
        for start in range(0, len(text), 5):
            await response.write(text[start : start + 5].encode())
        await response.write_eof()
        return response

    async def closing(request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": True, "result": {"message_id": 8}}, headers={"Connection": "close"}
        )

    async def flood(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            },
            status=429,
        )

    async def bad(request: web.Request) -> web.Response:
        body = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
        return web.json_response(body, status=400)

    async def drop(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.abort()
        return web.Response()

    async def slow(request: web.Request) -> web.Response:
        import asyncio

        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": {}})

    app = web.Application()
    for name, handler in [
        ("chunked", chunked),
        ("closing", closing),
        ("flood", flood),
        ("bad", bad),
        ("drop", drop),
        ("slow", slow),
    ]:
        app.router.add_post(f"/bot{TOKEN}/{name}", handler)
    # The slow handler is still asleep at teardown: do not wait the default minute for it.
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot{TOKEN}"
    finally:
        await runner.cleanup()


async def test_answers_chunked_closing_and_errors_like_ptb(server: str) -> None:
    request = AiohttpRequest(pool_size=4, read_timeout=0.5)
    await request.initialize()
    try:
        for _ in range(3):  # the kept-alive connection is reused
            result = await request.call_json(f"{server}/chunked", {"chat_id": 1, "text": "Grüße"})
            assert result == {"message_id": 7, "echo": "Grüße"}
        for _ in range(2):  # the server closes after each answer: a new connection
            assert (await request.call_json(f"{server}/closing", {}))["message_id"] == 8
        with pytest.raises(RetryAfter):
            await request.call_json(f"{server}/flood", {})
        with pytest.raises(BadRequest, match="Chat not found"):
            await request.call_json(f"{server}/bad", {})
        errors: list[Exception] = []
        for name in ("drop", "slow"):
            with pytest.raises((NetworkError, ReadTimedOut)) as caught:
                await request.call_json(f"{server}/{name}", {})
            errors.append(caught.value)
        assert isinstance(errors[1], ReadTimedOut)
        # Nothing raised carries the URL, which holds the token.
        assert all(TOKEN not in str(e) and TOKEN not in repr(e) for e in errors)
        # After failures the pool still works.
        assert (await request.call_json(f"{server}/chunked", {"text": "x"}))["message_id"] == 7
    finally:
        await request.shutdown()


async def test_broken_header_blocks_are_network_errors() -> None:
    answers = [
        b"HTTP/1.1 200 OK\r\n" + b"X-Filler: y\r\n" * 200 + b"\r\n",  # too many header lines
        b"HTTP/1.1 200 OK\r\nContent-Le",  # closed inside the headers
        b"",  # closed before an answer
        b'HTTP/1.1 200 OK\r\nContent-Length: 37\r\n\r\n{"ok":true,"result":{"message_id":9}}',
    ]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answers.pop(0))
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    request = AiohttpRequest(pool_size=1, read_timeout=2)
    await request.initialize()
    try:
        url = f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage"
        for _ in range(3):
            with pytest.raises(NetworkError) as caught:
                await request.call_json(url, {"text": "x"})
            assert TOKEN not in str(caught.value)
        assert await request.call_json(url, {"text": "x"}) == {"message_id": 9}
    finally:
        await request.shutdown()
        listener.close()
        await listener.wait_closed()


async def test_a_request_says_it_goes_out_only_once_its_connection_is_open(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The push budget logs a send when `on_write` fires: fired before a slow connect (30 ms
    # and more while a fan-out opens hundreds), the server counted more in a second than
    # the budget had allowed.
    events: list[str] = []
    connect = Http1Client._connect

    async def slow_connect(self: Http1Client, target: Any, seconds: float | None) -> Any:
        events.append("connecting")
        connection = await connect(self, target, seconds)
        events.append("connected")
        return connection

    monkeypatch.setattr(Http1Client, "_connect", slow_connect)
    request = AiohttpRequest(pool_size=2, read_timeout=2)
    await request.initialize()
    try:
        for _ in range(2):  # a new connection, then the kept-alive one
            result = await request.call_json(
                f"{server}/chunked", {"text": "x"}, on_write=lambda: events.append("write")
            )
            assert result["message_id"] == 7
    finally:
        await request.shutdown()
    assert events == ["connecting", "connected", "write", "write"]
