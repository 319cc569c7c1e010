"""Importing pages and answering readers' questions about a story; no Telegram here."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.db import audit, chats, deliveries, stories
from bot.db.connection import Database
from bot.db.models import PersonRecord, QuoteRecord, StoryRecord, TickerItemRecord
from bot.db.stories import ImportOutcome, SearchHit
from bot.folding import fold
from bot.limits import MAX_FRAGMENTS, MAX_STATEMENTS
from bot.story import decode_page, parse_story
from bot.story.model import ParsedStory, StoryError
from bot.story.worker import SHARED_WORKER

# Load no more quotes than one /quotes message shows.

log = logging.getLogger(__name__)

STORY_SUFFIXES = (".txt", ".text", ".md")
TICKER_MAX = 20


@dataclass(frozen=True)
class QuoteSelection:
    quotes: list[QuoteRecord]
    speakers: list[str]
    matched: bool
    more: int = 0  # quotes of the selection not loaded (beyond what one message shows)
    chosen: tuple[str, ...] = ()  # the stored names the filter matched

    def speaker_shown(self, typed: str | None) -> str | None:
        """The filter's name for a heading: as stored ("Margus Tsahkna"), not as typed."""
        if not typed:
            return None
        return ", ".join(self.chosen) if self.chosen else typed


@dataclass(frozen=True)
class TickerPage:
    items: list[TickerItemRecord]
    offset: int
    limit: int
    total: int


def story_files(folder: Path) -> list[Path] | None:
    """Story pages in a folder in name order; None when the folder does not exist."""
    if not folder.is_dir():
        return None
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in STORY_SUFFIXES)


def read_story_files(folder: Path) -> list[tuple[Path, bytes]] | None:
    """Every story page in a folder with its bytes; None when the folder does not exist."""
    paths = story_files(folder)
    if paths is None:
        return None
    pages = []
    for path in paths:
        try:
            pages.append((path, path.read_bytes()))
        except OSError as exc:
            # One unreadable page must not stop the start; the watcher will not retry it
            # until it changes.
            log.warning("seed %s skipped: unreadable (%s)", path.name, exc.strerror or exc)
    return pages


def parse_count(raw: str | None, *, default: int, low: int = 1, high: int = TICKER_MAX) -> int:
    """A count argument within bounds; ValueError with the bounds otherwise."""
    if raw is None or not raw.strip():
        return default
    text = raw.strip()
    if not text.isdigit() or len(text) > 6:
        raise ValueError(text)
    value = int(text)
    if not low <= value <= high:
        raise ValueError(text)
    return value


