"""Subscribing a chat to a story's ticker, and its delivery settings."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.context import BotContext
from bot.db import chats, subscriptions
from bot.db.models import StoryRecord
from bot.db.subscriptions import SubscriptionRecord
from bot.handlers.common import (
    current_story,
    edit_in_place,
    formatter_for,
    language_of,
    reply,
)
from bot.texts import Formatter

log = logging.getLogger(__name__)

QUIET_HOURS = (22, 7)  # the texts name this window ("Ruhezeit 22–07 Uhr")
SETTINGS_CHOICES = ("instant", "hourly", "quiet", "off")


async def _may_manage(update: Update, context: BotContext) -> bool:
    """In groups only the group's admins may change its subscription."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    if update.callback_query is None and message is not None and message.sender_chat is not None:
        # An anonymous admin speaks as the group itself.
        return message.sender_chat.id == chat.id
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not check admin rights in chat %s: %s", chat.id, exc)
        return False
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def _managed_story(update: Update, context: BotContext, fmt: Formatter) -> StoryRecord | None:
    """The chat's story if this user may change its subscription; else explain and None."""
    story = await current_story(update, context)
    if story is None:
        await reply(update, context, fmt.text("no-story"))
        return None
    if not await _may_manage(update, context):
        await reply(update, context, fmt.text("group-admins-only"))
        return None
    return story


async def subscribe(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    chat = update.effective_chat
    story = await _managed_story(update, context, fmt)
    if story is None or chat is None:
        return
    db = context.state.db
    created = await subscriptions.subscribe(db, chat.id, chat.type, story.id)
    prefs = await chats.get_chat(db, chat.id)
    if prefs is None or prefs.language is None:
        # Pushes have no user to take a language from: keep the one they subscribed in.
        await chats.set_language(db, chat.id, chat.type, await language_of(update, context))
    if created:
        await reply(update, context, fmt.text("subscribe-done", title=story.title))
    else:
        await reply(update, context, fmt.text("subscribe-already"))


async def unsubscribe(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    chat = update.effective_chat
    story = await _managed_story(update, context, fmt)
    if story is None or chat is None:
        return
    removed = await subscriptions.unsubscribe(context.state.db, chat.id, story.id)
    await reply(update, context, fmt.text("unsubscribe-done" if removed else "unsubscribe-not"))


def current_choice(sub: SubscriptionRecord | None) -> str:
    """The settings choice a subscription stands for."""
    if sub is None or not sub.active:
        return "off"
    if sub.mode == "digest":
        return "hourly"
    return "quiet" if sub.quiet_start is not None else "instant"


def _keyboard(fmt: Formatter, story_id: int, chosen: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            fmt.settings_button(choice, selected=choice == chosen),
            callback_data=f"st:{story_id}:{choice}",
        )
        for choice in SETTINGS_CHOICES
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


async def _view(
    update: Update, context: BotContext, fmt: Formatter, story_id: int, title: str
) -> tuple[str, InlineKeyboardMarkup]:
    chat = update.effective_chat
    assert chat is not None
    sub = await subscriptions.get_subscription(context.state.db, chat.id, story_id)
    chosen = current_choice(sub)
    html = fmt.settings(
        language=fmt.lang, mode=None if chosen == "off" else chosen, story_title=title
    )
    return html, _keyboard(fmt, story_id, chosen)


async def settings(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    story = await current_story(update, context)
    if story is None:
        await reply(update, context, fmt.text("no-story"))
        return
    html, keyboard = await _view(update, context, fmt, story.id, story.title)
    await reply(update, context, html, keyboard=keyboard)


async def settings_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    fmt = await formatter_for(update, context)
    try:
        _, story_raw, choice = (query.data or "").split(":", 2)
        story_id = int(story_raw)
    except ValueError:
        await query.answer()
        return
    story = await context.state.stories.live_story(story_id)
    if story is None or choice not in SETTINGS_CHOICES:
        await query.answer(fmt.plain("story-gone") if story is None else None)
        return
    if not await _may_manage(update, context):
        await query.answer(fmt.plain("group-admins-only"), show_alert=True)
        return
    db = context.state.db
    if choice == "off":
        await subscriptions.unsubscribe(db, chat.id, story_id)
    else:
        await subscriptions.subscribe(db, chat.id, chat.type, story_id)
        await subscriptions.set_mode(
            db, chat.id, story_id, "digest" if choice == "hourly" else "each"
        )
        start, end = QUIET_HOURS if choice == "quiet" else (None, None)
        await subscriptions.set_quiet_hours(db, chat.id, story_id, start, end)
    html, keyboard = await _view(update, context, fmt, story_id, story.title)
    await edit_in_place(update, context, html, keyboard=keyboard)
    await query.answer(fmt.plain("settings-saved", mode=fmt.delivery_mode(choice)))
