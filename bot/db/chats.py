"""Per-chat preferences: language and the story the chat is reading."""

from __future__ import annotations

from bot.db.connection import Database
from bot.db.models import ChatRecord, now_iso


async def get_chat(db: Database, chat_id: int) -> ChatRecord | None:
    """The stored preferences of a chat, or None for a chat never seen."""
    row = await db.fetchone(
        "SELECT chat_id, chat_type, language, current_story_id FROM chats WHERE chat_id = ?",
        (chat_id,),
    )
    if row is None:
        return None
    return ChatRecord(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        language=row["language"],
        current_story_id=row["current_story_id"],
    )


async def set_language(db: Database, chat_id: int, chat_type: str, language: str) -> None:
    """Remember the reader language chosen in a chat."""
    now = now_iso()
    await db.execute(
        "INSERT INTO chats (chat_id, chat_type, language, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
        " language = excluded.language, updated_at = excluded.updated_at",
        (chat_id, chat_type, language, now, now),
    )


async def set_current_story(db: Database, chat_id: int, chat_type: str, story_id: int) -> None:
    """Remember which story a chat reads."""
    now = now_iso()
    await db.execute(
        "INSERT INTO chats (chat_id, chat_type, current_story_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
        " current_story_id = excluded.current_story_id, updated_at = excluded.updated_at",
        (chat_id, chat_type, story_id, now, now),
    )


async def move_chat(db: Database, old_chat_id: int, new_chat_id: int) -> None:
    """Carry a group's preferences over to its new supergroup id."""
    async with db.atomic() as conn:
        await conn.execute("DELETE FROM chats WHERE chat_id = ?", (new_chat_id,))
        await conn.execute(
            "UPDATE chats SET chat_id = ?, chat_type = 'supergroup' WHERE chat_id = ?",
            (new_chat_id, old_chat_id),
        )
