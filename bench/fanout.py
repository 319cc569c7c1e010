"""Fan-out benchmarks: the delivery engine, a naive send loop, and enqueue at 1M subscribers.

The fan-out renders with the bot's own TextRenderer (Fluent texts, each chat's language),
posts through EditorService and reads the real store; `--renderer stand-in` swaps in a
one-f-string renderer for comparison only (its figures are recorded under their own key).

    python -m bench fanout --latency-ms 50 --subscribers 20000 --rate 1000 --paid --json
    python -m bench fanout --latency-ms 50 --paid --no-cap --json   # the engine's headroom
    python -m bench naive --latency-ms 50 --subscribers 200 --json
    python -m bench enqueue --subscribers 1000000 --json

Everything runs against 127.0.0.1 only; every loop is bounded by a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from telegram import Bot

from bench import report
from bot.db import deliveries, stories
from bot.db.connection import Database
from bot.db.models import TickerItemRecord, now_iso
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ratelimit import SendBudget, senders_for
from bot.delivery.render import Renderer
from bot.delivery.transport import AiohttpRequest
from bot.heap import settle_after_start
from bot.render import TextRenderer
from bot.services.editor import EditorService
from bot.texts import Texts

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuv"
BENCH_POST = (
    "Pegel in Dresden steigt auf 6,20 Meter\n"
    "Die Stadt sperrt die Altstadt; Anwohner <Terrassenufer> sollen Keller räumen & warten."
)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class BenchRenderer:
    """A stand-in renderer (one f-string), only for the comparison figure `renderer=stand-in`."""

    async def prepare(self, chat_ids: list[int]) -> None:
        return None

    async def push_keyboard(self, chat_id: int, story_id: int) -> None:
        return None

    async def topic(self, chat_id: int, story_id: int) -> None:
        return None

    async def render_items(
        self, chat_id: int, story_id: int, items: list[TickerItemRecord]
    ) -> list[str]:
        return ["\n\n".join(f"<b>{i.headline}</b> #{i.id}" for i in items)]

    async def render_recap(self, chat_id: int, story_id: int) -> str:
        return f"recap {story_id}"


@contextlib.contextmanager
def fake_server(latency_ms: float, max_seconds: float = 900) -> Iterator[str]:
    """Start the fake Bot API (bench/fakeapi/botapi.py) in its own process; yield its URL.

    Its own process, so the server's work never shares the bot's event loop or CPU time
    figures; any chat id is a subscriber that started the bot, nothing is recorded but the
    counters, and it stops by itself after `max_seconds`.
    """
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.fakeapi.botapi",
            "--port",
            "0",
            "--token",
            TOKEN,
            "--latency-ms",
            str(latency_ms),
            "--max-seconds",
            str(max_seconds),
            "--open-chats",
            "--no-record",
            "--no-demo",
            "--no-stdin",
            "--no-echo",
            "--quiet",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            raise RuntimeError("the fake Bot API did not start")
        yield line
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_stats(url: str) -> dict[str, Any]:
    """The fake Bot API's counters (`SendStats.snapshot`), without the per-chat maps."""
    with urllib.request.urlopen(f"{url}/_control/stats?per_chat=0", timeout=30) as response:
        data: dict[str, Any] = json.loads(response.read())["result"]
    return data


@contextlib.asynccontextmanager
async def temp_db(database_url: str | None = None) -> AsyncIterator[Database]:
    """A fresh database in a temporary folder, or the empty PostgreSQL database named."""
    if database_url is not None:
        db = await Database.open(database_url)
        try:
            if await db.fetchval("SELECT COUNT(*) FROM stories"):
                raise SystemExit("--database-url must name an empty database (no stories yet)")
            yield db
        finally:
            await db.close()
        return
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        db = await Database.open(Path(folder) / "bench.sqlite3")
        try:
            yield db
        finally:
            await db.close()


async def seed(db: Database, subscribers: int, *, first_chat: int = 1_000_000) -> tuple[int, int]:
    """A story with `subscribers` private-chat subscriptions; returns (story_id, first chat)."""
    now = now_iso()
    story_id = await db.execute(
        "INSERT INTO stories (slug, title, created_at, updated_at) VALUES ('bench', 'Bench', ?, ?)",
        (now, now),
    )
    chunk = 100_000
    for start in range(0, subscribers, chunk):
        rows = (
            (first_chat + n, story_id, now, now)
            for n in range(start, min(subscribers, start + chunk))
        )
        async with db.atomic() as conn:
            await conn.executemany(
                "INSERT INTO subscriptions (chat_id, story_id, chat_type, since_item_id,"
                " subscribed_at, updated_at) VALUES (?, ?, 'private', 0, ?, ?)",
                rows,
            )
    return story_id, first_chat


