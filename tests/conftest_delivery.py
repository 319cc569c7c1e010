"""Shared helpers for the delivery and subscription tests (imported, not a pytest conftest)."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot

from bench.fakeapi.botapi import FakeBotApi
from bot.db import deliveries, stories, subscriptions
from bot.db.connection import Database
from bot.db.models import TickerItemRecord, now_iso
from bot.delivery.clock import Clock
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ratelimit import ChatPacer, SendBudget
from bot.delivery.transport import AiohttpRequest
from tests.idle import wait_idle

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuv"


class ScaledClock:
    """Simulated time that runs `factor` times faster than the real clock.

    The engine, its budget and its pacer all read and sleep on it, so an outage of minutes
    or a deadline of an hour plays out in seconds while the order of events stays real.
    """

    def __init__(self, factor: float = 60.0) -> None:
        self.factor = factor
        self._real0 = time.monotonic()
        self._wall0 = time.time()

    def _elapsed(self) -> float:
        return (time.monotonic() - self._real0) * self.factor

    def time(self) -> float:
        return self._wall0 + self._elapsed()

    def monotonic(self) -> float:
        return self._real0 + self._elapsed()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.factor)

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(0.0, seconds) / self.factor)
        return event.is_set()


async def wait_until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait (real seconds, bounded) until the condition holds; fail the test otherwise."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


class SimpleRenderer:
    """A renderer like the texts module's, small enough to reason about in tests."""

    def __init__(self, max_chars: int = 4096) -> None:
        self.max_chars = max_chars
        self.calls = 0

    def _one(self, item: TickerItemRecord) -> str:
        if item.is_retracted:
            return f"[retracted #{item.id}]"
        mark = " [corrected]" if item.corrected_at else ""
        return f"<b>#{item.id} {html.escape(item.headline)}</b>{mark}\n{html.escape(item.body)}"

    async def render_items(
        self, chat_id: int, story_id: int, items: list[TickerItemRecord]
    ) -> list[str]:
        self.calls += 1
        out: list[str] = []
        current = ""
        for item in items:
            block = self._one(item)
            if current and len(current) + 2 + len(block) > self.max_chars:
                out.append(current)
                current = block
            else:
                current = f"{current}\n\n{block}" if current else block
        if current:
            out.append(current)
        return out

    async def render_recap(self, chat_id: int, story_id: int) -> str:
        return f"Final recap of story {story_id}"

    async def prepare(self, chat_ids: list[int]) -> None:
        return None

    async def push_keyboard(self, chat_id: int, story_id: int) -> None:
        return None

    async def topic(self, chat_id: int, story_id: int) -> None:
        return None


_TEMPLATE: list[Path] = []


async def open_db(path: Path, store: str = "sqlite") -> Database:
    """The store in `path`, opened as the bot opens it. A new one is a copy of a store
    migrated once per session: seventy migrations take ~100 ms, a copy ~1 ms. A
    PostgreSQL `store` (a URL, see tests/conftest_pg.py) is opened instead."""
    if store != "sqlite":
        return await Database.open(store)
    return await Database.open(await migrated_store(path / "bot.sqlite3"))


