"""Which story a page feeds, across restarts, uploads and archiving."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import stories
from bot.db.connection import Database
from bot.services.editor import EditorService
from bot.services.stories import StoryService

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "ukraine-nato-liveblog.de.txt"
EXTRA_PARAGRAPH = "Die Redaktion ergänzt: Die Außenminister wollen sich im Januar erneut treffen."


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[StoryService]:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / SEED.name).write_bytes(SEED.read_bytes())
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        yield StoryService(db)
    finally:
        await db.close()


async def test_upload_into_seeded_story_survives_a_restart(
    service: StoryService, tmp_path: Path
) -> None:
    first = await service.load_seed_folder(tmp_path / "seeds")
    story_id = first[0][1].story_id  # type: ignore[union-attr]
    changed = SEED.read_text(encoding="utf-8") + "\n" + EXTRA_PARAGRAPH + "\n"
    outcome = await service.import_page(
        changed.encode(), source_name="upload/page.txt", story_id=story_id, editor_id=42
    )
    assert not outcome.unchanged and not outcome.created
    # What a restart does: the unchanged seed file must not undo the editor's upload.
    again = await service.load_seed_folder(tmp_path / "seeds")
    assert again[0][1].unchanged  # type: ignore[union-attr]
    assert EXTRA_PARAGRAPH in "\n".join(await stories.paragraphs(service.db, story_id))


async def test_archived_story_is_not_revived_by_its_seed(
    service: StoryService, tmp_path: Path
) -> None:
    first = await service.load_seed_folder(tmp_path / "seeds")
    story_id = first[0][1].story_id  # type: ignore[union-attr]
    await EditorService(service.db, notify=lambda: None).archive(42, story_id)
    await service.load_seed_folder(tmp_path / "seeds")
    assert await stories.list_stories(service.db) == []
    # A changed page of an archived story is news again: it starts a new story.
    seed = tmp_path / "seeds" / SEED.name
    seed.write_text(seed.read_text(encoding="utf-8") + "\n" + EXTRA_PARAGRAPH + "\n")
    outcome = (await service.load_seed_folder(tmp_path / "seeds"))[0][1]
    assert outcome.created and outcome.story_id != story_id  # type: ignore[union-attr]


async def test_a_page_that_prints_a_post_twice_imports_it_once(service: StoryService) -> None:
    # Copied pages repeat posts (a pinned post above the stream, two copies pasted together).
    page = SEED.read_bytes() + b"\n" + SEED.read_bytes()
    outcome = await service.import_page(page, source_name="upload/twice.txt")
    once = await service.preview(SEED.read_bytes())
    assert outcome.created
    items = await service.db.fetchval(
        "SELECT COUNT(*) FROM ticker_items WHERE story_id = ?", (outcome.story_id,)
    )
    assert items == len(once.ticker) > 0
