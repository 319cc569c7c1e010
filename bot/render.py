"""Push messages rendered in each subscriber's language with the texts module."""

from __future__ import annotations

from bot.db import chats, stories
from bot.db.connection import Database
from bot.db.models import StoryRecord, TickerItemRecord
from bot.texts import Formatter, Texts, pick_language, split_message


class TextRenderer:
    """The delivery engine's Renderer: HTML, escaped, split under Telegram's limit."""

    def __init__(self, db: Database, texts: Texts) -> None:
        self.db = db
        self.texts = texts

    async def _formatter(self, chat_id: int, story: StoryRecord) -> Formatter:
        prefs = await chats.get_chat(self.db, chat_id)
        stored = prefs.language if prefs else None
        # A channel or a chat that never chose gets the story's own language.
        return Formatter(self.texts, pick_language(stored, story.language))

    async def _story(self, story_id: int) -> StoryRecord:
        story = await stories.get_story(self.db, story_id)
        if story is None:
            raise LookupError(f"story {story_id} no longer exists")
        return story

    async def render_items(
        self, chat_id: int, story_id: int, items: list[TickerItemRecord]
    ) -> list[str]:
        """One or more messages showing the items (retracted as notice, corrected marked)."""
        story = await self._story(story_id)
        fmt = await self._formatter(chat_id, story)
        return split_message(fmt.push(story, items))

    async def render_recap(self, chat_id: int, story_id: int) -> str:
        """The short final recap of an archived story."""
        story = await self._story(story_id)
        fmt = await self._formatter(chat_id, story)
        count = await stories.count_items(self.db, story_id)
        return split_message(fmt.archive_recap(story, item_count=count))[0]
