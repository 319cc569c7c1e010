"""Failures classified: 429, 5xx, blocked, chat not found, migration, timeouts."""

from __future__ import annotations

import time

from bench.fakeapi.botapi import FakeBotApi, FaultRule
from bot.db import chats, deliveries, subscriptions
from bot.db.connection import Database
from tests.conftest_delivery import (
    TOKEN,
    ScaledClock,
    add_item,
    add_story,
    make_engine,
    run_until_idle,
    sends,
    subscribe_users,
    wait_until,
)

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True


async def _row(db: Database, chat_id: int) -> dict[str, object]:
    row = await db.fetchone("SELECT * FROM deliveries WHERE chat_id = ?", (chat_id,))
    assert row is not None
    return dict(row)


async def test_one_chats_429_holds_only_that_chat_and_is_no_failed_attempt(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *range(101, 111))
    await add_item(db, story, "Flood")
    fake.faults.add(
        FaultRule(kind="retry_after", method="sendMessage", chat_id=101, times=1, retry_after=1)
    )
    engine = make_engine(db, fake, concurrency=2)
    await run_until_idle(engine)
    calls = fake.calls("sendMessage")
    flood = next(c for c in calls if c.status == 429)
    answered = flood.time + (flood.duration or 0)
    # The other chats went on at once; the flooded chat waited exactly retry_after.
    others = [c for c in calls if c.chat_id != 101]
    assert max(c.time for c in others) < answered + 0.9
    again = [c for c in calls if c.chat_id == 101 and c.status == 200]
    assert len(again) == 1 and again[0].time >= answered + 0.95
    assert len(calls) == 11, "\n".join(c.summary() for c in calls)
    assert sorted(c.chat_id for c in sends(fake)) == list(range(101, 111))
    rows = await db.fetchall("SELECT attempts, status FROM deliveries")
    assert {(r["attempts"], r["status"]) for r in rows} == {(0, "sent")}
    assert engine.stats.retry_after == 1


async def test_429_for_several_chats_at_once_holds_every_send(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *range(101, 111))
    await add_item(db, story, "Flood")
    # The bot-wide limit: the first three sends, to three chats, all get a 429. One sender,
    # so no request is already on its way when the third 429 comes back.
    fake.faults.add(FaultRule(kind="retry_after", method="sendMessage", times=3, retry_after=1))
    engine = make_engine(db, fake, concurrency=1)
    await run_until_idle(engine)
    calls = fake.calls("sendMessage")
    floods = [c for c in calls if c.status == 429]
    assert len({c.chat_id for c in floods}) == 3
    answered = max(c.time + (c.duration or 0) for c in floods)
    # Requests already on the wire when the last 429 came back cannot be recalled; after
    # that, nothing leaves until retry_after has passed.
    during = [c for c in calls if answered + 0.01 < c.time < answered + 0.95]
    assert during == []
    assert sorted(c.chat_id for c in sends(fake)) == list(range(101, 111))
    assert len(sends(fake)) == 10


