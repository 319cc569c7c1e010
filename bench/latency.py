"""Command latency: every reader and editor command, while a fan-out is in progress.

    python -m bench latency [--items 10000] [--quotes 1000] [--subscribers 100000]
                            [--updates 2000] [--latency-ms 50] [--db CACHE] [--json] [--record]

The real Application (build_app, with its delivery engine and reply rate limiter), handlers,
services, texts and SQLite store answer every command a reader or an editor can type, against
a story with many ticker items, quotes and subscribers. Before the clock starts an editor
/posts an item, so the bot's own engine is pushing it to every subscriber through its real
transport to the fake Bot API (bench/fakeapi/botapi.py, its own process, 127.0.0.1) for the
whole run, and every /post adds one more fan-out. Replies are answered in process
(`bot/inprocess.py`, the console's transport), so a figure is the bot's own work per
update: from the update entering Application.process_update to its first outgoing
sendMessage.

`--db CACHE` keeps the populated database in that file (and what was populated beside it, in
CACHE.json) and measures on a fresh copy of it: at a million subscribers populating takes
minutes, measuring a run does not change the cache, and a cache of other sizes is rebuilt.

`per_command_p99_ms` is keyed by the command as typed, without its changing arguments
("/edit", not "/edit 17 …"). `reader_behind_editor_p99_ms` is a reader's /ticker 5 sent at
the same moment as each editor command: readers must never queue behind an editor.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Bot, Update

from bench.fanout import TOKEN, fake_server, server_stats
from bench.report import emit, percentile, record_result
from bot.app import BotApplication, build_app, running
from bot.config import Settings
from bot.db import stories
from bot.db.connection import Database, Dialect
from bot.db.models import now_iso
from bot.delivery.transport import AiohttpRequest
from bot.inprocess import InProcessBotApi, Outgoing
from bot.services.stories import StoryService

SEED = Path(__file__).resolve().parent.parent / "seeds" / "ukraine-nato-liveblog.de.txt"
EDITOR = 1
# Bump when populate() changes: a cache built by an older one is rebuilt.
CACHE_VERSION = 2
FIRST_READER = 100_000
FIRST_SUBSCRIBER = 5_000_000
# Round n of the mix: (key as typed, who sends it, text). {item} and {quote} are ids of
# populated rows that change every round, {n} makes each text new.
READERS: tuple[tuple[str, str], ...] = (
    ("/start", "/start"),
    ("/help", "/help"),
    ("/summary", "/summary"),
    ("/quotes", "/quotes"),
    ("/quotes Rutte", "/quotes Rutte"),
    ("/ticker 5", "/ticker 5"),
    ("/ticker 20", "/ticker 20"),
    ("/people", "/people"),
    ("/search NATO Rutte", "/search NATO Rutte"),
    ("/search Kiew", "/search Kiew"),
    ("/stories", "/stories"),
    ("/story", "/story"),
    ("/language", "/language"),
)
# One reader per round subscribes, looks at the settings and leaves again.
SUBSCRIBER: tuple[tuple[str, str], ...] = (
    ("/subscribe", "/subscribe"),
    ("/settings", "/settings"),
    ("/unsubscribe", "/unsubscribe"),
)
EDITORS: tuple[tuple[str, str], ...] = (
    ("/stats", "/stats"),
    ("/post", "/post Eilmeldung {n}: Außenminister beraten\nDie Beratungen dauern an ({n})."),
    ("/audit", "/audit"),
    ("/audit 50", "/audit 50"),
    ("/edit", "/edit {item} Meldung korrigiert, Fassung {n}"),
    ("/pin", "/pin {item}"),
    ("/unpin", "/unpin {item}"),
    ("/delete", "/delete {retract}"),
    ("/addquote", "/addquote „Wir prüfen das sorgfältig, Runde {n}“ — Mark Rutte, NATO"),
    ("/setspeaker", "/setspeaker {quote} Mark Rutte, NATO-Generalsekretär"),
    ("/delquote", "/delquote {delquote}"),
    ("/setsummary", "/setsummary Die Lage am Tag {n}: Beratungen in Brüssel."),
    ("/resetsummary", "/resetsummary"),
)


class FirstReplies:
    """Notes when each chat's first reply leaves the in-process Bot API."""

    def __init__(self) -> None:
        self.first_send: dict[int, float] = {}

    def __call__(self, event: Outgoing) -> None:
        if event.event == "sent":
            self.first_send.setdefault(event.chat_id, time.perf_counter())


