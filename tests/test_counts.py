"""Counts editors see are kept as rows change: they always equal a recount of the rows."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.fakeapi.botapi import FakeBotApi
from bot.db import deliveries, migrations, stories, subscriptions
from bot.db.connection import Database
from tests.conftest_delivery import (
    add_item,
    add_item_as_first_shipped,
    add_story,
    make_engine,
    retract_item,
    run_until_idle,
    subscribe_users,
)

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True


async def _recount_subscribers(db: Database, story: int) -> dict[str, int]:
    rows = await db.fetchall(
        "SELECT status, COUNT(*) AS n FROM subscriptions WHERE story_id = ? GROUP BY status",
        (story,),
    )
    return {r["status"]: int(r["n"]) for r in rows}


async def _counted(db: Database, story: int) -> dict[str, int]:
    counts = await subscriptions.counts(db, story)
    found = {
        "active": counts.active,
        "blocked": counts.blocked,
        "unsubscribed": counts.unsubscribed,
        "ended": counts.ended,
    }
    return {status: n for status, n in found.items() if n}


async def _recount_delivered(db: Database, item: int) -> dict[str, int]:
    rows = await db.fetchall(
        "SELECT status, COUNT(*) AS n FROM deliveries WHERE item_id = ? AND kind = 'item'"
        " AND sub_id IS NOT NULL GROUP BY status",
        (item,),
    )
    return {r["status"]: int(r["n"]) for r in rows}


@pytest.mark.parametrize("seed", range(4))
async def test_subscriber_counts_equal_a_recount_after_any_changes(db: Database, seed: int) -> None:
    rng = random.Random(seed)
    story, other = await add_story(db, "Story"), await add_story(db, "Other")
    for _ in range(300):
        chat = rng.randrange(1, 40)
        target = rng.choice((story, other))
        action = rng.random()
        if action < 0.45:
            await subscriptions.subscribe(db, chat, "private", target)
        elif action < 0.75:
            await subscriptions.unsubscribe(db, chat, target)
        elif action < 0.85:
            # What the engine does when Telegram says the user blocked the bot.
            await db.execute(
                "UPDATE subscriptions SET status = 'blocked'"
                " WHERE chat_id = ? AND status = 'active'",
                (chat,),
            )
        elif action < 0.95:
            await deliveries.move_chat(db, chat, -1000 - chat, [])
        else:
            await db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat,))
    for target in (story, other):
        assert await _counted(db, target) == await _recount_subscribers(db, target)


async def test_blocked_and_ended_subscribers_are_counted_by_the_engine(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102, 103)
    fake.block_user(101)
    await add_item(db, story, "First")
    await run_until_idle(make_engine(db, fake))
    counts = await subscriptions.counts(db, story)
    assert (counts.active, counts.blocked) == (2, 1)
    await deliveries.enqueue_final_recap(db, story)
    await run_until_idle(make_engine(db, fake))
    counts = await subscriptions.counts(db, story)
    assert (counts.active, counts.blocked, counts.ended) == (0, 1, 2)
    assert await _counted(db, story) == await _recount_subscribers(db, story)


async def test_progress_of_a_push_matches_its_outbox(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *range(201, 221))
    fake.block_user(203)
    item = await add_item(db, story, "News")
    # Before a single batch is made, the push is already promised to every subscriber.
    before = await deliveries.item_progress(db, item)
    assert (before.total, before.pending, before.delivered, before.done) == (20, 20, 0, False)
    # Someone leaves before their copy is made: nothing goes to them, the total follows.
    await subscriptions.unsubscribe(db, 220, story)
    await run_until_idle(make_engine(db, fake))
    after = await deliveries.item_progress(db, item)
    assert (after.total, after.delivered, after.blocked, after.pending) == (19, 18, 1, 0)
    assert after.done
    assert await _recount_delivered(db, item) == {"sent": 18, "blocked": 1}


async def test_progress_survives_compaction_of_sent_rows(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 301, 302, 303)
    item = await add_item(db, story, "Kept")
    await run_until_idle(make_engine(db, fake))
    # Sent rows leave the outbox; what the editor was told stays true.
    await db.execute("DELETE FROM deliveries WHERE status = 'sent'")
    progress = await deliveries.item_progress(db, item)
    assert (progress.delivered, progress.total, progress.done) == (3, 3, True)
    recent = await deliveries.recent_items_progress(db, story)
    assert [(p.item_id, p.delivered) for p in recent] == [(item, 3)]


async def test_a_deleted_pending_copy_is_no_longer_pending(db: Database) -> None:
    story = await add_story(db)
    for chat in (401, 402):
        await subscriptions.subscribe(db, chat, "private", story)
    item = await add_item(db, story, "Pending")
    await deliveries.materialize(db)
    await db.execute("DELETE FROM deliveries WHERE chat_id = 401")
    await deliveries.materialize(db)  # the job finds no more subscribers and is done
    progress = await deliveries.item_progress(db, item)
    assert (progress.pending, progress.total) == (1, 1)


async def test_finished_jobs_report_their_outcomes(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 501, 502)
    fake.block_user(502)
    await add_item(db, story, "Logged")
    engine = make_engine(db, fake)
    await run_until_idle(engine)
    # The engine's own loop may have logged the job already; either way it is logged once.
    await db.execute("UPDATE fanout_jobs SET logged = 0")
    finished = await deliveries.finished_jobs(db)
    assert [job.counts for job in finished] == [{"sent": 1, "blocked": 1}]
    assert await deliveries.finished_jobs(db) == []


async def test_live_item_count_follows_posts_and_retractions(db: Database) -> None:
    story, other = await add_story(db, "Story"), await add_story(db, "Other")
    items = [await add_item(db, story, f"Item {n}", enqueue=False) for n in range(5)]
    await add_item(db, other, "Elsewhere", enqueue=False)
    await retract_item(db, items[1])
    await retract_item(db, items[3])
    assert await stories.count_items(db, story) == 3
    assert await stories.count_items(db, other) == 1
    await db.execute("DELETE FROM ticker_items WHERE id = ?", (items[0],))
    assert await stories.count_items(db, story) == 2


async def test_upgrade_counts_what_was_there_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = migrations.migration_files()
    earlier = [(name, sql) for name, sql in shipped if name < "050"]
    monkeypatch.setattr(migrations, "migration_files", lambda: earlier)
    db = await Database.open(tmp_path / "old.sqlite3")
    try:
        story = await add_story(db)
        # Rows as the code of that schema wrote them (today's code writes later columns).
        for chat, status in ((1, "active"), (2, "active"), (3, "unsubscribed")):
            await db.execute(
                "INSERT INTO subscriptions (chat_id, story_id, status, subscribed_at, updated_at)"
                " VALUES (?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                (chat, story, status),
            )
        for n in range(4):
            await add_item_as_first_shipped(db, story, f"Old {n}")
    finally:
        await db.close()
    monkeypatch.setattr(migrations, "migration_files", lambda: shipped)
    db = await Database.open(tmp_path / "old.sqlite3")
    try:
        counts = await subscriptions.counts(db, story)
        assert (counts.active, counts.unsubscribed) == (2, 1)
        assert await stories.count_items(db, story) == 4
    finally:
        await db.close()