async def test_server_error_then_success(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    await add_item(db, story, "Flaky")
    fake.faults.add(FaultRule(kind="server_error", method="sendMessage", times=2, status=502))
    await run_until_idle(make_engine(db, fake))
    assert len(sends(fake, 101)) == 1
    row = await _row(db, 101)
    assert (row["status"], row["attempts"]) == ("sent", 2)


async def test_server_error_past_the_deadline_is_dead_lettered_with_reason(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    item = await add_item(db, story, "Never")
    fake.faults.add(FaultRule(kind="server_error", method="sendMessage", chat_id=101))
    # Ten simulated minutes of deadline, backoff up to a minute: it plays out in seconds
    # (four, so that a store's round trips on a busy machine do not eat the retries).
    clock = ScaledClock(150)
    engine = make_engine(
        db, fake, clock=clock, deadline=600, backoff_base=1, backoff_max=60, poll_interval=1
    )
    await engine.start()
    try:
        await wait_until(lambda: engine.stats.dead_lettered == 1, within=20)
    finally:
        await engine.stop()
    failed = [c for c in fake.calls("sendMessage") if c.chat_id == 101]
    # Retried with backoff all through the deadline, not given up after a handful of tries.
    assert len(failed) >= 8
    last, first = failed[-1].time, failed[0].time
    assert (last - first) * clock.factor >= 600 * 0.9
    row = await _row(db, 101)
    assert row["status"] == "failed"
    letters = await deliveries.dead_letters(db)
    assert len(letters) == 1
    assert letters[0].chat_id == 101
    assert "gave up after" in letters[0].reason
    assert "Internal Server Error" in letters[0].reason
    assert TOKEN not in letters[0].reason
    progress = await deliveries.item_progress(db, item)
    assert (progress.delivered, progress.failed, progress.done) == (1, 1, True)


async def test_blocked_user_is_deactivated_at_once_and_never_retried(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    other = await add_story(db, "Other")
    await subscribe_users(db, fake, story, 101, 102)
    await subscriptions.subscribe(db, 101, "private", other)
    fake.block_user(101)
    await add_item(db, story, "First")
    await run_until_idle(make_engine(db, fake))
    await add_item(db, story, "Second")
    await add_item(db, other, "Elsewhere")
    await run_until_idle(make_engine(db, fake))
    assert len([c for c in fake.calls("sendMessage") if c.chat_id == 101]) == 1
    assert len(sends(fake, 102)) == 2
    for story_id in (story, other):
        sub = await subscriptions.get_subscription(db, 101, story_id)
        assert sub is not None
        assert sub.status == "blocked"
    assert (await subscriptions.counts(db, story)).blocked == 1


async def test_deactivated_and_unknown_chats_are_deactivated(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    fake.deactivate_user(101)
    await subscriptions.subscribe(db, 999, "private", story)  # "chat not found"
    item = await add_item(db, story, "Gone")
    await run_until_idle(make_engine(db, fake))
    assert len(fake.calls("sendMessage")) == 2
    progress = await deliveries.item_progress(db, item)
    assert (progress.blocked, progress.failed) == (2, 0)
    assert (await subscriptions.counts(db, story)).blocked == 2


async def test_migrated_group_moves_and_is_resent(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    fake.add_group(-500, "Group", admins=[1])
    await subscriptions.subscribe(db, -500, "group", story)
    await chats.set_current_story(db, -500, "group", story)
    new_id = fake.migrate_group(-500)
    await add_item(db, story, "To the supergroup")
    await run_until_idle(make_engine(db, fake))
    assert [c.chat_id for c in sends(fake)] == [new_id]
    assert await subscriptions.get_subscription(db, -500, story) is None
    moved = await subscriptions.get_subscription(db, new_id, story)
    assert moved is not None
    assert (moved.status, moved.chat_type) == ("active", "supergroup")
    chat = await chats.get_chat(db, new_id)
    assert chat is not None
    assert chat.current_story_id == story
    row = await _row(db, new_id)
    assert (row["status"], row["attempts"]) == ("sent", 0)


async def test_read_timeout_is_resent_at_most_once(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    await add_item(db, story, "Slow")
    # 101: the first answer comes too late (the message arrived anyway); 102: always too late.
    fake.faults.add(FaultRule(kind="delay", method="sendMessage", chat_id=101, delay=1, times=1))
    fake.faults.add(FaultRule(kind="delay", method="sendMessage", chat_id=102, delay=1))
    engine = make_engine(db, fake, request={"read_timeout": 0.3})
    await run_until_idle(engine)
    assert len(fake.calls("sendMessage")) == 4  # each chat: the timed-out send + one resend
    first, second = await _row(db, 101), await _row(db, 102)
    assert (first["status"], first["timeouts"], first["attempts"]) == ("sent", 1, 0)
    assert (second["status"], second["timeouts"]) == ("failed", 2)
    assert "read timeout twice" in str(second["error"])
    assert engine.stats.read_timeouts == 3


async def test_hung_server_times_out_and_recovers(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    await add_item(db, story, "Hang")
    fake.faults.add(FaultRule(kind="hang", method="sendMessage", times=1))
    started = time.monotonic()
    await run_until_idle(make_engine(db, fake, request={"read_timeout": 0.3}))
    assert time.monotonic() - started < 5
    assert len(sends(fake, 101)) == 1
    assert (await _row(db, 101))["timeouts"] == 1


async def test_bad_request_is_dead_lettered_without_retry(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    await add_item(db, story, "Bad")
    fake.faults.add(
        FaultRule(kind="bad_request", method="sendMessage", description="can't parse entities")
    )
    await run_until_idle(make_engine(db, fake))
    assert len(fake.calls("sendMessage")) == 1
    assert (await _row(db, 101))["status"] == "failed"
    assert (await subscriptions.counts(db, story)).active == 1
