"""Corrections, retractions and the final recap reach what was delivered."""

from __future__ import annotations

import asyncio
import time

from bench.fakeapi.botapi import FakeBotApi, StoredMessage
from bench.fakeapi.botapi_faults import FaultRule
from bot.db import deliveries, subscriptions
from bot.db.connection import Database
from bot.db.models import TickerItemRecord
from tests.conftest_delivery import (
    SimpleRenderer,
    add_item,
    add_story,
    edit_item,
    make_engine,
    retract_item,
    run_until_idle,
    sends,
    subscribe_users,
)
from tests.idle import wait_idle

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True


def _text(fake: FakeBotApi, chat_id: int) -> list[str]:
    return [m.text or "" for m in fake.sent_messages(chat_id, include_deleted=False)]


async def test_correction_edits_every_delivered_copy(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    item = await add_item(db, story, "Claim", "wrong number")
    await run_until_idle(make_engine(db, fake))
    await edit_item(db, item, "right number")
    await run_until_idle(make_engine(db, fake))
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
    await subscribe_users(db, fake, story, 101)
    item = await add_item(db, story, "Claim", "draft")
    await edit_item(db, item, "final")
    await run_until_idle(make_engine(db, fake))
    assert "final" in _text(fake, 101)[0]
    assert fake.calls("editMessageText") == []


async def test_retraction_deletes_delivered_copies_and_cancels_pending(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    item = await add_item(db, story, "Wrong")
    await run_until_idle(make_engine(db, fake))
    await subscribe_users(db, fake, story, 102)
    pending = await add_item(db, story, "Also wrong")
    await deliveries.materialize(db)
    await retract_item(db, pending)
    await retract_item(db, item)
    await run_until_idle(make_engine(db, fake))
    assert [c.params["message_id"] for c in fake.calls("deleteMessage")] == [1]
    assert fake.sent_messages(101)[0].deleted
    assert sends(fake, 102) == []
    progress = await deliveries.item_progress(db, pending)
    assert (progress.cancelled, progress.pending, progress.done) == (2, 0, True)


async def test_retraction_in_a_combined_message_rerenders_it(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    first = await add_item(db, story, "First")
    second = await add_item(db, story, "Second")
    await run_until_idle(make_engine(db, fake))
    assert len(sends(fake, 101)) == 1
    await retract_item(db, first)
    await run_until_idle(make_engine(db, fake))
    [text] = _text(fake, 101)
    assert f"[retracted #{first}]" in text
    assert f"#{second} Second" in text
    assert fake.calls("deleteMessage") == []
    # Only when every item of the message is retracted does the message go.
    await retract_item(db, second)
    await run_until_idle(make_engine(db, fake))
    assert _text(fake, 101) == []
    assert len(fake.calls("deleteMessage")) == 1


async def test_old_messages_are_edited_to_a_notice_instead_of_deleted(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    item = await add_item(db, story, "Old news")
    await run_until_idle(make_engine(db, fake))
    # 101: our own records know the copy is older than 48 hours; 102: only Telegram knows.
    await db.execute(
        "UPDATE sent_messages SET sent_at = ? WHERE chat_id = 101", (time.time() - 49 * 3600,)
    )
    fake.mark_old(102, sends(fake, 102)[0].result["message_id"])
    await retract_item(db, item)
    await run_until_idle(make_engine(db, fake))
    assert [c.chat_id for c in fake.calls("deleteMessage")] == [102]
    for chat in (101, 102):
        assert _text(fake, chat) == [f"[retracted #{item}]"]


async def test_edit_reaches_only_the_split_part_that_shows_the_item(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    items = [await add_item(db, story, f"Headline {n}", "y" * 40) for n in range(3)]
    renderer = SimpleRenderer(max_chars=90)
    await run_until_idle(make_engine(db, fake, renderer))
    assert len(sends(fake, 101)) == 3
    await edit_item(db, items[1], "changed")
    await run_until_idle(make_engine(db, fake, renderer))
    edits = fake.calls("editMessageText")
    assert len(edits) == 1
    assert f"#{items[1]} " in (edits[0].text or "")


class EditsWhileRendering(SimpleRenderer):
    """Changes the item in the store once the engine has read it, before the send goes out."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.changed = False

    async def render_items(
        self, chat_id: int, story_id: int, items: list[TickerItemRecord]
    ) -> list[str]:
        texts = await super().render_items(chat_id, story_id, items)
        if not self.changed:
            self.changed = True
            item = items[0].id
            await self.db.execute("UPDATE ticker_items SET body = 'after' WHERE id = ?", (item,))
            await deliveries.enqueue_edit(self.db, item)
        return texts


async def test_item_changed_while_in_flight_is_refreshed(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    item = await add_item(db, story, "Race", "before")
    # The item changes after the engine read it, while its push is on the way (the edit job
    # may find no delivered copy yet): the recorded send notices and corrects the copy.
    renderer = EditsWhileRendering(db)
    await run_until_idle(make_engine(db, fake, renderer))
    assert renderer.changed
    assert [c.text for c in sends(fake, 101)] == [f"<b>#{item} Race</b>\nbefore"]
    assert "after" in _text(fake, 101)[0]


async def test_final_recap_ends_subscriptions(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101, 102)
    await subscriptions.unsubscribe(db, 102, story)
    await deliveries.enqueue_final_recap(db, story)
    await run_until_idle(make_engine(db, fake))
    assert [c.text for c in sends(fake)] == [f"Final recap of story {story}"]
    sub = await subscriptions.get_subscription(db, 101, story)
    assert sub is not None
    assert sub.status == "ended"
    await add_item(db, story, "After the end")
    await run_until_idle(make_engine(db, fake))
    assert len(sends(fake)) == 1


# ---------------------------------------------------------------- items split into parts


class PartsRenderer(SimpleRenderer):
    """Splits a text too long for one message into parts, like the texts module does."""

    async def render_items(
        self, chat_id: int, story_id: int, items: list[TickerItemRecord]
    ) -> list[str]:
        out: list[str] = []
        for text in await super().render_items(chat_id, story_id, items):
            out += [text[i : i + self.max_chars] for i in range(0, len(text), self.max_chars)]
        return out


def _live(fake: FakeBotApi, chat_id: int) -> list[StoredMessage]:
    return fake.sent_messages(chat_id, include_deleted=False)


async def _split_item(db: Database, fake: FakeBotApi, renderer: PartsRenderer) -> int:
    """An item delivered to 101 as two messages (parts of 100 characters)."""
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    item = await add_item(db, story, "Long", "a" * 150)
    await run_until_idle(make_engine(db, fake, renderer))
    assert len(sends(fake, 101)) == 2
    return item


async def test_split_item_correction_edits_its_parts_in_place(
    db: Database, fake: FakeBotApi
) -> None:
    renderer = PartsRenderer(max_chars=100)
    item = await _split_item(db, fake, renderer)
    before = [m.message_id for m in _live(fake, 101)]
    await edit_item(db, item, "b" * 150)
    await run_until_idle(make_engine(db, fake, renderer))
    assert len(sends(fake, 101)) == 2  # nothing new went out
    live = _live(fake, 101)
    assert [m.message_id for m in live] == before
    assert [len(m.versions) for m in live] == [2, 2]  # each message edited once
    text = "".join(m.text or "" for m in live)
    assert "[corrected]" in (live[0].text or "")
    assert text.count("b") == 150
    assert "a" not in text.replace("[corrected]", "")


async def test_split_item_growing_a_part_sends_it_and_retraction_deletes_all(
    db: Database, fake: FakeBotApi
) -> None:
    renderer = PartsRenderer(max_chars=100)
    item = await _split_item(db, fake, renderer)
    first, second = (m.message_id for m in _live(fake, 101))
    await edit_item(db, item, "z" * 250)
    await run_until_idle(make_engine(db, fake, renderer))
    assert len(sends(fake, 101)) == 3  # one new message for the third part
    live = _live(fake, 101)
    assert [m.message_id for m in live][:2] == [first, second]
    assert "".join(m.text or "" for m in live).count("z") == 250
    rows = await db.fetchall(
        "SELECT message_id, group_id, part FROM sent_messages WHERE chat_id = 101 ORDER BY part"
    )
    assert [(r["group_id"], r["part"]) for r in rows] == [(first, 0), (first, 1), (first, 2)]
    mapped = await db.fetchall(
        "SELECT DISTINCT message_id FROM message_items WHERE item_id = ?", (item,)
    )
    assert len(mapped) == 3

    await retract_item(db, item)
    await run_until_idle(make_engine(db, fake, renderer))
    # One call for the whole group, not one a second at the chat's pace.
    [together] = fake.calls("deleteMessages")
    assert sorted(together.params["message_ids"]) == sorted(r["message_id"] for r in rows)
    assert fake.calls("deleteMessage") == []
    assert _live(fake, 101) == []
    assert len(sends(fake, 101)) == 3


async def test_a_group_telegram_refuses_to_delete_together_goes_one_by_one(
    db: Database, fake: FakeBotApi
) -> None:
    renderer = PartsRenderer(max_chars=100)
    item = await _split_item(db, fake, renderer)
    first, second = (m.message_id for m in _live(fake, 101))
    fake.mark_old(101, second)  # only Telegram knows: the whole call is refused
    await retract_item(db, item)
    await run_until_idle(make_engine(db, fake, renderer))
    assert len(fake.calls("deleteMessages")) == 1
    assert [c.params["message_id"] for c in fake.calls("deleteMessage")] == [first, second]
    assert fake.messages[101][first].deleted
    assert not fake.messages[101][second].deleted
    assert (fake.messages[101][second].text or "").startswith("[retracted")


async def test_split_item_shrinking_to_one_part_deletes_the_second(
    db: Database, fake: FakeBotApi
) -> None:
    renderer = PartsRenderer(max_chars=100)
    item = await _split_item(db, fake, renderer)
    first, second = (m.message_id for m in _live(fake, 101))
    await edit_item(db, item, "short")
    await run_until_idle(make_engine(db, fake, renderer))
    assert [c.params["message_id"] for c in fake.calls("deleteMessage")] == [second]
    [live] = _live(fake, 101)
    assert live.message_id == first
    assert "short" in (live.text or "")
    # The deleted part stays out of later refreshes.
    await edit_item(db, item, "shorter")
    await run_until_idle(make_engine(db, fake, renderer))
    assert len(fake.calls("deleteMessage")) == 1
    assert [len(m.versions) for m in _live(fake, 101)] == [3]


async def test_surplus_part_older_than_48_hours_shows_a_notice(
    db: Database, fake: FakeBotApi
) -> None:
    renderer = PartsRenderer(max_chars=100)
    item = await _split_item(db, fake, renderer)
    second = _live(fake, 101)[1].message_id
    fake.mark_old(101, second)  # only Telegram knows: it refuses to delete
    await edit_item(db, item, "short")
    await run_until_idle(make_engine(db, fake, renderer))
    assert len(fake.calls("deleteMessage")) == 1
    first_text, second_text = _text(fake, 101)
    assert "short" in first_text
    assert second_text == "⤴"
    assert fake.messages[101][second].text == "⤴"
    assert len(sends(fake, 101)) == 2


async def test_combined_message_with_two_items_corrected_at_once_is_edited_once(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, 101)
    first = await add_item(db, story, "First", "one")
    second = await add_item(db, story, "Second", "two")
    await run_until_idle(make_engine(db, fake))
    assert len(sends(fake, 101)) == 1
    await edit_item(db, first, "uno")
    await edit_item(db, second, "dos")
    await run_until_idle(make_engine(db, fake))
    assert len(fake.calls("editMessageText")) == 1
    [text] = _text(fake, 101)
    assert "uno" in text and "dos" in text
    refreshes = await db.fetchval("SELECT COUNT(*) FROM deliveries WHERE kind = 'refresh'")
    assert refreshes == 1


async def test_refresh_failing_mid_way_resumes_without_duplicate_parts(
    db: Database, fake: FakeBotApi
) -> None:
    renderer = PartsRenderer(max_chars=100)
    item = await _split_item(db, fake, renderer)
    # The correction needs two more parts: the third goes out, the fourth fails once.
    fake.faults.add(FaultRule(kind="delay", method="sendMessage", delay=0, times=1))
    fake.faults.add(FaultRule(kind="server_error", method="sendMessage", times=1))
    await edit_item(db, item, "w" * 350)
    await run_until_idle(make_engine(db, fake, renderer))
    assert len(fake.calls("sendMessage")) == 2 + 3  # the failed attempt and one retry
    live = _live(fake, 101)
    assert len(live) == 4
    assert "".join(m.text or "" for m in live).count("w") == 350
    rows = await db.fetchall("SELECT part FROM sent_messages WHERE chat_id = 101 ORDER BY part")
    assert [r["part"] for r in rows] == [0, 1, 2, 3]


async def test_back_to_back_refreshes_of_a_group_see_each_others_parts(
    db: Database, fake: FakeBotApi
) -> None:
    renderer = PartsRenderer(max_chars=100)
    item = await _split_item(db, fake, renderer)
    # A slow writer: the second refresh starts before the first one's new part is recorded.
    engine = make_engine(db, fake, renderer, flush_interval=0.5)
    fake.faults.add(FaultRule(kind="delay", method="editMessageText", delay=0.3, times=1))
    await engine.start()
    try:
        await edit_item(db, item, "z" * 250)
        engine.notify()
        await asyncio.sleep(0.15)  # the first refresh is in flight
        await edit_item(db, item, "y" * 250)
        engine.notify()
        assert await wait_idle(engine, 10)
    finally:
        await engine.stop()
    assert len(sends(fake, 101)) == 3  # one new part, not one per refresh
    live = _live(fake, 101)
    assert len(live) == 3
    assert "".join(m.text or "" for m in live).count("y") == 250
