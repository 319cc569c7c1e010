"""`python -m bench enqueue --subscribers 1000000 --json`: enqueue time and memory at scale.

Measures, for one story with N subscribers: the item's transaction (insert + enqueue), the
materialisation of every delivery row in the engine's batches, and then the engine draining
`--drain` deliveries through PTB to the in-process Bot API (`bot/inprocess.py`), which
answers at once, so the figure shows the engine's own cost and memory while a million-row
outbox is live.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from telegram import Bot

from bench.fanout import BENCH_POST, TOKEN, emit, peak_rss_mb, post_real, seed_real, temp_db
from bot.db import deliveries
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ratelimit import SendBudget
from bot.inprocess import InProcessBotApi
from bot.render import TextRenderer
from bot.texts import Texts


async def run(subscribers: int, drain: int, batch: int) -> dict[str, Any]:
    async with temp_db() as db:
        started = time.perf_counter()
        story_id = await seed_real(db, subscribers)
        seed_s = time.perf_counter() - started
        rss_seeded = peak_rss_mb()
        item_id, enqueue_s = await post_real(db, story_id, BENCH_POST)
        started = time.perf_counter()
        rows = 0
        while True:
            made = await deliveries.materialize(db, batch=batch)
            if not made:
                break
            rows += made
        materialize_s = time.perf_counter() - started
        rss_materialized = peak_rss_mb()
        request = InProcessBotApi()
        bot = Bot(TOKEN, base_url="http://127.0.0.1:9/bot", request=request)
        engine = DeliveryEngine(
            db,
            bot,
            TextRenderer(db, Texts()),
            rate=1000,
            paid=True,
            # Unthrottled on purpose: this measures the engine, not Telegram's ceiling.
            budget=SendBudget(100_000),
            concurrency=64,
        )
        started = time.perf_counter()
        await engine.start()
        deadline = time.monotonic() + 300
        while request.sent < drain and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        await engine.stop(drain_timeout=5)
        drain_s = time.perf_counter() - started
        progress = await deliveries.item_progress(db, item_id)
    return {
        "bench": "enqueue",
        "subscribers": subscribers,
        "enqueue_ms": round(enqueue_s * 1000, 2),
        "materialize_s": round(materialize_s, 2),
        "materialized_rows": rows,
        "rows_per_s": round(rows / materialize_s) if materialize_s else None,
        "drained": request.sent,
        "drain_messages_per_s": round(request.sent / drain_s, 1),
        "delivered": progress.delivered,
        "seed_s": round(seed_s, 2),
        "rss_after_seed_mb": rss_seeded,
        "rss_after_materialize_mb": rss_materialized,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str]) -> int:
    """Measure enqueue time, materialisation and engine memory for N subscribers."""
    parser = argparse.ArgumentParser(prog="python -m bench enqueue")
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--drain", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.subscribers, args.drain, args.batch))
    emit(result, as_json=args.json, record=args.record, key=f"enqueue n={args.subscribers}")
    ok = result["enqueue_ms"] < 5000 and result["peak_rss_mb"] < 200
    return 0 if ok else 1
