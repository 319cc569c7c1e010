"""A chat's subscriptions and preferences: each user action one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from bot.db import chats, deliveries, subscriptions
from bot.db.connection import Database
from bot.db.subscriptions import DeliveryChoice, SubscriptionRecord

# The window quiet hours start with, on the chat's own clock.
QUIET_HOURS = (22, 7)


async def subscribe(
    db: Database,
    chat_id: int,
    chat_type: str,
    story_id: int,
    *,
    timezone: str,
    language: str,
    thread_id: int | None = None,
) -> bool:
    """Subscribe a chat, keeping its language for the pushes; True if new.

    Pushes have no user to take a language from, so the chat's language is stored with
    the subscription unless the chat chose one already."""
    async with db.atomic():
        return await _subscribe(db, chat_id, chat_type, story_id, timezone, language, thread_id)


async def _subscribe(
    db: Database,
    chat_id: int,
    chat_type: str,
    story_id: int,
    timezone: str,
    language: str,
    thread_id: int | None = None,
) -> bool:
    # A subscription made in a forum topic pushes to that topic.
    created = await subscriptions.subscribe(db, chat_id, chat_type, story_id, timezone, thread_id)
    prefs = await chats.get_chat(db, chat_id)
    if prefs is None or prefs.language is None:
        await chats.set_language(db, chat_id, chat_type, language)
    return created


async def unsubscribe(db: Database, chat_id: int, story_id: int) -> bool:
    """End a chat's subscription; True if there was one."""
    return await subscriptions.unsubscribe(db, chat_id, story_id)


async def subscription(db: Database, chat_id: int, story_id: int) -> SubscriptionRecord | None:
    """The chat's subscription to a story, active or not."""
    return await subscriptions.get_subscription(db, chat_id, story_id)


def quiet_window(sub: SubscriptionRecord | None) -> tuple[int, int] | None:
    """The subscription's quiet hours (from, to) on its clock, or None when off."""
    if sub is None or not sub.active or sub.quiet_start is None or sub.quiet_end is None:
        return None
    return sub.quiet_start, sub.quiet_end


async def choose_delivery(
    db: Database,
    chat_id: int,
    chat_type: str,
    story_id: int,
    choice: DeliveryChoice,
    *,
    timezone: str,
    language: str,
    thread_id: int | None = None,
) -> tuple[int, int] | None:
    """Apply a /settings choice in one transaction (subscribing first unless it is off).

    QUIET toggles quiet hours; returns the quiet window now in force."""
    async with db.atomic():
        if choice is DeliveryChoice.OFF:
            await subscriptions.unsubscribe(db, chat_id, story_id)
            return None
        await _subscribe(db, chat_id, chat_type, story_id, timezone, language, thread_id)
        sub = await subscriptions.get_subscription(db, chat_id, story_id)
        if choice.mode is None:
            window = None if quiet_window(sub) else QUIET_HOURS
            start, end = window if window is not None else (None, None)
            await subscriptions.set_quiet_hours(db, chat_id, story_id, start, end, timezone)
            return window
        await subscriptions.set_mode(db, chat_id, story_id, choice.mode)
        return quiet_window(sub)


async def set_quiet_hours(
    db: Database, chat_id: int, story_id: int, window: tuple[int, int] | None, timezone: str
) -> None:
    """Set the quiet hours on the chat's clock, or switch them off with None."""
    start, end = window if window is not None else (None, None)
    await subscriptions.set_quiet_hours(db, chat_id, story_id, start, end, timezone)


async def set_keywords(db: Database, chat_id: int, story_id: int, keywords: Sequence[str]) -> None:
    """Push only the items that mention one of these words (none: every item)."""
    await subscriptions.set_keywords(db, chat_id, story_id, keywords)


async def set_chat_timezone(db: Database, chat_id: int, chat_type: str, timezone: str) -> None:
    """The chat's clock for times shown and quiet hours."""
    await subscriptions.set_chat_timezone(db, chat_id, chat_type, timezone)


async def set_language(db: Database, chat_id: int, chat_type: str, language: str) -> None:
    """The language the chat is answered and pushed in."""
    await chats.set_language(db, chat_id, chat_type, language)


async def mute(db: Database, chat_id: int, story_id: int, until: float | None) -> None:
    """Skip the items added until `until` (unix seconds); None unmutes."""
    await subscriptions.mute(db, chat_id, story_id, until)


async def resume(db: Database, chat_id: int, story_id: int) -> bool:
    """Undo an unsubscribe with the settings the subscription had; True if it came back."""
    return await subscriptions.resume(db, chat_id, story_id)


async def chat_left(db: Database, chat_id: int) -> None:
    """The chat blocked or removed the bot: its subscriptions stop at once."""
    await deliveries.block_chat(db, chat_id, "bot blocked or removed (my_chat_member)")


async def chat_returned(db: Database, chat_id: int) -> int:
    """The chat unblocked or re-added the bot: what was blocked is active again; how many."""
    return await subscriptions.unblock_chat(db, chat_id)
