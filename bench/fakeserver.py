"""A minimal, fast fake Bot API for throughput benchmarks (loopback only).

Run in its own process so client and server do not share one event loop:
    python -m bench.fakeserver --port 0 --latency-ms 50 --token T
It prints `PORT <n>` once listening, answers sendMessage/getMe/editMessageText/deleteMessage
after the given latency, records arrival times and (chat, text) pairs, and serves
GET /_control/stats. It stops by itself after --max-seconds. tests/fakes/botapi.py is the
full-featured fake for tests; this one does only what a fan-out benchmark needs, cheaply.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

_CANONICAL = {
    name.lower(): name
    for name in (
        "getMe",
        "sendMessage",
        "editMessageText",
        "deleteMessage",
        "getUpdates",
        "setMyCommands",
        "deleteWebhook",
        "setMyDescription",
    )
}
# What a bot process calls at start-up besides getMe; answered "true" so it can run here.
_ANSWERED_TRUE = ("setMyCommands", "deleteWebhook", "setMyDescription")


class BenchServer:
    def __init__(self, token: str, latency: float) -> None:
        self.token = token
        self.latency = latency
        self.arrivals: list[float] = []
        self.per_chat: Counter[int] = Counter()
        self.seen: Counter[tuple[int, str]] = Counter()
        self.paid = 0
        self.next_id: Counter[int] = Counter()

    async def handle(self, request: web.Request) -> web.Response:
        arrival = time.monotonic()
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        # Bot API method names are case-insensitive.
        method = _CANONICAL.get(request.match_info["method"].lower(), request.match_info["method"])
        body = await request.read()
        ctype = request.headers.get("Content-Type", "")
        if "json" in ctype:
            params: dict[str, Any] = json.loads(body or b"{}")
        else:
            params = dict(parse_qsl(body.decode()))
        if self.latency:
            await asyncio.sleep(self.latency)
        now = int(time.time())
        if method == "getMe":
            result: Any = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif method == "sendMessage":
            chat_id = int(params["chat_id"])
            text = str(params.get("text", ""))
            self.arrivals.append(arrival)
            self.per_chat[chat_id] += 1
            self.seen[(chat_id, text)] += 1
            if str(params.get("allow_paid_broadcast", "")).lower() == "true":
                self.paid += 1
            self.next_id[chat_id] += 1
            result = {
                "message_id": self.next_id[chat_id],
                "date": now,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "text": text,
            }
        elif method in ("editMessageText", "deleteMessage"):
            result = True
        elif method == "getUpdates":
            # Long polling with nothing to say: a bot process can run against this server.
            await asyncio.sleep(min(1.0, float(params.get("timeout", 0) or 0)))
            result = []
        elif method in _ANSWERED_TRUE:
            result = True
        else:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.json_response({"ok": True, "result": result})

    def max_per_window(self, span: float = 1.0) -> int:
        times = sorted(self.arrivals)
        best = start = 0
        for end, t in enumerate(times):
            while times[start] <= t - span:
                start += 1
            best = max(best, end - start + 1)
        return best

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "sends": len(self.arrivals),
                "chats": len(self.per_chat),
                "duplicates": sum(n - 1 for n in self.seen.values() if n > 1),
                "max_per_1s_window": self.max_per_window(),
                "paid": self.paid,
                "first": min(self.arrivals, default=0.0),
                "last": max(self.arrivals, default=0.0),
                "per_chat_max": max(self.per_chat.values(), default=0),
                "chat_ids": sorted(self.per_chat) if request.query.get("chats") else None,
            }
        )


async def serve(port: int, token: str, latency: float, max_seconds: float) -> None:
    server = BenchServer(token, latency)
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", server.handle)
    app.router.add_get("/_control/stats", server.stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    # Bounded: a benchmark that forgets to stop us still ends.
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), stop.set)  # parent closed our stdin: quit
    try:
        await asyncio.wait_for(stop.wait(), max_seconds)
    except TimeoutError:
        pass
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fakeserver")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", required=True)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, args.token, args.latency_ms / 1000, args.max_seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
