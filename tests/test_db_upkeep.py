"""The store's upkeep happens beside a change, not inside its commit: the WAL is copied
back by a connection of its own, the search index is merged after the change."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bot.db import stories
from bot.db.connection import Database, SqliteDatabase
from bot.services.editor import EditorService
from bot.services.stories import StoryService

SEED = Path(__file__).resolve().parents[1] / "seeds" / "ukraine-nato-liveblog.de.txt"


async def test_commits_are_copied_into_the_database_file_by_the_background(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    try:
        assert isinstance(db, SqliteDatabase)
        db.checkpoint_every_s = 0.0
        # SQLite's own checkpoint would run inside a commit: it is off on the writer.
        assert await db.writer.fetchval("PRAGMA wal_autocheckpoint") == 0
        for n in range(3):
            await db.execute(
                "INSERT INTO audit_log (at, user_id, action) VALUES (?, ?, 'test')", ("t", n)
            )
            await db.checkpoint_settled()
        # The database file alone, without its WAL, already holds every commit.
        alone = tmp_path / "alone.sqlite3"
        shutil.copyfile(path, alone)
        conn = sqlite3.connect(alone)
        try:
            count = conn.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'test'")
            assert count.fetchone()[0] == 3
        finally:
            conn.close()
    finally:
        await db.close()


async def test_the_search_index_is_merged_after_editors_changes(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        reader = StoryService(db)
        editor = EditorService(db, notify=lambda: None)
        await reader.import_page(SEED.read_bytes(), source_name="seeds/seed.txt")
        story = (await stories.list_stories(db))[0]
        item = await editor.post(42, story, "Zeppelin über Kiew\nEin Luftschiff.")
        for n in range(40):
            await editor.edit(42, item.id, f"Zeppelin über Kiew\nFassung {n}.")
        await db.upkeep_settled()
        # Each change leaves a segment of its own, and forty put four on one level: had
        # the upkeep not merged them after the changes, this merge would find work.
        assert await stories.merge_search_segments(db) == 0
        assert [hit.text for hit in await reader.search(story.id, "Fassung")] == ["Fassung 39."]
    finally:
        await db.close()
