"""What the engine needs from the texts module: HTML for items and recaps, per chat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from telegram import InlineKeyboardMarkup

from bot.db.models import TickerItemRecord


class Renderer(Protocol):
    """Renders pushes as HTML messages (escaped, each at most 4096 characters)."""

    async def render_items(
        self, chat_id: int, story_id: int, items: list[TickerItemRecord]
    ) -> list[str]:
        """One or more messages showing the items (retracted as notice, corrected marked)."""
        ...

    async def render_recap(self, chat_id: int, story_id: int) -> str:
        """The short final recap of an archived story."""
        ...

    async def prepare(self, chat_ids: list[int]) -> None:
        """Load what rendering for these chats needs in one go (called once per claim)."""
        ...

    async def push_keyboard(self, chat_id: int, story_id: int) -> InlineKeyboardMarkup | None:
        """The buttons under the last message of a push to a subscriber, or None."""
        ...

    async def topic(self, chat_id: int, story_id: int) -> int | None:
        """The forum topic (message_thread_id) pushes of this story go to in the chat."""
        ...


async def pack(
    renderer: Renderer, chat_id: int, story_id: int, items: Sequence[TickerItemRecord]
) -> list[tuple[list[TickerItemRecord], list[str]]]:
    """Group items into messages and know which items each message shows.

    The renderer only returns texts; to keep the item ↔ message mapping exact (edits and
    retractions re-render one delivered message), items are grouped greedily so that each
    group renders as one message. A single item too long for one message keeps all its parts.
    """
    items = list(items)
    if not items:
        return []
    if any(item.media and not item.is_retracted for item in items):
        # An item with attachments is a group of its own: its text is their caption.
        groups: list[tuple[list[TickerItemRecord], list[str]]] = []
        run: list[TickerItemRecord] = []
        for item in items:
            if item.media and not item.is_retracted:
                groups += await pack(renderer, chat_id, story_id, run)
                run = []
                groups.append(([item], await renderer.render_items(chat_id, story_id, [item])))
            else:
                run.append(item)
        return groups + await pack(renderer, chat_id, story_id, run)
    texts = await renderer.render_items(chat_id, story_id, items)
    if len(texts) <= 1 or len(items) == 1:
        return [(items, texts)]
    groups = []
    current: list[TickerItemRecord] = []
    current_texts: list[str] = []
    for item in items:
        trial = [*current, item]
        rendered = await renderer.render_items(chat_id, story_id, trial)
        if len(rendered) <= 1 or not current:
            current, current_texts = trial, rendered
            if len(rendered) > 1:
                # An item that alone needs several messages is a group of its own.
                groups.append((current, current_texts))
                current, current_texts = [], []
            continue
        groups.append((current, current_texts))
        current = [item]
        current_texts = await renderer.render_items(chat_id, story_id, current)
        if len(current_texts) > 1:
            groups.append((current, current_texts))
            current, current_texts = [], []
    if current:
        groups.append((current, current_texts))
    return groups
