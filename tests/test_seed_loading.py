"""Seeds at start (load_seed_folder) and while running (watch_seeds): idempotent, robust, pushed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot import watch
from bot.config import Settings
from bot.context import AppState
from bot.db import stories
from bot.db.connection import Database
from bot.db.stories import ImportOutcome
from bot.services.editor import EditorService
from bot.services.stories import StoryService
from bot.story.model import StoryError
from tests.conftest_delivery import open_db
from tests.seed_page import SEED, changed_seed

ROOT = Path(__file__).resolve().parents[1]
OTHER = ROOT / "tests" / "pages" / "en-live-updates.txt"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)


class Harness:
    """A store and a StoryService over a seeds folder, counting new-item notifications."""

    def __init__(self, db: Database, seeds: Path) -> None:
        self.db = db
        self.seeds = seeds
        self.notified = 0
        self.service = StoryService(db, on_new_items=self._notify)

    def _notify(self) -> None:
        self.notified += 1

    async def count(self, table: str) -> int:
        return int(await self.db.fetchval(f"SELECT COUNT(*) FROM {table}"))

    async def counts(self) -> dict[str, int]:
        tables = ("stories", "paragraphs", "quotes", "people", "ticker_items", "fanout_jobs")
        return {table: await self.count(table) for table in tables}

    async def item_jobs(self) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT item_id FROM fanout_jobs WHERE kind = 'item' AND state = 'open' ORDER BY id"
        )
        return [row["item_id"] for row in rows]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    db = await open_db(tmp_path)
    try:
        yield Harness(db, seeds)
    finally:
        await db.close()


def outcome_of(results: list[tuple[Path, ImportOutcome | StoryError]], name: str) -> object:
    return {path.name: outcome for path, outcome in results}[name]


# ---------------------------------------------------------------- at start


async def test_loading_the_seeds_twice_changes_nothing(harness: Harness) -> None:
    (harness.seeds / SEED.name).write_bytes(SEED.read_bytes())
    (harness.seeds / OTHER.name).write_bytes(OTHER.read_bytes())
    (harness.seeds / "photo.png").write_bytes(PNG)  # not a story file: ignored

    first = await harness.service.load_seed_folder(harness.seeds)
    assert sorted(path.name for path, _ in first) == sorted([SEED.name, OTHER.name])
    assert all(isinstance(o, ImportOutcome) and o.created for _, o in first)
    after_first = await harness.counts()
    assert after_first["stories"] == 2
    assert after_first["fanout_jobs"] == 0  # a first import is not news

    second = await harness.service.load_seed_folder(harness.seeds)
    assert all(isinstance(o, ImportOutcome) and o.unchanged for _, o in second)
    assert await harness.counts() == after_first
    assert harness.notified == 0


async def test_a_bad_file_next_to_a_good_one_does_not_stop_it(harness: Harness) -> None:
    (harness.seeds / "0-empty.txt").write_bytes(b"")
    (harness.seeds / "1-image.txt").write_bytes(PNG)
    (harness.seeds / "5-story.txt").write_bytes(SEED.read_bytes())
    (harness.seeds / "9-blank.md").write_bytes(b"\n \n")

    results = await harness.service.load_seed_folder(harness.seeds)
    assert [path.name for path, _ in results] == [
        "0-empty.txt",
        "1-image.txt",
        "5-story.txt",
        "9-blank.md",
    ]
    assert isinstance(outcome_of(results, "0-empty.txt"), StoryError)
    assert isinstance(outcome_of(results, "1-image.txt"), StoryError)
    assert isinstance(outcome_of(results, "9-blank.md"), StoryError)
    good = outcome_of(results, "5-story.txt")
    assert isinstance(good, ImportOutcome) and good.created
    [story] = await stories.list_stories(harness.db)
    assert story.lead.startswith("Nach Ansicht der Ukraine")
    assert await harness.count("ticker_items") == 1


async def test_a_missing_seeds_folder_starts_without_stories(harness: Harness) -> None:
    assert await harness.service.load_seed_folder(harness.seeds / "nope") == []
    assert await harness.count("stories") == 0


async def test_a_changed_seed_at_restart_pushes_only_its_new_item_and_keeps_editor_work(
    harness: Harness,
) -> None:
    seed = harness.seeds / SEED.name
    seed.write_bytes(SEED.read_bytes())
    [(_, first)] = await harness.service.load_seed_folder(harness.seeds)
    assert isinstance(first, ImportOutcome)
    story = await stories.get_story(harness.db, first.story_id)
    assert story is not None
    editor = EditorService(harness.db, notify=lambda: None)
    posted = await editor.post(7, story, "Eilmeldung aus Brüssel\nDie Sitzung ist beendet.")
    quote = next(q for q in await stories.quotes(harness.db, story.id) if q.text == "sehr bald")
    await editor.set_speaker(7, quote.id, "Tucker Carlson, Moderator")
    jobs_before = await harness.item_jobs()
    assert jobs_before == [posted.id]

    seed.write_text(changed_seed(), encoding="utf-8")
    [(_, second)] = await harness.service.load_seed_folder(harness.seeds)
    assert isinstance(second, ImportOutcome)
    assert not second.created and not second.unchanged
    [new_id] = second.new_item_ids
    new_item = await stories.get_item(harness.db, new_id)
    assert new_item is not None
    assert (new_item.time, new_item.headline) == ("18:45", "Rutte trifft Sybiga in Brüssel")
    assert await harness.item_jobs() == [posted.id, new_id]
    assert harness.notified == 1
    # What editors did in the chat is still there.
    kept = await stories.get_item(harness.db, posted.id)
    assert kept is not None and kept.headline == "Eilmeldung aus Brüssel"
    assert kept.retracted_at is None
    fixed = next(q for q in await stories.quotes(harness.db, story.id) if q.text == "sehr bald")
    assert fixed.role == "Moderator"
    assert await harness.count("ticker_items") == 3


async def test_a_failure_while_storing_leaves_no_half_story(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_index(db: Database, story_id: int) -> None:
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(stories, "_reindex", broken_index)
    with pytest.raises(RuntimeError):
        await harness.service.import_page(SEED.read_bytes(), source_name=f"seeds/{SEED.name}")
    assert await harness.counts() == dict.fromkeys(
        ("stories", "paragraphs", "quotes", "people", "ticker_items", "fanout_jobs"), 0
    )
    assert await harness.count("page_imports") == 0

    monkeypatch.undo()
    outcome = await harness.service.import_page(SEED.read_bytes(), source_name=f"seeds/{SEED.name}")
    assert outcome.created  # not mistaken for "unchanged" by a half-written record


# ---------------------------------------------------------------- while running


def app_state(harness: Harness) -> AppState:
    state = AppState()
    state.settings = Settings(
        _env_file=None,
        seeds_dir=harness.seeds,
        seeds_poll_seconds=0.01,
        database_path=Path(harness.db.path),
    )
    state.db = harness.db
    state.stories = harness.service
    return state


async def watch_while(
    state: AppState,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[], object],
    rounds: int = 40,
) -> None:
    """Run the watcher for `rounds` polls; `change` the folder once it took its first look."""
    looked = asyncio.Event()
    loop = asyncio.get_running_loop()
    real = watch.snapshot

    def snapshot(folder: Path) -> watch.Snapshot:
        result = real(folder)
        loop.call_soon_threadsafe(looked.set)
        return result

    monkeypatch.setattr(watch, "snapshot", snapshot)
    task = asyncio.create_task(watch.watch_seeds(state, rounds=rounds))
    await asyncio.wait_for(looked.wait(), 5)
    change()
    await asyncio.wait_for(task, 10)


async def test_the_watcher_imports_a_dropped_in_page_and_skips_a_bad_one(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = app_state(harness)

    def drop() -> None:
        (harness.seeds / "broken.txt").write_bytes(PNG)
        (harness.seeds / SEED.name).write_bytes(SEED.read_bytes())

    await watch_while(state, monkeypatch, drop)
    [story] = await stories.list_stories(harness.db)
    assert story.lead.startswith("Nach Ansicht der Ukraine")
    assert await harness.count("ticker_items") == 1
    assert await harness.item_jobs() == []  # a new story's items are its starting state


async def test_the_watcher_pushes_the_new_items_of_a_changed_page(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = harness.seeds / SEED.name
    seed.write_bytes(SEED.read_bytes())
    await harness.service.load_seed_folder(harness.seeds)
    [old] = await harness.db.fetchall("SELECT id FROM ticker_items")
    state = app_state(harness)

    await watch_while(state, monkeypatch, lambda: seed.write_text(changed_seed(), "utf-8"))
    rows = await harness.db.fetchall("SELECT id, time FROM ticker_items ORDER BY position")
    first, new = rows
    assert (first["id"], first["time"]) == (old["id"], None)
    assert new["time"] == "18:45"
    # The outbox holds exactly one promise: the new item, for the story's subscribers.
    jobs = await harness.db.fetchall("SELECT kind, story_id, item_id, state FROM fanout_jobs")
    assert [tuple(j) for j in jobs] == [("item", 1, new["id"], "open")]
    assert harness.notified == 1


async def test_the_watcher_leaves_an_unchanged_rewrite_alone(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = harness.seeds / SEED.name
    seed.write_bytes(SEED.read_bytes())
    await harness.service.load_seed_folder(harness.seeds)
    before = await harness.counts()
    updated = await harness.db.fetchval("SELECT updated_at FROM stories")

    looked_at: list[str] = []
    real_import = harness.service.import_page

    async def import_page(data: bytes, source_name: str, **kwargs: Any) -> ImportOutcome:
        looked_at.append(source_name)
        return await real_import(data, source_name, **kwargs)

    monkeypatch.setattr(harness.service, "import_page", import_page)
    # Same bytes, another modification time: looked at, found unchanged, nothing written.
    os.utime(seed, ns=(seed.stat().st_atime_ns, seed.stat().st_mtime_ns - 10**9))
    await watch_while(app_state(harness), monkeypatch, lambda: seed.write_bytes(SEED.read_bytes()))
    assert looked_at == [f"seeds/{SEED.name}"]
    assert await harness.counts() == before
    assert await harness.db.fetchval("SELECT updated_at FROM stories") == updated
    assert harness.notified == 0
