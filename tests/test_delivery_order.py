"""A subscriber reads the items in the order they were posted, however the sends interleave."""

from __future__ import annotations

import asyncio
import re

from bench.fakeapi.botapi import FakeBotApi
from bench.fakeapi.botapi_faults import FaultRule
from bot.db.connection import Database
from bot.delivery.ratelimit import SendBudget
from tests.clocks import ManualClock
from tests.conftest_delivery import (
    add_item,
    add_story,
    make_engine,
    sends,
    subscribe_users,
    wait_until,
)

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True

CHAT = 101


def _received(fake: FakeBotApi) -> list[str]:
    return [m.text or "" for m in fake.sent_messages(CHAT)]


def _headlines(fake: FakeBotApi) -> list[str]:
    """The items' headlines in the order the reader got them (several may share a message)."""
    return re.findall(r"#\d+ (\w+)", "\n".join(_received(fake)))


async def _status(db: Database, item_id: int) -> str | None:
    status = await db.fetchval("SELECT status FROM deliveries WHERE item_id = ?", (item_id,))
    return None if status is None else str(status)


async def _wait_claimed(db: Database, item_id: int) -> None:
    for _ in range(500):
        if await _status(db, item_id) not in (None, "pending"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"item {item_id} was never claimed")


async def _wait_status(db: Database, item_id: int, status: str) -> None:
    for _ in range(500):
        if await _status(db, item_id) == status:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"item {item_id} never became {status}")


async def test_an_item_claimed_while_the_chat_was_busy_goes_out_before_a_later_one(
    db: Database, fake: FakeBotApi
) -> None:
    # The first push is slow to be answered; the second is claimed meanwhile and has to wait
    # for the chat. The third is claimed the moment the first is answered: it must not
    # overtake the second, which the reader would then see out of order.
    clock = ManualClock()
    story = await add_story(db)
    await subscribe_users(db, fake, story, CHAT)
    fake.faults.add(FaultRule(kind="delay", method="sendMessage", chat_id=CHAT, delay=0.5, times=1))
    engine = make_engine(db, fake, clock=clock, budget=SendBudget(1000))
    await engine.start()
    try:
        await add_item(db, story, "First")
        engine.notify()
        await wait_until(lambda: _headlines(fake) == ["First"])  # out, answer still to come
        await add_item(db, story, "Second")
        engine.notify()
        await wait_until(lambda: engine.scheduler.outstanding == 2)
        await wait_until(lambda: len(sends(fake, CHAT)) >= 1 and engine.scheduler.outstanding <= 1)
        third = await add_item(db, story, "Third")
        engine.notify()
        await _wait_claimed(db, third)
        # Now let time run: pacing waits and retries end, step by step.
        for _ in range(100):
            if len(_headlines(fake)) == 3:
                break
            clock.advance(0.05)
            await asyncio.sleep(0.01)
        assert _headlines(fake) == ["First", "Second", "Third"]
    finally:
        await engine.stop()


async def test_an_item_waiting_to_be_retried_goes_out_with_the_next_one_not_after_it(
    db: Database, fake: FakeBotApi
) -> None:
    # The first push to the chat fails once and waits for its retry; the second is due at
    # once. Sent alone it would arrive before the first: the reader gets both, in order.
    clock = ManualClock()
    story = await add_story(db)
    await subscribe_users(db, fake, story, CHAT)
    fake.faults.add(FaultRule(kind="server_error", method="sendMessage", chat_id=CHAT, times=1))
    engine = make_engine(db, fake, clock=clock, budget=SendBudget(1000))
    await engine.start()
    try:
        first = await add_item(db, story, "First")
        engine.notify()
        await wait_until(lambda: fake.faults.rules[0].exhausted)
        await _wait_status(db, first, "pending")  # given back, due after the backoff
        second = await add_item(db, story, "Second")
        engine.notify()
        await _wait_claimed(db, second)
        for _ in range(100):
            if len(_headlines(fake)) == 2:
                break
            clock.advance(0.05)
            await asyncio.sleep(0.01)
        assert _headlines(fake) == ["First", "Second"]
    finally:
        await engine.stop()


async def test_an_item_claimed_before_the_failure_of_the_one_before_is_recorded_waits_for_it(
    db: Database, fake: FakeBotApi
) -> None:
    # As after an outage: the first item's push failed and its retry is still to be
    # recorded (outcomes are written in batches) when the next item is claimed. Sent at
    # once, the next one would overtake it.
    clock = ManualClock()
    story = await add_story(db)
    await subscribe_users(db, fake, story, CHAT)
    fake.faults.add(FaultRule(kind="server_error", method="sendMessage", chat_id=CHAT, times=1))
    engine = make_engine(db, fake, clock=clock, budget=SendBudget(1000), flush_interval=0.5)
    await engine.start()
    try:
        await add_item(db, story, "First")
        engine.notify()
        await wait_until(lambda: fake.faults.rules[0].exhausted)
        second = await add_item(db, story, "Second")
        engine.notify()
        await _wait_claimed(db, second)
        for _ in range(100):
            if len(_headlines(fake)) == 2:
                break
            clock.advance(0.05)
            await asyncio.sleep(0.02)
        assert _headlines(fake) == ["First", "Second"]
    finally:
        await engine.stop()
