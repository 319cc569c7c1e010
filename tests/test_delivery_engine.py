"""The push engine against the fake Bot API: fan-out, grouping, restart, channel, progress."""

from __future__ import annotations

import logging
import time

import pytest

from bench.fakeapi.botapi import FakeBotApi
from bot.db import deliveries, subscriptions
from bot.db.connection import Database
from tests.conftest_delivery import (
    TOKEN,
    SimpleRenderer,
    add_item,
    add_story,
    make_engine,
    run_until_idle,
    sends,
    subscribe_users,
)
from tests.idle import wait_idle

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True


async def test_new_item_reaches_every_subscriber_once(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102, 103)
    item = await add_item(db, story, "Breaking", "Body text")
    await run_until_idle(make_engine(db, fake))
    assert sorted(c.chat_id for c in sends(fake)) == [101, 102, 103]
    progress = await deliveries.item_progress(db, item)
    assert (progress.total, progress.delivered, progress.pending, progress.done) == (3, 3, 0, True)
    call = sends(fake)[0]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["link_preview_options"] == {"is_disabled": True}
    assert call.params.get("allow_paid_broadcast") is True
    # The Telegram message id is kept for later edits and retractions.
    row = await db.fetchone("SELECT message_id FROM deliveries WHERE chat_id = 101")
    assert row is not None
    assert row["message_id"] == call.result["message_id"]


async def test_free_mode_does_not_ask_for_paid_broadcast(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    await add_item(db, story, "Free")
    await run_until_idle(make_engine(db, fake, rate=30, paid=False))
    assert "allow_paid_broadcast" not in sends(fake)[0].params


async def test_unsubscribed_and_late_subscribers_get_nothing(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    await subscriptions.unsubscribe(db, 102, story)
    item = await add_item(db, story, "Only for 101")
    # Subscribed after the item existed: it is history, not news.
    await subscribe_users(db, fake, story, 103)
    await run_until_idle(make_engine(db, fake))
    assert [c.chat_id for c in sends(fake)] == [101]
    assert (await deliveries.item_progress(db, item)).total == 1


async def test_unsubscribe_cancels_what_waits(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    await add_item(db, story, "Queued")
    await deliveries.materialize(db)
    assert await subscriptions.unsubscribe(db, 102, story)
    await run_until_idle(make_engine(db, fake))
    assert [c.chat_id for c in sends(fake)] == [101]


async def test_resubscribe_starts_afresh(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    assert not await subscriptions.subscribe(db, 101, "private", story)
    await subscriptions.unsubscribe(db, 101, story)
    await add_item(db, story, "While away")
    assert await subscriptions.subscribe(db, 101, "private", story)
    new = await add_item(db, story, "After return")
    await run_until_idle(make_engine(db, fake))
    assert len(sends(fake)) == 1
    assert f"#{new} " in (sends(fake)[0].text or "")


async def test_pending_items_go_out_as_one_message(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    items = [await add_item(db, story, f"Item {n}") for n in range(3)]
    await run_until_idle(make_engine(db, fake))
    for chat in (101, 102):
        calls = sends(fake, chat)
        assert len(calls) == 1
        assert all(f"#{i} " in (calls[0].text or "") for i in items)
    ids = await db.fetchall("SELECT DISTINCT message_id FROM deliveries WHERE chat_id = 101")
    assert len(ids) == 1


async def test_too_long_for_one_message_splits_without_losing_items(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    items = [await add_item(db, story, f"Headline number {n}", "x" * 30) for n in range(4)]
    renderer = SimpleRenderer(max_chars=120)
    await run_until_idle(make_engine(db, fake, renderer))
    texts = [c.text or "" for c in sends(fake, 101)]
    assert len(texts) >= 2
    for item in items:
        assert sum(f"#{item} " in t for t in texts) == 1
    mapped = await db.fetchall("SELECT item_id, message_id FROM message_items ORDER BY item_id")
    assert [r["item_id"] for r in mapped] == items


async def test_restart_does_not_push_again(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    await add_item(db, story, "Once")
    await run_until_idle(make_engine(db, fake))
    await run_until_idle(make_engine(db, fake))
    assert len(sends(fake)) == 2


async def test_channel_gets_every_new_item(db: Database, fake: FakeBotApi) -> None:
    channel = -1001234567
    fake.add_group(channel, "News", type="channel", bot_is_admin=True)
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    item = await add_item(db, story, "Also in the channel")
    await run_until_idle(make_engine(db, fake, channel_id=channel))
    assert sorted(c.chat_id for c in sends(fake)) == [channel, 101]
    # The channel copy is no subscriber: progress counts subscribers only.
    assert (await deliveries.item_progress(db, item)).total == 1


async def test_progress_counts_and_done_log_line(
    db: Database, fake: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    await subscriptions.subscribe(db, 555, "private", story)  # unknown to Telegram
    fake.block_user(102)
    item = await add_item(db, story, "Counted")
    before = await deliveries.item_progress(db, item)
    assert (before.total, before.pending, before.done) == (3, 3, False)
    caplog.set_level(logging.INFO, logger="bot.delivery")
    engine = make_engine(db, fake)
    await engine.start()
    try:
        assert await wait_idle(engine, 10)
        deadline = time.monotonic() + 3
        while "push item done" not in caplog.text and time.monotonic() < deadline:
            engine.notify()
            await _sleep(0.05)
    finally:
        await engine.stop()
    progress = await deliveries.item_progress(db, item)
    assert (progress.delivered, progress.blocked, progress.failed, progress.done) == (1, 2, 0, True)
    recent = await deliveries.recent_items_progress(db, story)
    assert [p.item_id for p in recent] == [item]
    counts = await subscriptions.counts(db, story)
    assert (counts.active, counts.blocked) == (1, 2)
    assert f"push item done: story={story} item={item}" in caplog.text
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def test_notify_wakes_an_idle_engine(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    engine = make_engine(db, fake, poll_interval=30)
    await engine.start()
    try:
        await _sleep(0.2)
        await add_item(db, story, "Wake up")
        started = time.monotonic()
        engine.notify()
        await fake.wait_for(lambda c: c.method == "sendMessage" and c.ok, timeout=3)
        assert time.monotonic() - started < 1.0
    finally:
        await engine.stop()
