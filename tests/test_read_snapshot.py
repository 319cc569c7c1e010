"""Reads on the shared reader connection always see what was committed before them."""

from __future__ import annotations

import asyncio

from bot.db.connection import Database
from tests.conftest_delivery import add_story


async def test_a_commit_is_seen_at_once_while_other_tasks_read(db: Database) -> None:
    story = await add_story(db)
    stop = asyncio.Event()

    async def busy_reader() -> None:
        # Like the renderer during a push: one small read after another, never idle.
        while not stop.is_set():
            await db.fetchone("SELECT id, title FROM stories WHERE id = ?", (story,))
            await db.fetchall("SELECT id FROM stories ORDER BY id")

    readers = [asyncio.create_task(busy_reader()) for _ in range(8)]
    try:
        for n in range(200):
            title = f"Title {n}"
            await db.execute("UPDATE stories SET title = ? WHERE id = ?", (title, story))
            seen = await db.fetchval("SELECT title FROM stories WHERE id = ?", (story,))
            assert seen == title, f"commit {n} not visible to the next read"
    finally:
        stop.set()
        await asyncio.gather(*readers)