async def post_item(db: Database, story_id: int, headline: str) -> tuple[int, float]:
    """Insert an item and enqueue its push in one transaction; (item id, seconds taken)."""
    started = time.perf_counter()
    now = now_iso()
    async with db.atomic() as conn:
        cursor = await conn.execute(
            "INSERT INTO ticker_items (story_id, origin, position, headline, created_at,"
            " updated_at) VALUES (?, 'posted', 1, ?, ?, ?)",
            (story_id, headline, now, now),
        )
        item_id = int(cursor.lastrowid or 0)
        await deliveries.enqueue_item(db, story_id, item_id)
    return item_id, time.perf_counter() - started


def emit(result: dict[str, Any], *, as_json: bool, record: bool, key: str) -> None:
    """Print the result (one JSON object, or readable lines) and optionally record it."""
    if as_json:
        print(json.dumps(result), flush=True)
    else:
        for name, value in result.items():
            print(f"{name:>22}: {value}")
    if record:
        record_result(key, result)


def record_result(key: str, result: dict[str, Any]) -> None:
    """Replace this benchmark's line in the "Fan-out" section of docs/benchmarks.md."""
    report.record_result(
        "Fan-out",
        key,
        result,
        "Measured by `python -m bench all` (bench/fanout.py) against the fake Bot API"
        " (bench/fakeapi/botapi.py) on 127.0.0.1 in its own process. Figures are the latest run"
        " on this machine.",
    )


# ---------------------------------------------------------------- fanout


def cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def seed_real(db: Database, subscribers: int, *, first_chat: int = 1_000_000) -> int:
    """A story made as an editor makes one, readers in both languages; returns its id."""
    editor = EditorService(db, notify=lambda: None)
    story = await editor.new_story(1, "Hochwasser an der Elbe", "de")
    now = now_iso()
    chunk = 100_000
    for start in range(0, subscribers, chunk):
        ids = range(first_chat + start, first_chat + min(subscribers, start + chunk))
        async with db.atomic() as conn:
            # Every other reader chose English: the push is rendered in both languages.
            await conn.executemany(
                "INSERT INTO chats (chat_id, chat_type, language, created_at, updated_at)"
                " VALUES (?, 'private', ?, ?, ?)",
                ((c, "en" if c % 2 else "de", now, now) for c in ids),
            )
            await conn.executemany(
                "INSERT INTO subscriptions (chat_id, story_id, chat_type, since_item_id,"
                " subscribed_at, updated_at) VALUES (?, ?, 'private', 0, ?, ?)",
                ((c, story.id, now, now) for c in ids),
            )
    return story.id


async def post_real(db: Database, story_id: int, text: str) -> tuple[int, float]:
    """Post an item through EditorService (item, audit and enqueue in one transaction)."""
    story = await stories.get_story(db, story_id)
    assert story is not None
    started = time.perf_counter()
    item = await EditorService(db, notify=lambda: None).post(1, story, text)
    return item.id, time.perf_counter() - started


async def run_fanout(
    subscribers: int,
    latency_ms: float,
    rate: float,
    paid: bool,
    limit_s: float,
    *,
    renderer_name: str = "bot",
    no_cap: bool = False,
    database_url: str | None = None,
) -> dict[str, Any]:
    with fake_server(latency_ms) as url:
        async with temp_db(database_url) as db:
            story_id = await seed_real(db, subscribers)
            bot = Bot(
                TOKEN,
                base_url=f"{url}/bot",
                request=AiohttpRequest(pool_size=512 if no_cap else senders_for(rate)),
                get_updates_request=AiohttpRequest(pool_size=1),
            )
            renderer: Renderer = (
                BenchRenderer() if renderer_name == "stand-in" else TextRenderer(db, Texts())
            )
            # The cap lifted: what the engine could do if Telegram allowed more (headroom).
            budget_rate = 100_000.0 if no_cap else (rate if paid else min(rate, 30))
            engine = DeliveryEngine(
                db,
                bot,
                renderer,
                rate=rate,
                paid=paid,
                budget=SendBudget(budget_rate),
                concurrency=512 if no_cap else None,
            )
            item_id, enqueue_s = await post_real(db, story_id, BENCH_POST)
            settle_after_start()  # as `python -m bot` does once it has started
            started = time.perf_counter()
            cpu_started = cpu_seconds()
            await engine.start()
            deadline = time.monotonic() + limit_s
            progress = await deliveries.item_progress(db, item_id)
            while not progress.done and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
                progress = await deliveries.item_progress(db, item_id)
            seconds = time.perf_counter() - started
            cpu = cpu_seconds() - cpu_started
            await engine.stop(drain_timeout=5)
            stats = server_stats(url)
    lost = subscribers - stats["chats_sent_to"]
    span = (stats["last_send_s"] or 0.0) - (stats["first_send_s"] or 0.0)
    return {
        "bench": "fanout",
        "store": "postgresql" if database_url else "sqlite",
        "renderer": renderer_name,
        "subscribers": subscribers,
        "latency_ms": latency_ms,
        "rate": rate,
        "paid": paid,
        "cap": not no_cap,
        "seconds": round(seconds, 2),
        # Sustained: sends between the first and the last arrival at the server. The wall
        # figure also counts start-up and the 0.2 s progress poll that notices the end.
        "messages_per_s": round((stats["sends_ok"] - 1) / span, 1) if span > 0 else None,
        "wall_messages_per_s": round(stats["sends_ok"] / seconds, 1),
        "max_per_1s_window": stats["max_per_1s_window"],
        "lost": lost,
        "duplicates": stats["duplicate_count"],
        # CPU of the sending process (engine, renderer, store, transport) per message.
        "cpu_ms_per_message": round(cpu * 1000 / stats["sends_ok"], 3)
        if stats["sends_ok"]
        else None,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "peak_rss_mb": peak_rss_mb(),
        "enqueue_ms": round(enqueue_s * 1000, 2),
        "delivered": progress.delivered,
        "done": progress.done,
        "retry_after": engine.stats.retry_after,
        "dead_lettered": engine.stats.dead_lettered,
    }


