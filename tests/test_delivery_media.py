"""The push engine with items that carry attachments: order, budget, outcomes."""

from __future__ import annotations

from bench.fakeapi.botapi import FakeBotApi
from bot.db import deliveries, stories
from bot.db.connection import Database
from bot.db.models import Attachment, MediaKind, now_iso
from tests.conftest_delivery import (
    add_item,
    add_story,
    make_engine,
    run_until_idle,
    subscribe_users,
)

READERS = (501, 502)


def photos(fake: FakeBotApi, user_id: int, count: int) -> list[Attachment]:
    """Files the fake knows (an editor sent them), as the bot stores them."""
    out = []
    for _ in range(count):
        message = fake.send_media(user_id, "photo")["message"]
        size = message["photo"][-1]
        out.append(Attachment(MediaKind.PHOTO, size["file_id"], size["file_unique_id"]))
    return out


async def add_media_item(db: Database, story: int, headline: str, media: list[Attachment]) -> int:
    async with db.atomic():
        item_id = await stories.insert_item(
            db, story, origin="posted", headline=headline, body="", now=now_iso()
        )
        await stories.set_media(db, item_id, media)
        await deliveries.enqueue_item(db, story, item_id)
    return item_id


async def test_items_claimed_together_keep_their_order_and_an_album_charges_each_message(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *READERS)
    for reader in READERS:
        fake.send_text(reader, "/start")
    album = photos(fake, READERS[0], 3)
    await add_item(db, story, "Vorher")
    await add_media_item(db, story, "Bilder", album)
    await add_item(db, story, "Nachher")
    engine = make_engine(db, fake)
    await run_until_idle(engine)
    for reader in READERS:
        sent = fake.sent_messages(reader)
        shown = [m.text.split("\n")[0] if m.text else f"[{m.media_kind}]" for m in sent]
        assert shown == ["#1 Vorher", "[photo]", "[photo]", "[photo]", "#3 Nachher"]
        assert "Bilder" in (sent[1].caption or "")
        assert len({m.media_group_id for m in sent[1:4]}) == 1
    # Two text messages and an album of three for each reader: five grants apiece.
    assert engine.budget.granted == 5 * len(READERS)
    assert engine.stats.sent == 5 * len(READERS)
    rows = await db.fetchall(
        "SELECT chat_id, COUNT(*) AS n FROM sent_messages WHERE media_kind = 'photo'"
        " GROUP BY chat_id"
    )
    assert {r["chat_id"]: r["n"] for r in rows} == dict.fromkeys(READERS, 3)
