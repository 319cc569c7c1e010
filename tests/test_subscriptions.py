"""Subscriptions: subscribe semantics, settings, counts, and when held items go out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.fakeapi.botapi import FakeBotApi
from bot.db import deliveries, subscriptions
from bot.db.connection import Database
from bot.db.subscriptions import hold_until
from tests.conftest_delivery import (
    add_item,
    add_story,
    make_engine,
    sends,
)
from tests.idle import wait_idle

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


async def test_subscribe_unsubscribe_and_counts(db: Database) -> None:
    story = await add_story(db)
    assert await subscriptions.subscribe(db, 1, "private", story)
    assert not await subscriptions.subscribe(db, 1, "private", story)
    assert await subscriptions.subscribe(db, -2, "group", story)
    assert await subscriptions.unsubscribe(db, -2, story)
    assert not await subscriptions.unsubscribe(db, -2, story)
    assert not await subscriptions.unsubscribe(db, 3, story)
    counts = await subscriptions.counts(db, story)
    assert (counts.active, counts.blocked, counts.unsubscribed) == (1, 0, 1)
    sub = await subscriptions.get_subscription(db, 1, story)
    assert sub is not None
    assert (sub.mode, sub.quiet_start, sub.quiet_end, sub.status) == ("each", None, None, "active")
    assert await subscriptions.get_subscription(db, 9, story) is None
    assert [s.story_id for s in await subscriptions.chat_subscriptions(db, 1)] == [story]


async def test_settings_are_validated(db: Database) -> None:
    story = await add_story(db)
    await subscriptions.subscribe(db, 1, "private", story)
    await subscriptions.set_mode(db, 1, story, "digest")
    await subscriptions.set_quiet_hours(db, 1, story, 22, 7)
    await subscriptions.set_utc_offset(db, 1, story, 120)
    sub = await subscriptions.get_subscription(db, 1, story)
    assert sub is not None
    assert (sub.mode, sub.quiet_start, sub.quiet_end, sub.utc_offset_min) == ("digest", 22, 7, 120)
    with pytest.raises(ValueError):
        await subscriptions.set_mode(db, 1, story, "sometimes")
    with pytest.raises(ValueError):
        await subscriptions.set_quiet_hours(db, 1, story, 22, None)
    with pytest.raises(ValueError):
        await subscriptions.set_quiet_hours(db, 1, story, 24, 6)
    with pytest.raises(LookupError):
        await subscriptions.set_mode(db, 2, story, "each")
    await subscriptions.set_quiet_hours(db, 1, story, None, None)
    sub = await subscriptions.get_subscription(db, 1, story)
    assert sub is not None
    assert sub.quiet_start is None


def test_hold_until_examples() -> None:
    now = _ts("2025-03-01T23:30:00")
    assert hold_until("each", None, None, 0, now) == now
    assert hold_until("each", 22, 7, 0, now) == _ts("2025-03-02T07:00:00")
    assert hold_until("each", 8, 20, 0, now) == now
    assert hold_until("digest", None, None, 0, now) == _ts("2025-03-02T00:00:00")
    # 23:30 UTC is 01:30 at UTC+2, inside 1–6 local quiet hours: out at 06:00 local.
    assert hold_until("each", 1, 6, 120, now) == _ts("2025-03-02T04:00:00")
    # A digest due at a quiet hour waits for the end of the quiet hours.
    assert hold_until("digest", 0, 6, 0, now) == _ts("2025-03-02T06:00:00")


@given(
    now=st.floats(min_value=1.6e9, max_value=2.0e9),
    mode=st.sampled_from(["each", "digest"]),
    quiet=st.one_of(st.none(), st.tuples(st.integers(0, 23), st.integers(0, 23))),
    offset=st.integers(-14 * 60, 14 * 60),
)
def test_hold_until_properties(
    now: float, mode: str, quiet: tuple[int, int] | None, offset: int
) -> None:
    start, end = quiet if quiet else (None, None)
    due = hold_until(mode, start, end, offset, now)
    assert now <= due <= now + 25 * 3600
    local_hour = int((due + offset * 60) // 3600) % 24
    if start is not None and end is not None and start != end:
        inside = (
            start <= local_hour < end if start < end else local_hour >= start or local_hour < end
        )
        assert not inside
    if mode == "digest" and (start is None or start == end):
        assert (due + offset * 60) % 3600 == pytest.approx(0, abs=1e-3)


async def test_quiet_hours_hold_items_then_send_one_message(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    fake.add_user(101, "Night owl")
    fake.add_user(102, "Day person")
    for uid in (101, 102):
        await subscriptions.subscribe(db, uid, "private", story)
    hour = datetime.now(UTC).hour
    # Quiet from this hour for two hours: whatever comes now waits.
    await subscriptions.set_quiet_hours(db, 101, story, hour, (hour + 2) % 24)
    items = [await add_item(db, story, f"Night item {n}") for n in range(2)]
    engine = make_engine(db, fake)
    await engine.start()
    try:
        assert await wait_idle(engine, 10)
        assert sends(fake, 101) == []
        assert len(sends(fake, 102)) == 1
        rows = await db.fetchall("SELECT next_at FROM deliveries WHERE chat_id = 101")
        assert len({r["next_at"] for r in rows}) == 1
        # The quiet hours end (time passes): both items go out together.
        await db.execute("UPDATE deliveries SET next_at = 0 WHERE chat_id = 101")
        engine.notify()
        assert await wait_idle(engine, 10)
    finally:
        await engine.stop()
    [call] = sends(fake, 101)
    assert all(f"#{i} " in (call.text or "") for i in items)


async def test_digest_holds_until_the_hour_and_switching_back_releases(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    fake.add_user(101, "Digest reader")
    await subscriptions.subscribe(db, 101, "private", story)
    await subscriptions.set_mode(db, 101, story, "digest")
    items = [await add_item(db, story, f"Digest item {n}") for n in range(3)]
    await deliveries.materialize(db)
    rows = await db.fetchall("SELECT next_at FROM deliveries")
    assert {r["next_at"] % 3600 for r in rows} == {0}
    engine = make_engine(db, fake)
    await engine.start()
    try:
        assert await wait_idle(engine, 10)
        assert sends(fake) == []
        await subscriptions.set_mode(db, 101, story, "each")
        engine.notify()
        assert await wait_idle(engine, 10)
    finally:
        await engine.stop()
    [call] = sends(fake, 101)
    assert all(f"#{i} " in (call.text or "") for i in items)
