"""Per-chat preferences: language and the story the chat is reading."""

from __future__ import annotations

from bot.db.connection import Database, distinct_from
from bot.db.models import ChatRecord, now_iso


async def get_chat(db: Database, chat_id: int) -> ChatRecord | None:
    """The stored preferences of a chat, or None for a chat never seen."""
    row = await db.fetchone(
        "SELECT chat_id, chat_type, language, current_story_id, timezone FROM chats"
        " WHERE chat_id = ?",
        (chat_id,),
    )
    if row is None:
        return None
    return ChatRecord(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        language=row["language"],
        current_story_id=row["current_story_id"],
        timezone=row["timezone"],
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


async def remember_name(db: Database, chat_id: int, chat_type: str, name: str) -> None:
    """Keep the display name of a private chat's user (editors, for /audit)."""
    now = now_iso()
    await db.execute(
        "INSERT INTO chats (chat_id, chat_type, display_name, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
        " display_name = excluded.display_name, updated_at = excluded.updated_at"
        f" WHERE chats.display_name {distinct_from(db)} excluded.display_name",
        (chat_id, chat_type, name, now, now),
    )


async def display_names(db: Database, chat_ids: list[int]) -> dict[int, str]:
    """Known display names of these chats."""
    if not chat_ids:
        return {}
    marks = ",".join("?" * len(chat_ids))
    rows = await db.fetchall(
        f"SELECT chat_id, display_name FROM chats WHERE chat_id IN ({marks})"
        " AND display_name IS NOT NULL",
        chat_ids,
    )
    return {r["chat_id"]: r["display_name"] for r in rows}


async def languages(db: Database, chat_ids: list[int]) -> dict[int, str | None]:
    """The stored language of each chat that has one row (for rendering a batch of pushes)."""
    found: dict[int, str | None] = {}
    for start in range(0, len(chat_ids), 500):
        part = chat_ids[start : start + 500]
        rows = await db.fetchall(
            f"SELECT chat_id, language FROM chats WHERE chat_id IN ({','.join('?' * len(part))})",
            part,
        )
        found.update((int(r["chat_id"]), r["language"]) for r in rows)
    return found


async def timezones(db: Database, chat_ids: list[int]) -> dict[int, str | None]:
    """The chosen time zone of each chat that has one row (for rendering a batch of pushes)."""
    found: dict[int, str | None] = {}
    for start in range(0, len(chat_ids), 500):
        part = chat_ids[start : start + 500]
        rows = await db.fetchall(
            f"SELECT chat_id, timezone FROM chats WHERE chat_id IN ({','.join('?' * len(part))})"
            " AND timezone IS NOT NULL",
            part,
        )
        found.update((int(r["chat_id"]), r["timezone"]) for r in rows)
    return found