def main(argv: list[str]) -> int:
    """`python -m bench fanout`: push one item to N subscribers through the engine."""
    parser = argparse.ArgumentParser(prog="python -m bench fanout")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--paid", action="store_true")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument(
        "--renderer",
        choices=("bot", "stand-in"),
        default="bot",
        help="bot: the bot's TextRenderer (default); stand-in: an f-string, for comparison",
    )
    parser.add_argument("--no-cap", action="store_true", help="lift the rate cap (headroom)")
    parser.add_argument(
        "--database-url",
        help="an empty PostgreSQL database (postgresql://...) instead of a temporary SQLite file",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(
        run_fanout(
            args.subscribers,
            args.latency_ms,
            args.rate,
            args.paid,
            args.timeout,
            renderer_name=args.renderer,
            no_cap=args.no_cap,
            database_url=args.database_url,
        )
    )
    key = (
        f"fanout {'paid' if args.paid else 'free'} n={args.subscribers} rate={args.rate:g}"
        + f" latency={args.latency_ms:g}ms"
        + (" store=postgresql" if args.database_url else "")
        + (" renderer=stand-in" if args.renderer == "stand-in" else "")
        + (" cap lifted" if args.no_cap else "")
    )
    emit(result, as_json=args.json, record=args.record, key=key)
    return 0 if result["lost"] == 0 and result["duplicates"] == 0 else 1


# ---------------------------------------------------------------- naive


async def run_naive(subscribers: int, latency_ms: float, limit_s: float) -> dict[str, Any]:
    with fake_server(latency_ms) as url:
        # PTB's defaults: HTTPXRequest, one await after another.
        async with Bot(TOKEN, base_url=f"{url}/bot") as bot:
            started = time.perf_counter()
            deadline = time.monotonic() + limit_s
            for n in range(subscribers):
                if time.monotonic() > deadline:
                    break
                await bot.send_message(1_000_000 + n, f"<b>Bench item</b> #{n}", parse_mode="HTML")
            seconds = time.perf_counter() - started
        stats = server_stats(url)
    span = (stats["last_send_s"] or 0.0) - (stats["first_send_s"] or 0.0)
    return {
        "bench": "naive",
        "subscribers": subscribers,
        "latency_ms": latency_ms,
        "rate": None,
        "seconds": round(seconds, 2),
        "messages_per_s": round((stats["sends_ok"] - 1) / span, 1) if span > 0 else None,
        "wall_messages_per_s": round(stats["sends_ok"] / seconds, 1),
        "max_per_1s_window": stats["max_per_1s_window"],
        "lost": subscribers - stats["chats_sent_to"],
        "duplicates": stats["duplicate_count"],
        "peak_rss_mb": peak_rss_mb(),
    }


def naive_main(argv: list[str]) -> int:
    """`python -m bench naive`: a plain sequential `await bot.send_message` loop."""
    parser = argparse.ArgumentParser(prog="python -m bench naive")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(run_naive(args.subscribers, args.latency_ms, args.timeout))
    key = f"naive n={args.subscribers} latency={args.latency_ms:g}ms"
    emit(result, as_json=args.json, record=args.record, key=key)
    return 0
