"""Corrections, retractions and the final recap reach what was delivered."""

from __future__ import annotations

import time

from bot.db import deliveries, subscriptions
from bot.db.connection import Database
from bot.delivery.engine import DeliveryEngine
from tests import conftest_delivery as support
from tests.conftest_delivery import (
    SimpleRenderer,
    add_item,
    add_story,
    edit_item,
    make_engine,
    retract_item,
    sends,
)
from tests.fakes.botapi import FakeBotApi

# Fixtures shared with the other delivery tests.
db = support.db
fake = support.fake
ptb_timedelta = support.ptb_timedelta


async def _subscribe(db: Database, fake: FakeBotApi, story: int, *uids: int) -> None:
    for uid in uids:
        fake.add_user(uid, f"U{uid}")
        await subscriptions.subscribe(db, uid, "private", story)


async def _run(engine: DeliveryEngine, within: float = 10) -> None:
    await engine.start()
    try:
        assert await engine.wait_idle(within)
    finally:
        await engine.stop()


def _text(fake: FakeBotApi, chat_id: int) -> list[str]:
    return [m.text or "" for m in fake.sent_messages(chat_id, include_deleted=False)]


async def test_correction_edits_every_delivered_copy(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await _subscribe(db, fake, story, 101, 102)
    item = await add_item(db, story, "Claim", "wrong number")
    await _run(make_engine(db, fake))
    await edit_item(db, item, "right number")
    await _run(make_engine(db, fake))
    for chat in (101, 102):
        texts = _text(fake, chat)
        assert len(texts) == 1
        assert "right number" in texts[0]
        assert "[corrected]" in texts[0]
    assert len(fake.calls("editMessageText")) == 2
    rows = await db.fetchall("SELECT corrected_at FROM sent_messages")
    assert all(r["corrected_at"] for r in rows)


async def test_correction_of_a_pending_item_just_sends_the_current_text(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await _subscribe(db, fake, story, 101)
    item = await add_item(db, story, "Claim", "draft")
    await edit_item(db, item, "final")
    await _run(make_engine(db, fake))
    assert "final" in _text(fake, 101)[0]
    assert fake.calls("editMessageText") == []


async def test_retraction_deletes_delivered_copies_and_cancels_pending(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await _subscribe(db, fake, story, 101)
    item = await add_item(db, story, "Wrong")
    await _run(make_engine(db, fake))
    await _subscribe(db, fake, story, 102)
    pending = await add_item(db, story, "Also wrong")
    await deliveries.materialize(db)
    await retract_item(db, pending)
    await retract_item(db, item)
    await _run(make_engine(db, fake))
    assert [c.params["message_id"] for c in fake.calls("deleteMessage")] == [1]
    assert fake.sent_messages(101)[0].deleted
    assert sends(fake, 102) == []
    progress = await deliveries.item_progress(db, pending)
    assert (progress.cancelled, progress.pending, progress.done) == (2, 0, True)


async def test_retraction_in_a_combined_message_rerenders_it(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await _subscribe(db, fake, story, 101)
    first = await add_item(db, story, "First")
    second = await add_item(db, story, "Second")
    await _run(make_engine(db, fake))
    assert len(sends(fake, 101)) == 1
    await retract_item(db, first)
    await _run(make_engine(db, fake))
    [text] = _text(fake, 101)
    assert f"[retracted #{first}]" in text
    assert f"#{second} Second" in text
    assert fake.calls("deleteMessage") == []
    # Only when every item of the message is retracted does the message go.
    await retract_item(db, second)
    await _run(make_engine(db, fake))
    assert _text(fake, 101) == []
    assert len(fake.calls("deleteMessage")) == 1


async def test_old_messages_are_edited_to_a_notice_instead_of_deleted(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await _subscribe(db, fake, story, 101, 102)
    item = await add_item(db, story, "Old news")
    await _run(make_engine(db, fake))
    # 101: our own records know the copy is older than 48 hours; 102: only Telegram knows.
    await db.execute(
        "UPDATE sent_messages SET sent_at = ? WHERE chat_id = 101", (time.time() - 49 * 3600,)
    )
    fake.mark_old(102, sends(fake, 102)[0].result["message_id"])
    await retract_item(db, item)
    await _run(make_engine(db, fake))
    assert [c.chat_id for c in fake.calls("deleteMessage")] == [102]
    for chat in (101, 102):
        assert _text(fake, chat) == [f"[retracted #{item}]"]


async def test_edit_reaches_only_the_split_part_that_shows_the_item(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await _subscribe(db, fake, story, 101)
    items = [await add_item(db, story, f"Headline {n}", "y" * 40) for n in range(3)]
    renderer = SimpleRenderer(max_chars=90)
    await _run(make_engine(db, fake, renderer))
    assert len(sends(fake, 101)) == 3
    await edit_item(db, items[1], "changed")
    await _run(make_engine(db, fake, renderer))
    edits = fake.calls("editMessageText")
    assert len(edits) == 1
    assert f"#{items[1]} " in (edits[0].text or "")


async def test_item_changed_while_in_flight_is_refreshed(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await _subscribe(db, fake, story, 101)
    item = await add_item(db, story, "Race", "before")
    engine = make_engine(db, fake)
    # Load the item into the engine's cache, then change it behind the engine's back
    # (the edit job finds no delivered copy yet): the recorded send notices.
    await engine._load_items([item])
    await db.execute("UPDATE ticker_items SET body = 'after' WHERE id = ?", (item,))
    await deliveries.enqueue_edit(db, item)
    await _run(engine)
    assert "after" in _text(fake, 101)[0]


async def test_final_recap_ends_subscriptions(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await _subscribe(db, fake, story, 101, 102)
    await subscriptions.unsubscribe(db, 102, story)
    await deliveries.enqueue_final_recap(db, story)
    await _run(make_engine(db, fake))
    assert [c.text for c in sends(fake)] == [f"Final recap of story {story}"]
    sub = await subscriptions.get_subscription(db, 101, story)
    assert sub is not None
    assert sub.status == "ended"
    await add_item(db, story, "After the end")
    await _run(make_engine(db, fake))
    assert len(sends(fake)) == 1
