"""`python -m bench outbox --items 10 --subscribers 100000 --json`: history does not slow pushes.

Posts `--items` items one after another to the same N subscribers and drains each through
the engine (the bot's TextRenderer and store, PTB-free JSON fast path) into the in-process
Bot API (`bot/inprocess.py`), which answers at once, so the figure is the engine's and the
store's own cost.
The outbox's cost must be set by the work in flight: the last item fans out as fast as the
first, and the outbox holds no more rows after ten items than after one.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from telegram import Bot

from bench.fanout import TOKEN, cpu_seconds, emit, peak_rss_mb, post_real, seed_real, temp_db
from bot.db import deliveries
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ratelimit import SendBudget
from bot.inprocess import InProcessBotApi
from bot.render import TextRenderer
from bot.texts import Texts


async def run(subscribers: int, items: int, limit_s: float) -> dict[str, Any]:
    async with temp_db() as db:
        story_id = await seed_real(db, subscribers)
        request = InProcessBotApi()
        bot = Bot(TOKEN, base_url="http://127.0.0.1:9/bot", request=request)
        engine = DeliveryEngine(
            db,
            bot,
            TextRenderer(db, Texts()),
            rate=1000,
            paid=True,
            budget=SendBudget(1_000_000),  # the cap lifted: the engine and store alone
            concurrency=64,
            keep_sent=0,  # compact as soon as possible: the figure shows its cost too
            compact_every=1.0,
        )
        await engine.start()
        rates: list[float] = []
        rows_after: list[int] = []
        cpu_ms: list[float] = []
        deadline = time.monotonic() + limit_s
        try:
            for n in range(items):
                item_id, _ = await post_real(db, story_id, f"Meldung {n}\nText der Meldung {n}.")
                engine.notify()
                started, cpu_started = time.perf_counter(), cpu_seconds()
                sent_before = request.sent
                progress = await deliveries.item_progress(db, item_id)
                while not progress.done and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                    progress = await deliveries.item_progress(db, item_id)
                seconds = time.perf_counter() - started
                sent = request.sent - sent_before
                rates.append(round(sent / seconds, 1))
                cpu_ms.append(round((cpu_seconds() - cpu_started) * 1000 / max(1, sent), 3))
                await asyncio.sleep(1.2)  # let one compaction round pass
                rows_after.append(int(await db.fetchval("SELECT COUNT(*) FROM deliveries")))
        finally:
            await engine.stop(drain_timeout=5)
    return {
        "bench": "outbox",
        "subscribers": subscribers,
        "items": items,
        "messages_per_s_per_item": rates,
        "first_item_messages_per_s": rates[0],
        "last_item_messages_per_s": rates[-1],
        "last_vs_first": round(rates[-1] / rates[0], 2) if rates[0] else None,
        "cpu_ms_per_message_per_item": cpu_ms,
        "outbox_rows_after_each_item": rows_after,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str]) -> int:
    """Fan out several items in a row and compare the last with the first."""
    parser = argparse.ArgumentParser(prog="python -m bench outbox")
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=1200.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.subscribers, args.items, args.timeout))
    key = f"outbox items={args.items} n={args.subscribers}"
    emit(result, as_json=args.json, record=args.record, key=key)
    return 0
