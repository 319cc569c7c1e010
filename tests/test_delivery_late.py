"""A push whose answer comes after the read timeout: its copy is known, once, everywhere."""

from __future__ import annotations

from bench.fakeapi.botapi import FakeBotApi
from bench.fakeapi.botapi_faults import FaultRule
from bot.db.connection import Database
from bot.delivery.engine import DeliveryEngine
from tests.conftest_delivery import (
    add_item,
    add_story,
    edit_item,
    make_engine,
    retract_item,
    subscribe_users,
    wait_until,
)
from tests.idle import wait_idle

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True

CHAT = 101


def _visible(fake: FakeBotApi) -> list[str]:
    return [m.text or "" for m in fake.sent_messages(CHAT, include_deleted=False)]


async def _row(db: Database) -> dict[str, object]:
    row = await db.fetchone("SELECT * FROM deliveries WHERE chat_id = ?", (CHAT,))
    assert row is not None
    return dict(row)


async def _settle_late(engine: DeliveryEngine, copies: int, deleted: int) -> None:
    await wait_until(
        lambda: (
            engine.stats.late_copies == copies
            and engine.stats.late_copies_deleted == deleted
            and not engine.late.listening
        )
    )
    assert await wait_idle(engine, 10)


async def test_late_answer_after_the_resend_deletes_the_extra_copy(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, CHAT)
    item = await add_item(db, story, "Ferries cancelled")
    # The first answer comes long after the read timeout: the message arrived all the same,
    # and the resend (after a short backoff) arrives too.
    fake.faults.add(FaultRule(kind="delay", method="sendMessage", chat_id=CHAT, delay=1.5, times=1))
    engine = make_engine(db, fake, request={"read_timeout": 0.3})
    await engine.start()
    try:
        await _settle_late(engine, copies=1, deleted=1)
        assert len(fake.sent_messages(CHAT)) == 2
        assert len(_visible(fake)) == 1
        row = await _row(db)
        (kept,) = fake.sent_messages(CHAT, include_deleted=False)
        assert (row["status"], row["message_id"]) == ("sent", kept.message_id)
        # A correction goes to the copy the reader has, and to no deleted one.
        await edit_item(db, item, "until further notice")
        engine.notify()
        await wait_until(lambda: "until further notice" in _visible(fake)[0])
        assert await wait_idle(engine, 10)
        assert len(fake.calls("editMessageText")) == 1
    finally:
        await engine.stop()


async def test_late_answer_before_the_resend_is_the_delivery_and_gets_corrections(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, CHAT)
    item = await add_item(db, story, "Bridge closed")
    fake.faults.add(FaultRule(kind="delay", method="sendMessage", chat_id=CHAT, delay=1.0, times=1))
    # The resend is due seconds later: the late answer comes first.
    engine = make_engine(db, fake, request={"read_timeout": 0.3}, backoff_base=8, backoff_max=8)
    await engine.start()
    try:
        await _settle_late(engine, copies=1, deleted=0)
        (copy,) = fake.sent_messages(CHAT)
        row = await _row(db)
        assert (row["status"], row["message_id"]) == ("sent", copy.message_id)
        await edit_item(db, item, "reopened at noon")
        engine.notify()
        await wait_until(lambda: "reopened at noon" in _visible(fake)[0])
        await retract_item(db, item)
        engine.notify()
        await wait_until(lambda: not _visible(fake))
        # Nothing was sent twice: the timed-out send was the delivery.
        assert len(fake.calls("sendMessage")) == 1
    finally:
        await engine.stop()


async def test_push_answered_late_twice_is_delivered_once_not_dead_lettered(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, CHAT)
    await add_item(db, story, "Power restored")
    # Both the send and its one resend answer late: the engine gives up on the row, and
    # then hears that both went out.
    fake.faults.add(FaultRule(kind="delay", method="sendMessage", chat_id=CHAT, delay=2.0, times=2))
    engine = make_engine(db, fake, request={"read_timeout": 0.5})
    await engine.start()
    try:
        await _settle_late(engine, copies=2, deleted=1)
        assert len(_visible(fake)) == 1
        row = await _row(db)
        assert row["status"] == "sent"
        assert row["timeouts"] == 2
        assert await db.fetchval("SELECT COUNT(*) FROM dead_letters", (), 0) == 0
    finally:
        await engine.stop()