class StoryService:
    """Loads pages into the store and reads stories for readers."""

    def __init__(
        self,
        db: Database,
        *,
        max_import_bytes: int = 2_000_000,
        on_new_items: Callable[[], Awaitable[None] | None] | None = None,
    ) -> None:
        self.db = db
        self.max_import_bytes = max_import_bytes
        self._on_new_items = on_new_items

    # --- importing -------------------------------------------------------------------
    def parse(self, data: bytes) -> ParsedStory:
        """Parse a page without storing it; raises StoryError for unusable input."""
        return parse_story(decode_page(data, max_bytes=self.max_import_bytes))

    async def preview(self, data: bytes) -> ParsedStory:
        """parse() in a worker process: a large page takes seconds, replies must not wait."""
        return await SHARED_WORKER.parse(data, self.max_import_bytes)

    async def import_page(
        self,
        data: bytes,
        source_name: str,
        *,
        story_id: int | None = None,
        editor_id: int | None = None,
    ) -> ImportOutcome:
        """Store a page as a story, or merge it into the story of the same source (or id)."""
        parsed = await self.preview(data)
        digest = hashlib.sha256(data).hexdigest()
        async with self.db.atomic():
            outcome = await stories.save_import(
                self.db, parsed, source_name=source_name, page_hash=digest, story_id=story_id
            )
            # A page that is already imported changes nothing: nothing to audit.
            if editor_id is not None and not outcome.unchanged:
                await audit.record(
                    self.db,
                    user_id=editor_id,
                    action="import",
                    story_id=outcome.story_id,
                    target=source_name,
                    after={
                        "title": parsed.title,
                        "created": outcome.created,
                        "new_items": len(outcome.new_item_ids),
                    },
                )
            # Only items new on a changed page are pushed; a story's first import is
            # its starting state, not news.
            if not outcome.created:
                for item_id in outcome.new_item_ids:
                    await deliveries.enqueue_item(self.db, outcome.story_id, item_id)
        if outcome.new_item_ids and not outcome.created:
            await self._notify()
        return outcome

    async def load_seed_folder(self, folder: Path) -> list[tuple[Path, ImportOutcome | StoryError]]:
        """Import every story file in a folder; one bad file does not stop the others."""
        results: list[tuple[Path, ImportOutcome | StoryError]] = []
        pages = await asyncio.to_thread(read_story_files, folder)
        if pages is None:
            log.warning("seeds folder %s does not exist; starting without stories", folder)
            return results
        for path, data in pages:
            try:
                outcome: ImportOutcome | StoryError = await self.import_page(
                    data, source_name=f"seeds/{path.name}"
                )
            except StoryError as exc:
                log.warning("seed %s not imported: %s", path.name, exc.detail)
                outcome = exc
            results.append((path, outcome))
        return results

    async def find_story_for_page(self, parsed: ParsedStory, file_name: str) -> StoryRecord | None:
        """The live story an uploaded page updates: same file name or same title, else None."""
        same_file = await stories.story_for_file(self.db, file_name)
        folded_title = fold(parsed.title)
        for story in await stories.list_stories(self.db):
            if story.id == same_file or fold(story.title) == folded_title:
                return story
        return None

    async def _notify(self) -> None:
        if self._on_new_items is not None:
            result = self._on_new_items()
            if result is not None:
                await result

    # --- reading ---------------------------------------------------------------------
    async def stories(self, *, include_archived: bool = False) -> list[StoryRecord]:
        """Stories readers can choose from (and, if asked, the archived ones to read)."""
        return await stories.list_stories(self.db, include_archived=include_archived)

    async def readable_story(self, story_id: int) -> StoryRecord | None:
        """A story by id, archived ones included: they stay readable, read-only."""
        return await stories.get_story(self.db, story_id)

    async def story_for_chat(self, chosen_story_id: int | None) -> StoryRecord | None:
        """The story a chat reads: its choice if still live, else the first live story."""
        if chosen_story_id:
            story = await stories.get_story(self.db, chosen_story_id)
            if story and story.archived_at is None:
                return story
        live = await stories.list_stories(self.db)
        return live[0] if live else None

    async def live_story(self, story_id: int) -> StoryRecord | None:
        """A story readers may still see, or None."""
        story = await stories.get_story(self.db, story_id)
        return story if story and story.archived_at is None else None

    async def choose_story(self, chat_id: int, chat_type: str, story_id: int) -> StoryRecord:
        """Switch a chat to a live story; KeyError if there is none with that id."""
        story = await stories.get_story(self.db, story_id)
        if story is None or story.archived_at is not None:
            raise KeyError(story_id)
        await chats.set_current_story(self.db, chat_id, chat_type, story_id)
        return story

    async def quotes(self, story_id: int, name: str | None = None) -> QuoteSelection:
        """Quotes, optionally by one speaker matched on surname or full name."""
        speakers = sorted(await stories.quote_speakers(self.db, story_id), key=fold)
        chosen: list[str] | None = None
        if name and name.strip():
            wanted = fold(" ".join(name.split()))
            chosen = [s for s in speakers if _name_matches(wanted, s)]
            if not chosen:
                return QuoteSelection([], speakers, matched=False)
        shown, more = await stories.quotes_for_reading(
            self.db,
            story_id,
            speakers=chosen,
            statements=MAX_STATEMENTS,
            fragments=MAX_FRAGMENTS,
        )
        return QuoteSelection(shown, speakers, matched=True, more=more, chosen=tuple(chosen or ()))

    async def ticker(self, story_id: int, *, offset: int, limit: int) -> TickerPage:
        """One page of the ticker, pinned first, then newest first."""
        total = await stories.count_items(self.db, story_id)
        offset = max(0, min(offset, max(total - 1, 0)))
        items = await stories.ticker_page(self.db, story_id, offset=offset, limit=limit)
        return TickerPage(items=items, offset=offset, limit=limit, total=total)

    async def people(self, story_id: int) -> list[PersonRecord]:
        """Who's who."""
        return await stories.people(self.db, story_id)

    async def search(self, story_id: int, words: str) -> list[SearchHit]:
        """Sentences from body, quotes and ticker that match the words."""
        return await stories.search(self.db, story_id, words)

    async def live_item(self, item_id: int) -> TickerItemRecord | None:
        """One ticker item of a readable story, unless it was retracted."""
        item = await stories.get_item(self.db, item_id)
        if item is None or item.is_retracted:
            return None
        return item if await self.readable_story(item.story_id) is not None else None

    async def latest_item(self, story_id: int) -> TickerItemRecord | None:
        """The newest live ticker item."""
        return await stories.latest_item(self.db, story_id)

    async def pinned(self, story_id: int) -> list[TickerItemRecord]:
        """Key items an editor pinned."""
        return await stories.pinned_items(self.db, story_id)

    async def last_update(self, story: StoryRecord) -> str | None:
        """When editors last changed the story; None when only pages filled it (their
        import time is not the time of the news)."""
        return await stories.last_update(self.db, story.id)


def _name_matches(wanted: str, speaker: str) -> bool:
    folded = fold(speaker)
    if wanted == folded:
        return True
    parts = folded.split()
    return wanted in parts or (len(wanted) >= 3 and folded.endswith(" " + wanted))
