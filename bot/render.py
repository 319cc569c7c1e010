"""Push messages rendered in each subscriber's language with the texts module."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

from telegram import InlineKeyboardMarkup

from bot.db import chats, stories, subscriptions
from bot.db.connection import Database
from bot.db.models import StoryRecord, TickerItemRecord
from bot.handlers.push import push_keyboard
from bot.localtime import DEFAULT_ZONE, zone
from bot.texts import Formatter, Texts, pick_language, split_message

# How long a story read from the store is reused: a new title shows within a second.
STORY_TTL_S = 1.0
# Chats whose language was loaded ahead (one claim batch after another); oldest dropped.
MAX_PREPARED_CHATS = 5_000
MAX_RENDERINGS = 256


class TextRenderer:
    """The delivery engine's Renderer: HTML, escaped, split under Telegram's limit.

    A fan-out renders the same items for thousands of chats: each distinct rendering
    (story heading, language, time zone, items as they are now) is made once and reused,
    the story is read at most once a second, and the chats' languages and zones come in
    one query each per claim.
    """

    def __init__(self, db: Database, texts: Texts, *, default_zone: str = DEFAULT_ZONE) -> None:
        self.db = db
        self.texts = texts
        self.default_zone = default_zone
        self._languages: dict[int, str | None] = {}
        self._zones: dict[int, str | None] = {}
        self._topics: dict[int, dict[int, int]] = {}
        self._stories: dict[int, tuple[float, StoryRecord]] = {}
        self._story_reads: dict[int, asyncio.Future[StoryRecord | None]] = {}
        self._rendered: OrderedDict[tuple[object, ...], list[str]] = OrderedDict()
        self._formatters: dict[tuple[str, str], Formatter] = {}
        self._keyboards: dict[tuple[str, int], InlineKeyboardMarkup] = {}

    async def prepare(self, chat_ids: list[int]) -> None:
        """Load the stored languages of a claimed batch of chats in one query.

        Every claim reads them afresh: a reader who switched /language since the last
        push gets the next one in the new language."""
        if not chat_ids:
            return
        found = await chats.languages(self.db, chat_ids)
        zones = await chats.timezones(self.db, chat_ids)
        groups = [c for c in chat_ids if c < 0]  # only groups have forum topics
        threads = await subscriptions.topics(self.db, groups) if groups else {}
        for chat_id in groups:
            self._topics[chat_id] = {}
        for (chat_id, story_id), thread_id in threads.items():
            self._topics[chat_id][story_id] = thread_id
        if len(self._topics) > MAX_PREPARED_CHATS:
            for chat_id in list(self._topics)[: len(self._topics) // 2]:
                del self._topics[chat_id]
        for chat_id in chat_ids:
            self._languages.pop(chat_id, None)  # re-inserted last: the newest stay longest
            self._languages[chat_id] = found.get(chat_id)
            self._zones[chat_id] = zones.get(chat_id)
        if len(self._languages) > MAX_PREPARED_CHATS:
            # Dicts keep insertion order: drop the older half (chats already pushed to).
            for chat_id in list(self._languages)[: len(self._languages) // 2]:
                del self._languages[chat_id]
                self._zones.pop(chat_id, None)

    async def _language(self, chat_id: int, story: StoryRecord) -> tuple[str, str]:
        """The chat's language and time zone name."""
        if chat_id in self._languages:
            stored, zone_name = self._languages[chat_id], self._zones.get(chat_id)
        else:
            prefs = await chats.get_chat(self.db, chat_id)
            stored = prefs.language if prefs else None
            zone_name = prefs.timezone if prefs else None
        # A channel or a chat that never chose gets the story's own language.
        return pick_language(stored, story.language), zone_name or self.default_zone

    def _formatter(self, view: tuple[str, str]) -> Formatter:
        fmt = self._formatters.get(view)
        if fmt is None:
            language, zone_name = view
            fmt = Formatter(self.texts, language, tz=zone(zone_name))
            self._formatters[view] = fmt
        return fmt

    async def _story(self, story_id: int) -> StoryRecord:
        now = time.monotonic()
        cached = self._stories.get(story_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        # When the entry expires every sender of the fan-out wants it at once: one reads,
        # the others wait for that read instead of each sending the same query.
        reading = self._story_reads.get(story_id)
        if reading is None:
            reading = asyncio.ensure_future(stories.get_story(self.db, story_id))
            self._story_reads[story_id] = reading
            reading.add_done_callback(lambda done: self._read_done(story_id, done))
        story = await asyncio.shield(reading)
        if story is None:
            raise LookupError(f"story {story_id} no longer exists")
        self._stories[story_id] = (now + STORY_TTL_S, story)
        return story

    def _read_done(self, story_id: int, done: asyncio.Future[StoryRecord | None]) -> None:
        self._story_reads.pop(story_id, None)
        if not done.cancelled():
            done.exception()  # retrieved here; each waiter gets it raised, too

    async def render_items(
        self, chat_id: int, story_id: int, items: list[TickerItemRecord]
    ) -> list[str]:
        """One or more messages showing the items (retracted as notice, corrected marked)."""
        story = await self._story(story_id)
        language = await self._language(chat_id, story)
        key = (*language, story.id, story.heading, tuple(items))
        texts = self._rendered.get(key)
        if texts is None:
            texts = split_message(self._formatter(language).push(story, items))
            self._rendered[key] = texts
            if len(self._rendered) > MAX_RENDERINGS:
                self._rendered.popitem(last=False)
        else:
            self._rendered.move_to_end(key)
        return list(texts)

    async def push_keyboard(self, chat_id: int, story_id: int) -> InlineKeyboardMarkup | None:
        """More on the story, mute, unsubscribe: under the last message of a push."""
        story = await self._story(story_id)
        view = await self._language(chat_id, story)
        key = (view[0], story_id)
        keyboard = self._keyboards.get(key)
        if keyboard is None:
            keyboard = self._keyboards[key] = push_keyboard(self._formatter(view), story_id)
        return keyboard

    async def topic(self, chat_id: int, story_id: int) -> int | None:
        """The forum topic the chat subscribed from, which its pushes go to; None: General."""
        if chat_id >= 0:
            return None
        if chat_id not in self._topics:
            threads = await subscriptions.topics(self.db, [chat_id])
            self._topics[chat_id] = {s: t for (_, s), t in threads.items()}
        return self._topics[chat_id].get(story_id)

    async def render_recap(self, chat_id: int, story_id: int) -> str:
        """The short final recap of an archived story."""
        story = await self._story(story_id)
        fmt = self._formatter(await self._language(chat_id, story))
        count = await stories.count_items(self.db, story_id)
        return split_message(fmt.archive_recap(story, item_count=count))[0]