@dataclass(frozen=True)
class Populated:
    story_id: int
    first_item: int
    first_quote: int
    seconds: float


async def populate(db_path: Path, items: int, quotes: int, subscribers: int) -> Populated:
    """The seed story plus many items, quotes and subscribers, written the bulk way."""
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
        first_item = 1 + int(await db.fetchval("SELECT COALESCE(MAX(id), 0) FROM ticker_items"))
        first_quote = 1 + int(await db.fetchval("SELECT COALESCE(MAX(id), 0) FROM quotes"))
        async with db.atomic() as conn:
            await conn.executemany(
                "INSERT INTO ticker_items (id, story_id, origin, position, headline, body,"
                " created_at, updated_at) VALUES (?, ?, 'posted', ?, ?, ?, ?, ?)",
                (
                    (first_item + n, story_id, 10 + n, f"Meldung {n}: Lage in Kiew", body, now, now)
                    for n in range(items)
                ),
            )
            await conn.executemany(
                "INSERT INTO quotes (id, story_id, position, text, speaker, role, fragment,"
                " origin) VALUES (?, ?, ?, ?, ?, ?, ?, 'editor')",
                (
                    (
                        first_quote + n,
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
        chunk = 200_000
        for start in range(0, subscribers, chunk):
            async with db.atomic() as conn:
                await conn.executemany(
                    "INSERT INTO subscriptions (chat_id, story_id, chat_type, since_item_id,"
                    " subscribed_at, updated_at) VALUES (?, ?, 'private', 0, ?, ?)",
                    (
                        (FIRST_SUBSCRIBER + n, story_id, now, now)
                        for n in range(start, min(subscribers, start + chunk))
                    ),
                )
        await stories.reindex(db, story_id)
        if db.dialect is Dialect.SQLITE:
            # One bulk reindex leaves the index as a few huge unmerged segments, a state a
            # story that grew item by item never is in; merge it as the bot's upkeep would.
            await db.execute("INSERT INTO search_sentences (search_sentences) VALUES ('optimize')")
            await db.writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await db.close()
    return Populated(story_id, first_item, first_quote, time.perf_counter() - started)


def cached_or_populated(
    cache: Path | None, db_path: Path, items: int, quotes: int, subscribers: int
) -> Populated:
    """Populate db_path, or copy it from a cache of the same sizes (refreshing the cache)."""
    if cache is None:
        populated = asyncio.run(populate(db_path, items, quotes, subscribers))
        flushed_to_disk(db_path)
        return populated
    sizes = {"items": items, "quotes": quotes, "subscribers": subscribers, "version": CACHE_VERSION}
    meta_path = cache.with_name(cache.name + ".json")
    meta: dict[str, Any] = {}
    if cache.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("sizes") != sizes:
        for stale in (cache, meta_path, *cache.parent.glob(cache.name + "-*")):
            stale.unlink(missing_ok=True)
        populated = asyncio.run(populate(cache, items, quotes, subscribers))
        meta = {"sizes": sizes, "populated": dataclasses.asdict(populated)}
        meta_path.write_text(json.dumps(meta), encoding="utf-8")
    # The cache was checkpointed (no -wal left), so the file alone is the database.
    shutil.copyfile(cache, db_path)
    flushed_to_disk(db_path)
    return Populated(**meta["populated"])


def flushed_to_disk(path: Path) -> None:
    """Write the prepared database out before the clock starts.

    A freshly copied 260 MB file is dirty in the page cache; the kernel wrote it back during
    the measured run, and the bot's first checkpoint (an fsync of that file) waited for all
    of it: 150-330 ms stalls that a bot running on its own database never sees."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


class Driver:
    """Feeds updates through Application.process_update and times each first reply."""

    def __init__(self, app: BotApplication, replies: FirstReplies) -> None:
        self.app = app
        self.replies = replies
        self.update_ids = iter(range(1, 10**9))

    async def send(self, user_id: int, text: str) -> float:
        """ms from the update entering the application to its first sendMessage."""
        update = Update.de_json(text_update(next(self.update_ids), user_id, text), self.app.bot)
        self.replies.first_send.pop(user_id, None)
        started = time.perf_counter()
        await self.app.process_update(update)
        sent = self.replies.first_send.pop(user_id, None)
        if sent is None:
            raise RuntimeError(f"{text.split()[0]} sent no reply")
        return (sent - started) * 1000


def _mix(round_: int, populated: Populated, items: int, quotes: int) -> list[tuple[str, int, str]]:
    """(key, user, text) of one round: every command once, in a shuffled-looking order."""
    # Rows touched by editors spread over the populated ones; one quote added per round is
    # deleted again in the next.
    fill: dict[str, object] = {
        "n": round_,
        "item": populated.first_item + (round_ * 7919) % max(1, items // 2),
        "retract": populated.first_item + items - 1 - round_,
        "quote": populated.first_quote + (round_ * 131) % max(1, quotes // 2),
        "delquote": populated.first_quote + quotes - 1 - round_,
    }
    reader = FIRST_READER + round_ * 100
    mix: list[tuple[str, int, str]] = []
    mix += [(key, reader + i, text) for i, (key, text) in enumerate(READERS)]
    mix += [(key, reader + 99, text) for key, text in SUBSCRIBER]
    mix += [(key, EDITOR, text.format(**fill)) for key, text in EDITORS]
    # Interleave editors and readers the same way every run.
    order = sorted(range(len(mix)), key=lambda i: (i * 37 + round_) % len(mix))
    return [mix[i] for i in order]


async def measure(
    db_path: Path, populated: Populated, args: argparse.Namespace, url: str
) -> dict[str, Any]:
    """Run the command mix against the real application while its engine pushes."""
    settings = Settings(
        bot_token=TOKEN,
        database_path=db_path,
        seeds_dir=db_path.parent / "none",
        admin_ids=frozenset({EDITOR}),
        telegram_base_url=f"{url}/bot",
        push_rate=1000,
        paid_broadcast=True,
        # One editor types hundreds of commands a minute here; the flood guard is for people.
        flood_limit=1_000_000,
        push_engine=args.push_engine,
    )
    replies = FirstReplies()
    request = InProcessBotApi(on_message=replies)
    push_bot = Bot(
        TOKEN,
        base_url=settings.telegram_base_url,
        request=AiohttpRequest(pool_size=256),
        get_updates_request=AiohttpRequest(pool_size=1),
    )
    app = build_app(
        settings,
        request=request,
        updates_request=request,
        token=TOKEN,
        with_delivery=args.fanout,
        load_seeds=False,
        push_bot=push_bot,
    )
    samples: dict[str, list[float]] = defaultdict(list)
    behind: list[float] = []
    driver = Driver(app, replies)
    async with running(app):
        engine = app.bot_data.engine
        if engine is not None:
            await driver.send(EDITOR, "/post Eilmeldung: Gipfel beginnt\nDer Gipfel hat begonnen.")
            await _wait_for(lambda: engine.stats.sent >= 200, seconds=60)
        sent_before, started = _sent(app), time.perf_counter()
        rounds = 0
        while sum(map(len, samples.values())) < args.updates:
            for key, user, text in _mix(rounds, populated, args.items, args.quotes):
                if user == EDITOR:
                    editor_ms, reader_ms = await asyncio.gather(
                        driver.send(user, text),
                        driver.send(FIRST_READER - 1 - rounds, "/ticker 5"),
                    )
                    samples[key].append(editor_ms)
                    behind.append(reader_ms)
                else:
                    samples[key].append(await driver.send(user, text))
            rounds += 1
        seconds = time.perf_counter() - started
        pushed = _sent(app) - sent_before
        fanning_out = engine is not None and pushed > 0
    every = [v for values in samples.values() for v in values]
    return {
        "updates": len(every) + len(behind),
        "rounds": rounds,
        "p50_ms": round(percentile(every, 0.50), 2),
        "p99_ms": round(percentile(every, 0.99), 2),
        "max_ms": round(max(every), 2),
        "worst_command_p99_ms": round(max(percentile(v, 0.99) for v in samples.values()), 2),
        "per_command_p99_ms": {k: round(percentile(v, 0.99), 2) for k, v in samples.items()},
        "per_command_p50_ms": {k: round(percentile(v, 0.50), 2) for k, v in samples.items()},
        "reader_behind_editor_p99_ms": round(percentile(behind, 0.99), 2),
        "pushes_during_run": pushed,
        "pushes_per_s_during_run": round(pushed / seconds, 1),
        "fan_out_in_progress": fanning_out,
        "seconds": round(seconds, 1),
    }


def _sent(app: BotApplication) -> int:
    engine = app.bot_data.engine
    return 0 if engine is None else engine.stats.sent


async def _wait_for(condition: Callable[[], bool], *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the fan-out did not start")
        await asyncio.sleep(0.05)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench latency", description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--quotes", type=int, default=1_000)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=2_000)
    parser.add_argument("--latency-ms", type=float, default=50.0, help="of the push server")
    parser.add_argument(
        "--no-fanout",
        dest="fanout",
        action="store_false",
        help="an extra figure: the same commands with the delivery engine off",
    )
    parser.add_argument(
        "--push-engine",
        choices=("inline", "process"),
        default="process",
        help="the engine on the bot's own loop, or in its own process (PUSH_ENGINE)",
    )
    parser.add_argument(
        "--db", type=Path, default=None, help="cache of the populated database (reused)"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    rounds_needed = args.updates // (len(READERS) + len(SUBSCRIBER) + len(EDITORS)) + 2
    if rounds_needed > min(args.items, args.quotes) // 2:
        parser.error("--items and --quotes must be at least twice the rounds the updates need")
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as folder:
        db_path = Path(folder) / "bench.sqlite3"
        populated = cached_or_populated(args.db, db_path, args.items, args.quotes, args.subscribers)
        # The push server outlives any run this bench can make (it stops by itself after
        # max_seconds): a slow build must still get its figures.
        with fake_server(args.latency_ms, max_seconds=4 * 3600) as url:
            figures = asyncio.run(measure(db_path, populated, args, url))
            server = server_stats(url)
    result: dict[str, Any] = {
        "bench": "latency",
        "items": args.items,
        "quotes": args.quotes,
        "subscribers": args.subscribers,
        "push_latency_ms": args.latency_ms,
        "engine": "on" if args.fanout else "off",
        "push_engine": args.push_engine if args.fanout else "off",
        **figures,
        "server_max_per_1s_window": server["max_per_1s_window"],
        "populate_s": round(populated.seconds, 1),
    }
    emit(result, as_json=args.json)
    if args.record:
        record_result(
            "Command latency",
            f"latency items={args.items} quotes={args.quotes} subscribers={args.subscribers}"
            + (f" push_engine={args.push_engine}" if args.fanout else " engine=off"),
            result,
            "Measured by `python -m bench latency` (bench/latency.py): the real Application with "
            "its delivery engine, handlers and SQLite store; every reader and editor command, "
            "while the engine pushes to every subscriber through the fake Bot API "
            "(bench/fakeapi/botapi.py) on 127.0.0.1. From an update entering the application to "
            "its first outgoing request; replies answered in process. Goal: p99 < 20 ms for "
            "every command. Taken on a shared 2-core machine with other work running: "
            "figures are noisy.",
        )
    return 0
