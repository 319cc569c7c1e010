"""Following many sources on one process: CPU share, memory, and entry-to-push latency.

    python -m bench follow --sources 200 --interval 30 --json [--record]

The bot side is the product's own path: FollowService (fetcher, formats, store), Poller,
DeliveryEngine with the real TextRenderer and aiohttp transport, SQLite. The world runs in
a second process on 127.0.0.1 (so its CPU is not counted): every source is an RSS feed
with ETag support, new entries appear at random moments of a window, and a minimal Bot
API records when each entry's first push arrives. The latency is from the moment an entry
appears at its source to that first push (both clocks are the same machine's wall clock).
Bounded: the run ends when every entry was pushed or a deadline passes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from bench import report

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuv"
_TAG = re.compile(r"E(\d+)-")


# --- the world: publishers and a Bot API, in their own process ------------------------------


class World:
    def __init__(self, sources: int, entries: int, window: float, seed: int) -> None:
        rng = random.Random(seed)
        self.feeds: dict[int, list[tuple[str, str, float]]] = {
            s: [(f"seed-{s}-{i}", f"Earlier update {i} of source {s}", 0.0) for i in range(3)]
            for s in range(sources)
        }
        self.schedule = sorted(
            (rng.uniform(0, window), k, rng.randrange(sources)) for k in range(entries)
        )
        self.appeared: dict[int, float] = {}
        self.first_push: dict[int, float] = {}
        self.fetches = 0
        self.not_modified = 0
        self.sends = 0
        self.started = False

    def rss(self, source: int) -> bytes:
        items = "".join(
            f"<item><guid>{guid}</guid><title>{title}</title>"
            f"<description>&lt;p&gt;{title}: crews reported progress, officials said."
            f"&lt;/p&gt;</description><pubDate>"
            f"{format_datetime(datetime.fromtimestamp(at or 1.7e9, UTC))}</pubDate></item>"
            for guid, title, at in reversed(self.feeds[source])
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Live {source}</title>'
            f"<link>https://example.org/{source}</link><description>d</description>{items}"
            "</channel></rss>"
        ).encode()

    async def feed(self, request: web.Request) -> web.Response:
        self.fetches += 1
        body = self.rss(int(request.match_info["n"]))
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag})

    async def bot_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.read()
        params: dict[str, Any] = (
            json.loads(raw or b"{}")
            if "json" in request.headers.get("Content-Type", "")
            else dict(urllib.parse.parse_qsl(raw.decode()))
        )
        now = time.time()
        if method == "getMe":
            result: Any = {"id": 1, "is_bot": True, "first_name": "Bench", "username": "b_bot"}
        elif method == "sendMessage":
            self.sends += 1
            text = str(params.get("text", ""))
            for match in _TAG.finditer(text):
                self.first_push.setdefault(int(match.group(1)), now)
            chat = int(params["chat_id"])
            result = {
                "message_id": self.sends,
                "date": int(now),
                "chat": {"id": chat, "type": "private"},
                "text": text,
            }
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    async def start(self, request: web.Request) -> web.Response:
        if not self.started:
            self.started = True
            asyncio.get_running_loop().create_task(self._publish())
        return web.json_response({"ok": True})

    async def _publish(self) -> None:
        begin = time.time()
        for offset, k, source in self.schedule:
            await asyncio.sleep(max(0.0, begin + offset - time.time()))
            self.feeds[source].append(
                (f"bench-{k}", f"E{k}- Update {k} of source {source}", time.time())
            )
            self.appeared[k] = time.time()

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "appeared": self.appeared,
                "first_push": self.first_push,
                "fetches": self.fetches,
                "not_modified": self.not_modified,
                "sends": self.sends,
                "scheduled": len(self.schedule),
            }
        )


async def serve_world(args: argparse.Namespace) -> None:
    world = World(args.sources, args.entries, args.window, args.seed)
    app = web.Application()
    app.router.add_get("/feed/{n}", world.feed)
    app.router.add_post("/bot{token}/{method}", world.bot_api)
    app.router.add_post("/_control/start", world.start)
    app.router.add_get("/_control/stats", world.stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=1024).start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_reader(sys.stdin.fileno(), stop.set)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), args.max_seconds)
    await runner.cleanup()


# --- the bot side ---------------------------------------------------------------------------


def _get(url: str, post: bool = False) -> dict[str, Any]:
    request = urllib.request.Request(url, data=b"" if post else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        data: dict[str, Any] = json.loads(response.read())
    return data


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def measure(base: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    from telegram import Bot

    from bot.db import subscriptions
    from bot.db.connection import Database
    from bot.delivery.engine import DeliveryEngine
    from bot.delivery.transport import AiohttpRequest
    from bot.follow.fetcher import Fetcher
    from bot.follow.poller import Poller
    from bot.follow.safety import AddressPolicy
    from bot.render import TextRenderer
    from bot.services.editor import EditorService
    from bot.services.follow import FollowService, user_agent
    from bot.texts import Texts

    db = await Database.open(folder / "bench.sqlite3")
    texts = Texts()
    bot = Bot(TOKEN, base_url=f"{base}/bot", request=AiohttpRequest(pool_size=32))
    engine = DeliveryEngine(db, bot, TextRenderer(db, texts), rate=args.rate)
    fetcher = Fetcher(AddressPolicy(allow_loopback=True), user_agent=user_agent())
    service = FollowService(
        db,
        EditorService(db, notify=engine.notify),
        fetcher,
        interval=args.interval,
        notify=engine.notify,
    )
    setup_started = time.perf_counter()
    chat = 1_000_000
    for n in range(args.sources):
        followed = await service.follow(None, f"{base}/feed/{n}")
        for _ in range(args.subscribers):
            chat += 1
            await subscriptions.subscribe(db, chat, "private", followed.story.id)
    setup_s = time.perf_counter() - setup_started
    poller = Poller(service)
    service.on_schedule_change = poller.wake
    await engine.start()
    await poller.start()
    _get(f"{base}/_control/start", post=True)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    deadline = wall0 + args.window + args.interval + 15
    stats = _get(f"{base}/_control/stats")
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.5)
        stats = await asyncio.to_thread(_get, f"{base}/_control/stats")
        if (
            len(stats["first_push"]) >= stats["scheduled"]
            and time.perf_counter() > wall0 + args.window
        ):
            break
    # CPU share over whole intervals of steady polling, pushes included.
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    rss_now = _rss_mb()
    await poller.stop()
    await engine.stop(drain_timeout=5)
    await fetcher.close()
    await db.close()
    appeared = {int(k): v for k, v in stats["appeared"].items()}
    pushed = {int(k): v for k, v in stats["first_push"].items()}
    latencies = [pushed[k] - t for k, t in appeared.items() if k in pushed]
    return {
        "bench": "follow",
        "sources": args.sources,
        "interval_s": args.interval,
        "subscribers_per_source": args.subscribers,
        "entries": stats["scheduled"],
        "pushed": len(latencies),
        "latency_p50_s": round(report.percentile(latencies, 0.50), 2),
        "latency_p99_s": round(report.percentile(latencies, 0.99), 2),
        "latency_max_s": round(max(latencies, default=0.0), 2),
        "goal_p99_s": args.interval + 2,
        "cpu_share": round(cpu / wall, 4),
        "rss_mb": rss_now,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "measured_s": round(wall, 1),
        "fetches": stats["fetches"],
        "not_modified": stats["not_modified"],
        "polls_per_s": round(poller.polls / wall, 2),
        "setup_s": round(setup_s, 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench follow", description=__doc__)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--subscribers", type=int, default=3, help="per source's story")
    parser.add_argument("--entries", type=int, default=150, help="new entries during the window")
    parser.add_argument("--window", type=float, default=90.0, help="seconds entries appear in")
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--world", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--max-seconds", type=float, default=900, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    if args.world:
        asyncio.run(serve_world(args))
        return 0
    logging.basicConfig(level=logging.WARNING)
    world_args = [
        "--world",
        "--sources",
        str(args.sources),
        "--entries",
        str(args.entries),
        "--window",
        str(args.window),
        "--seed",
        str(args.seed),
        "--max-seconds",
        str(args.window + args.interval + 300),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.follow", *world_args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("PORT "):
            raise RuntimeError("the benchmark's world did not start")
        base = f"http://127.0.0.1:{int(line.split()[1])}"
        with tempfile.TemporaryDirectory(prefix="bench-follow-") as folder:
            result = asyncio.run(measure(base, args, Path(folder)))
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    report.emit(result, as_json=args.json)
    if args.record:
        report.record_result(
            "Following sources",
            f"follow sources={args.sources} interval={args.interval:g}s window={args.window:g}s",
            result,
            "Measured by `python -m bench follow` (bench/follow.py): FollowService, Poller, "
            "the store and the DeliveryEngine with the real renderer in one process, polling "
            "RSS feeds with ETags on loopback (a second process serves them and a minimal Bot "
            "API). cpu_share is the bot process's CPU time over wall time; latency is from an "
            "entry appearing at its source to its first push. Goal: p99 <= interval + 2 s.",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