async def migrated_store(target: Path) -> Path:
    """`target`, unless it exists already, as a copy of the store migrated once per session
    (what a bot's first start makes of a new file, without the migrations' cost)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="bot-db-template-"))
        atexit.register(shutil.rmtree, folder, True)
        template = await Database.open(folder / "bot.sqlite3")
        await template.close()
        _TEMPLATE.append(folder / "bot.sqlite3")
    return _copy_template(target)


def _copy_template(target: Path) -> Path:
    if not target.exists():  # an existing store is reopened, not replaced
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_TEMPLATE[0], target)
    return target


async def add_story(db: Database, title: str = "Story") -> int:
    now = now_iso()
    return await db.execute(
        "INSERT INTO stories (slug, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (title.lower().replace(" ", "-") + now, title, now, now),
    )


async def add_item(
    db: Database, story_id: int, headline: str, body: str = "", *, enqueue: bool = True
) -> int:
    """Insert a ticker item and (like the lead's code) enqueue it in the same transaction."""
    now = now_iso()
    async with db.atomic():
        item_id = await stories.insert_item(
            db, story_id, origin="posted", headline=headline, body=body, now=now
        )
        if enqueue:
            await deliveries.enqueue_item(db, story_id, item_id)
    return item_id


async def add_item_as_first_shipped(db: Database, story_id: int, headline: str) -> int:
    """Insert a ticker item with only the columns of the first schema (for upgrade tests)."""
    now = now_iso()
    position = await stories.next_item_position(db, story_id)
    cursor = await db.writer.execute(
        "INSERT INTO ticker_items (story_id, origin, position, headline, created_at, updated_at)"
        " VALUES (?, 'posted', ?, ?, ?, ?)",
        (story_id, position, headline, now, now),
    )
    return int(cursor.lastrowid or 0)


async def edit_item(db: Database, item_id: int, body: str) -> None:
    now = now_iso()
    async with db.atomic():
        await db.execute(
            "UPDATE ticker_items SET body = ?, corrected_at = ?, updated_at = ? WHERE id = ?",
            (body, now, now, item_id),
        )
        await deliveries.enqueue_edit(db, item_id)


async def retract_item(db: Database, item_id: int) -> None:
    now = now_iso()
    async with db.atomic():
        await db.execute(
            "UPDATE ticker_items SET retracted_at = ?, updated_at = ? WHERE id = ?",
            (now, now, item_id),
        )
        await deliveries.enqueue_retraction(db, item_id)


def make_bot(fake: FakeBotApi, **request: Any) -> Bot:
    return Bot(
        TOKEN,
        base_url=fake.base_url,
        request=AiohttpRequest(pool_size=32, **request),
        get_updates_request=AiohttpRequest(pool_size=1),
    )


def make_engine(
    db: Database,
    fake: FakeBotApi,
    renderer: SimpleRenderer | None = None,
    *,
    rate: float = 1000,
    paid: bool = True,
    request: dict[str, Any] | None = None,
    pacer: ChatPacer | None = None,
    clock: Clock | None = None,
    budget: SendBudget | None = None,
    **kwargs: Any,
) -> DeliveryEngine:
    kwargs.setdefault("backoff_base", 0.05)
    kwargs.setdefault("backoff_max", 0.2)
    kwargs.setdefault("poll_interval", 0.1)
    kwargs.setdefault("concurrency", 16)
    kwargs.setdefault("probe_interval", 0.05)
    kwargs.setdefault("probe_max", 0.2)
    if clock is not None:
        kwargs["clock"] = clock
    if budget is None:
        budget = (
            SendBudget(rate)
            if clock is None
            else SendBudget(rate, clock=clock.monotonic, sleep=clock.sleep)
        )
    now = clock.monotonic if clock is not None else time.monotonic
    return DeliveryEngine(
        db,
        make_bot(fake, **(request or {})),
        renderer or SimpleRenderer(),
        rate=rate,
        paid=paid,
        budget=budget,
        # Fast per-chat pacing unless a test is about the per-chat limits.
        pacer=pacer
        if pacer is not None
        else ChatPacer(private_interval=0.0, slack=0.0, group_limit=1000, clock=now),
        **kwargs,
    )


def sends(fake: FakeBotApi, chat_id: int | None = None) -> list[Any]:
    """Successful sendMessage calls (optionally to one chat)."""
    return [
        c for c in fake.calls("sendMessage") if c.ok and (chat_id is None or c.chat_id == chat_id)
    ]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(token=TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def db(tmp_path: Path, store: str) -> AsyncIterator[Database]:
    database = await open_db(tmp_path, store)
    try:
        yield database
    finally:
        await database.close()


# ---------------------------------------------------------------- engine in a subprocess
# `python -m tests.conftest_delivery --db PATH --base-url URL --rate R` runs an engine until
# SIGTERM (drains and exits 0) or SIGKILL, so crash tests can kill a real process.


async def _worker(db_path: str, base_url: str, rate: float) -> None:
    import asyncio
    import signal

    database = await Database.open(db_path)
    bot = Bot(TOKEN, base_url=base_url, request=AiohttpRequest(pool_size=32))
    engine = DeliveryEngine(
        database,
        bot,
        SimpleRenderer(),
        rate=rate,
        paid=True,
        budget=SendBudget(rate),
        pacer=ChatPacer(private_interval=0.0, slack=0.0),
        concurrency=16,
        poll_interval=0.1,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await engine.start()
    print("READY", flush=True)
    await stop.wait()
    await engine.stop(drain_timeout=5)
    await database.close()
    print("STOPPED", flush=True)


if __name__ == "__main__":
    import argparse
    import asyncio

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--rate", type=float, default=200)
    args = parser.parse_args()
    asyncio.run(_worker(args.db, args.base_url, args.rate))


async def subscribe_users(db: Database, fake: FakeBotApi, story: int, *uids: int) -> None:
    """Private chats with the fake and subscriptions of theirs to the story."""
    for uid in uids:
        if uid not in fake.users:
            fake.add_user(uid, f"U{uid}")
        await subscriptions.subscribe(db, uid, "private", story)


async def run_until_idle(engine: DeliveryEngine, within: float = 10) -> None:
    """Start the engine, wait until it has nothing left to do, stop it."""
    await engine.start()
    try:
        assert await wait_idle(engine, within)
    finally:
        await engine.stop()
