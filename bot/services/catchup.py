"""Catching up: what a chat missed of a story since it last saw it; no Telegram here."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import reads, stories
from bot.db.connection import Database
from bot.db.models import StoryRecord, TickerItemRecord

PAGE_SIZE = 5


@dataclass(frozen=True)
class CatchUp:
    story_id: int
    since_item_id: int
    total: int
    offset: int
    items: list[TickerItemRecord]

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


async def baseline(db: Database, chat_id: int, story_id: int) -> int | None:
    """The newest item the chat saw of the story, or None for a chat new to it."""
    return await reads.seen_until(db, chat_id, story_id)


async def missed(
    db: Database,
    chat_id: int,
    story_id: int,
    *,
    since: int | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
    mark: bool = True,
) -> CatchUp | None:
    """What the chat missed (newest first), from `since` or its own last sight; with `mark`,
    everything there is counts as seen afterwards. None for a chat new to the story."""
    async with db.atomic():  # one visit: what was shown and the new mark agree
        start = since if since is not None else await reads.seen_until(db, chat_id, story_id)
        if mark:
            await reads.mark_seen(db, chat_id, story_id)
        if start is None:
            return None
        total = await reads.count_missed(db, story_id, start)
        items = (
            await reads.missed_items(db, story_id, start, offset=offset, limit=limit)
            if total
            else []
        )
    return CatchUp(story_id, start, total, offset, items)


async def mark_seen(db: Database, chat_id: int, story_id: int) -> None:
    """A visit that showed the newest items (/ticker): nothing older is missed any more."""
    await reads.mark_seen(db, chat_id, story_id)


async def any_story(db: Database, story_id: int) -> StoryRecord | None:
    """A story by id, archived ones included: what was missed stays readable."""
    return await stories.get_story(db, story_id)
