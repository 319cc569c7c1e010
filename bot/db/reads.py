"""What a chat has seen of a story: visits and deliveries, for catching up."""

from __future__ import annotations

from bot.db.connection import Database, greatest
from bot.db.models import TickerItemRecord, now_iso
from bot.db.stories import with_media


async def seen_until(db: Database, chat_id: int, story_id: int) -> int | None:
    """The newest item id the chat saw of the story (visit, push or subscribing), or None."""
    row = await db.fetchone(
        "SELECT MAX(v) AS seen FROM ("
        " SELECT seen_item_id AS v FROM chat_reads WHERE chat_id = ?1 AND story_id = ?2"
        " UNION ALL SELECT since_item_id FROM subscriptions WHERE chat_id = ?1 AND story_id = ?2"
        " UNION ALL SELECT MAX(mi.item_id) FROM message_items mi JOIN sent_messages sm"
        "  ON sm.chat_id = mi.chat_id AND sm.message_id = mi.message_id"
        "  WHERE mi.chat_id = ?1 AND sm.story_id = ?2) AS seen_from",
        (chat_id, story_id),
    )
    return None if row is None or row["seen"] is None else int(row["seen"])


async def mark_seen(db: Database, chat_id: int, story_id: int) -> None:
    """Remember that the chat has now seen every item of the story there is."""
    await db.execute(
        "INSERT INTO chat_reads (chat_id, story_id, seen_item_id, seen_at)"
        " SELECT ?1, ?2, COALESCE(MAX(id), 0), ?3 FROM ticker_items WHERE story_id = ?2"
        " ON CONFLICT (chat_id, story_id) DO UPDATE SET"
        f" seen_item_id = {greatest(db)}(chat_reads.seen_item_id, excluded.seen_item_id),"
        " seen_at = excluded.seen_at",
        (chat_id, story_id, now_iso()),
    )


async def count_missed(db: Database, story_id: int, after_item_id: int) -> int:
    """How many live items the story gained after this item id."""
    value = await db.fetchval(
        "SELECT COUNT(*) FROM ticker_items WHERE story_id = ? AND retracted_at IS NULL AND id > ?",
        (story_id, after_item_id),
        0,
    )
    return int(value)


async def missed_items(
    db: Database, story_id: int, after_item_id: int, *, offset: int, limit: int
) -> list[TickerItemRecord]:
    """Live items added after this item id, newest first."""
    rows = await db.fetchall(
        "SELECT * FROM ticker_items WHERE story_id = ? AND retracted_at IS NULL AND id > ?"
        " ORDER BY position DESC, id DESC LIMIT ? OFFSET ?",
        (story_id, after_item_id, limit, offset),
    )
    return await with_media(db, [TickerItemRecord.from_row(r) for r in rows])


async def first_message_of(db: Database, chat_id: int, item_id: int) -> int | None:
    """The first message that showed this item in this chat and still exists, or None."""
    value = await db.fetchval(
        "SELECT sm.group_id FROM message_items mi JOIN sent_messages sm"
        " ON sm.chat_id = mi.chat_id AND sm.message_id = mi.message_id"
        " WHERE mi.chat_id = ? AND mi.item_id = ? AND sm.deleted_at IS NULL"
        " ORDER BY sm.sent_at DESC LIMIT 1",
        (chat_id, item_id),
    )
    return None if value is None else int(value)
