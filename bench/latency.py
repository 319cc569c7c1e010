"""Handler latency: from an update entering the application to its first outgoing request.

    python -m bench latency [--items 10000] [--quotes 1000] [--subscribers 100000]
                            [--updates 2000] [--json] [--record]

The real Application, handlers, texts and SQLite store answer reader commands against a
story with many ticker items, quotes and subscribers. The transport is an in-process stand-in
(no network at all), so the figure is the bot's own work per update: parsing, queries,
formatting and splitting. The reply rate limiter is left out: it would measure Telegram's
30 messages/s, not the handler.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from telegram import Update
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from bench.report import emit, percentile, record_result
from bot.app import build_app, running
from bot.config import Settings
from bot.console import CONSOLE_TOKEN, ConsoleRequest
from bot.db import stories
from bot.db.connection import Database
from bot.db.models import now_iso
from bot.services.stories import StoryService

SEED = Path(__file__).resolve().parent.parent / "seeds" / "ukraine-nato-liveblog.de.txt"
COMMANDS = (
    "/summary",
    "/quotes",
    "/quotes Rutte",
    "/ticker 5",
    "/ticker 20",
    "/people",
    "/search NATO Rutte",
    "/start",
    "/help",
)


class TimingRequest(ConsoleRequest):
    """Answers locally like the console and notes when the first reply leaves."""

    def __init__(self) -> None:
        super().__init__(show=lambda _text: None)
        self.first_send: float | None = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self.first_send is None and url.endswith("/sendMessage"):
            self.first_send = time.perf_counter()
        return await super().do_request(url, method, request_data)


async def populate(db_path: Path, items: int, quotes: int, subscribers: int) -> float:
    """The seed story plus many items, quotes and subscribers; returns seconds taken."""
    started = time.perf_counter()
    db = await Database.open(db_path)
    try:
        service = StoryService(db)
        outcome = await service.import_page(SEED.read_bytes(), source_name=f"seeds/{SEED.name}")
        story_id, now = outcome.story_id, now_iso()
        body = (
            "Die Außenminister berieten in Brüssel über weitere Hilfen. "
            "NATO-Generalsekretär Mark Rutte sprach von einem wichtigen Signal."
        )
        async with db.atomic() as conn:
            await conn.executemany(
                "INSERT INTO ticker_items (story_id, origin, position, headline, body,"
                " created_at, updated_at) VALUES (?, 'posted', ?, ?, ?, ?, ?)",
                (
                    (story_id, 10 + n, f"Meldung {n}: Lage in Kiew", body, now, now)
                    for n in range(items)
                ),
            )
            await conn.executemany(
                "INSERT INTO quotes (story_id, position, text, speaker, role, fragment, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, 'editor')",
                (
                    (
                        story_id,
                        100 + n,
                        f"Wir stehen an der Seite der Ukraine, Punkt {n}",
                        f"Sprecher {n % 50}",
                        "Minister",
                        n % 3 == 0,
                    )
                    for n in range(quotes)
                ),
            )
            await conn.executemany(
                "INSERT INTO subscriptions (chat_id, story_id, chat_type, since_item_id,"
                " subscribed_at, updated_at) VALUES (?, ?, 'private', 0, ?, ?)",
                ((5_000_000 + n, story_id, now, now) for n in range(subscribers)),
            )
        await stories.reindex(db, story_id)
    finally:
        await db.close()
    return time.perf_counter() - started


def text_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """An update as Telegram sends it for a private message."""
    language = "de" if user_id % 2 else "en"
    user = {"id": user_id, "is_bot": False, "first_name": "Reader", "language_code": language}
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "from": user,
        "chat": {"id": user_id, "type": "private", "first_name": "Reader"},
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
    }
    return {"update_id": update_id, "message": message}


async def measure(db_path: Path, updates: int) -> dict[str, list[float]]:
    """Latency in ms per command, over `updates` updates from many users."""
    settings = Settings(database_path=db_path, seeds_dir=db_path.parent / "none", admin_ids=[1])
    request = TimingRequest()
    app = build_app(
        settings,
        request=request,
        updates_request=request,
        token=CONSOLE_TOKEN,
        with_delivery=False,
        load_seeds=False,
    )
    samples: dict[str, list[float]] = defaultdict(list)
    commands = itertools.cycle(COMMANDS)
    async with running(app):
        for n in range(updates):
            command = next(commands)
            update = Update.de_json(text_update(n + 1, 100_000 + n, command), app.bot)
            request.first_send = None
            started = time.perf_counter()
            await app.process_update(update)
            if request.first_send is None:
                raise RuntimeError(f"{command} sent no reply")
            samples[command].append((request.first_send - started) * 1000)
    return samples


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench latency", description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--quotes", type=int, default=1_000)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=2_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as folder:
        db_path = Path(folder) / "bench.sqlite3"
        seed_s = asyncio.run(populate(db_path, args.items, args.quotes, args.subscribers))
        samples = asyncio.run(measure(db_path, args.updates))
    every = [v for values in samples.values() for v in values]
    result: dict[str, Any] = {
        "bench": "latency",
        "items": args.items,
        "quotes": args.quotes,
        "subscribers": args.subscribers,
        "updates": len(every),
        "p50_ms": round(percentile(every, 0.50), 2),
        "p99_ms": round(percentile(every, 0.99), 2),
        "max_ms": round(max(every), 2),
        "per_command_p99_ms": {
            command: round(percentile(values, 0.99), 2) for command, values in samples.items()
        },
        "populate_s": round(seed_s, 1),
    }
    emit(result, as_json=args.json)
    if args.record:
        record_result(
            "Handler latency",
            f"latency items={args.items} quotes={args.quotes} subscribers={args.subscribers}",
            result,
            "Measured by `python -m bench latency` (bench/latency.py): the real Application, "
            "handlers and SQLite store, from an update entering the application to its first "
            "outgoing request, with an in-process transport. Goal: p99 < 20 ms.",
        )
    return 0
