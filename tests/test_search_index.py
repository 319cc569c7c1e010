"""/search follows every editor change: posts, corrections, retractions, quotes."""

from __future__ import annotations

from pathlib import Path

from bot.db import stories
from bot.db.connection import Database
from bot.services.editor import EditorService
from bot.services.stories import StoryService

SEED = Path(__file__).resolve().parents[1] / "seeds" / "ukraine-nato-liveblog.de.txt"


async def test_search_follows_editor_changes(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        reader = StoryService(db)
        editor = EditorService(db, notify=lambda: None)
        await reader.import_page(SEED.read_bytes(), source_name="seeds/seed.txt")
        story = (await stories.list_stories(db))[0]

        async def found(words: str) -> list[str]:
            return [hit.text for hit in await reader.search(story.id, words)]

        assert await found("Rutte")  # the imported page is searchable
        item = await editor.post(42, story, "Zeppelin über Kiew\nEin Luftschiff wurde gesichtet.")
        assert "Zeppelin über Kiew" in await found("zeppelin")
        assert await found("Luftschiff")
        await editor.edit(42, item.id, "Ballon über Kiew\nEin Wetterballon, kein Luftschiff.")
        assert await found("zeppelin") == []
        assert await found("Wetterballon")
        await editor.retract(42, item.id)
        assert await found("Wetterballon") == []
        quote = await editor.add_quote(42, story, '"Wir bleiben wachsam" — Mark Rutte')
        assert await found("wachsam") == ["Wir bleiben wachsam"]
        await editor.delete_quote(42, quote.id)
        assert await found("wachsam") == []
        assert await found("Rutte")  # the rest of the story is untouched
    finally:
        await db.close()
