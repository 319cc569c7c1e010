"""Subscribing a chat to a story's ticker, and its delivery settings."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.db.models import StoryRecord
from bot.db.subscriptions import DeliveryChoice, SubscriptionRecord
from bot.handlers import callbacks
from bot.handlers.callbacks import (
    LanguageButton,
    PushAction,
    PushButton,
    QuietHoursButton,
    SettingsButton,
)
from bot.handlers.catchup import show_missed
from bot.handlers.common import (
    current_story,
    edit_in_place,
    formatter_for,
    language_keyboard,
    language_of,
    may_change_chat,
    refuse_non_admin,
    reply,
    zone_name_of,
)
from bot.services import catchup, subscriptions
from bot.services.subscriptions import quiet_window
from bot.texts import Formatter

log = logging.getLogger(__name__)


async def _subscribe_chat(update: Update, context: BotContext, story: StoryRecord) -> bool:
    """Subscribe the update's chat, keeping its language for the pushes; True if new.

    Every way into a subscription goes through here (/subscribe, /start subscribe, the
    /settings buttons): pushes have no user to take a language from."""
    chat = update.effective_chat
    assert chat is not None
    return await subscriptions.subscribe(
        context.state.db,
        chat.id,
        chat.type,
        story.id,
        timezone=await zone_name_of(update, context),
        language=await language_of(update, context),
        thread_id=topic_of(update),
    )


def topic_of(update: Update) -> int | None:
    """The forum topic the update came from (a command or a button under a message there)."""
    message = update.effective_message
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


async def _managed_story(update: Update, context: BotContext, fmt: Formatter) -> StoryRecord | None:
    """The chat's story if this user may change its subscription; else explain and None."""
    story = await current_story(update, context)
    if story is None:
        await reply(update, context, fmt.text("no-story"))
        return None
    if not await may_change_chat(update, context):
        await reply(update, context, fmt.text("group-admins-only"))
        return None
    return story


async def subscribe(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    chat = update.effective_chat
    story = await _managed_story(update, context, fmt)
    if story is None or chat is None:
        return
    before = await subscriptions.subscription(context.state.db, chat.id, story.id)
    # A comeback: what came while away, counted from before subscribing moves the mark.
    since = (
        await catchup.baseline(context.state.db, chat.id, story.id)
        if before is not None and not before.active
        else None
    )
    created = await _subscribe_chat(update, context, story)
    if created:
        await reply(update, context, fmt.text("subscribe-done", title=story.heading))
        if since is not None:
            await show_missed(update, context, fmt, story, since=since, quiet_when_none=True)
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


def current_choice(sub: SubscriptionRecord | None) -> DeliveryChoice:
    """The settings choice a subscription stands for."""
    if sub is None or not sub.active:
        return DeliveryChoice.OFF
    # Quiet hours combine with either mode: the mode is the choice, quiet hours a switch.
    return DeliveryChoice.of(sub.mode)


def _keyboard(
    fmt: Formatter,
    story_id: int,
    chosen: DeliveryChoice,
    quiet: tuple[int, int] | None,
    *,
    muted: bool = False,
) -> InlineKeyboardMarkup:
    def button(choice: DeliveryChoice) -> InlineKeyboardButton:
        if choice is DeliveryChoice.QUIET:
            label = fmt.quiet_button(quiet)
        else:
            label = fmt.settings_button(choice, selected=choice is chosen)
        return InlineKeyboardButton(
            label, callback_data=callbacks.encode(SettingsButton(story_id, choice))
        )

    buttons = [button(choice) for choice in DeliveryChoice]
    rows = [buttons[:2], buttons[2:]]
    if quiet is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    fmt.quiet_window_button(start, end),
                    callback_data=callbacks.encode(QuietHoursButton(story_id, start, end)),
                )
                for start, end in quiet_window_steps(*quiet)
            ]
        )
    if muted:
        # Muted from a push: the way back is here too, not only under that push.
        unmute = PushButton(PushAction.UNMUTE, story_id)
        rows.append(
            [
                InlineKeyboardButton(
                    fmt.plain("settings-unmute"), callback_data=callbacks.encode(unmute)
                )
            ]
        )
    rows.append(list(language_keyboard(fmt).inline_keyboard[0]))
    return InlineKeyboardMarkup(rows)


def _iso(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).isoformat(timespec="seconds")


def quiet_window_steps(start: int, end: int) -> list[tuple[int, int]]:
    """The windows one tap away: start an hour earlier or later, end earlier or later."""
    steps = [((start - 1) % 24, end), ((start + 1) % 24, end)]
    steps += [(start, (end - 1) % 24), (start, (end + 1) % 24)]
    return [(s, e) for s, e in steps if s != e]


async def _view(
    update: Update, context: BotContext, fmt: Formatter, story_id: int, title: str
) -> tuple[str, InlineKeyboardMarkup]:
    chat = update.effective_chat
    assert chat is not None
    sub = await subscriptions.subscription(context.state.db, chat.id, story_id)
    chosen = current_choice(sub)
    quiet = quiet_window(sub)
    zone_name = await zone_name_of(update, context)
    muted_until = (
        sub.muted_until
        if sub is not None
        and chosen is not DeliveryChoice.OFF
        and sub.muted_until is not None
        and sub.muted_until > time.time()
        else None
    )
    html = fmt.settings(
        language=fmt.lang,
        mode=None if chosen is DeliveryChoice.OFF else chosen,
        story_title=title,
        extra=[
            *fmt.local_time_lines(zone_name, quiet, subscribed=chosen is not DeliveryChoice.OFF),
            *(
                [fmt.filter_line(sub.keywords)]
                if sub is not None and chosen is not DeliveryChoice.OFF
                else []
            ),
            *([fmt.muted_line(_iso(muted_until))] if muted_until is not None else []),
        ],
    )
    return html, _keyboard(fmt, story_id, chosen, quiet, muted=muted_until is not None)


async def settings(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    story = await current_story(update, context)
    if story is None:
        # Nothing to subscribe to yet, but the language can be set already.
        current = fmt.plain("language-name", code=fmt.lang)
        html = fmt.text("no-story") + "\n\n" + fmt.text("language-choose", language=current)
        await reply(update, context, html, keyboard=language_keyboard(fmt))
        return
    html, keyboard = await _view(update, context, fmt, story.id, story.heading)
    await reply(update, context, html, keyboard=keyboard)


async def settings_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    fmt = await formatter_for(update, context)
    data = callbacks.decode(query.data)
    if not isinstance(data, SettingsButton):
        await query.answer(fmt.plain("button-invalid"))
        return
    story_id, choice = data.story_id, data.choice
    story = await context.state.stories.live_story(story_id)
    if story is None:
        await query.answer(fmt.plain("story-gone"))
        return
    if not await may_change_chat(update, context):
        await query.answer(fmt.plain("group-admins-only"), show_alert=True)
        return
    zone_name = await zone_name_of(update, context)
    # One user action, one transaction: subscribing and the mode or quiet hours commit together.
    window = await subscriptions.choose_delivery(
        context.state.db,
        chat.id,
        chat.type,
        story_id,
        choice,
        timezone=zone_name,
        language=await language_of(update, context),
        thread_id=topic_of(update),
    )
    if choice is DeliveryChoice.QUIET:
        saved = fmt.quiet_saved(window, zone_name)
    else:
        saved = fmt.plain("settings-saved", mode=fmt.delivery_mode(choice))
    html, keyboard = await _view(update, context, fmt, story_id, story.heading)
    await edit_in_place(update, context, html, keyboard=keyboard)
    await query.answer(saved)


async def redraw_settings(update: Update, context: BotContext, fmt: Formatter) -> bool:
    """Show the /settings view whose button was pressed anew; False if it was no such view."""
    query = update.callback_query
    story_id = _settings_story_of(query.message if query is not None else None)
    story = await context.state.stories.live_story(story_id) if story_id else None
    if story is None:
        return False
    html, keyboard = await _view(update, context, fmt, story.id, story.heading)
    await edit_in_place(update, context, html, keyboard=keyboard)
    return True


def _settings_story_of(message: object) -> int | None:
    """The story of a /settings view whose language button was pressed, else None."""
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()):
        for button in row:
            data = callbacks.decode(getattr(button, "callback_data", None))
            if isinstance(data, SettingsButton):
                return data.story_id
    return None


async def language_button(update: Update, context: BotContext) -> None:
    """A language chosen by button: under /settings the view is shown again in it."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    fmt = await formatter_for(update, context)
    data = callbacks.decode(query.data)
    if not isinstance(data, LanguageButton):
        await query.answer(fmt.plain("button-invalid"))
        return
    if await refuse_non_admin(update, context, fmt):
        return
    await subscriptions.set_language(context.state.db, chat.id, chat.type, data.language)
    chosen = Formatter(context.state.texts, data.language, tz=fmt.tz)
    story_id = _settings_story_of(query.message)
    story = await context.state.stories.live_story(story_id) if story_id else None
    if story is not None:
        html, keyboard = await _view(update, context, chosen, story.id, story.heading)
        await edit_in_place(update, context, html, keyboard=keyboard)
    else:
        await edit_in_place(update, context, chosen.text("language-switched"))
    await query.answer(chosen.plain("language-switched"))


async def quiet_hours_button(update: Update, context: BotContext) -> None:
    """One of the buttons that move the start or end of the quiet hours by an hour."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    fmt = await formatter_for(update, context)
    data = callbacks.decode(query.data)
    if not isinstance(data, QuietHoursButton):
        await query.answer(fmt.plain("button-invalid"))
        return
    story = await context.state.stories.live_story(data.story_id)
    if story is None:
        await query.answer(fmt.plain("story-gone"))
        return
    if not await may_change_chat(update, context):
        await query.answer(fmt.plain("group-admins-only"), show_alert=True)
        return
    db = context.state.db
    sub = await subscriptions.subscription(db, chat.id, story.id)
    if sub is None or not sub.active:
        await query.answer(fmt.plain("quiet-not-subscribed"), show_alert=True)
        return
    zone_name = await zone_name_of(update, context)
    await subscriptions.set_quiet_hours(db, chat.id, story.id, (data.start, data.end), zone_name)
    html, keyboard = await _view(update, context, fmt, story.id, story.heading)
    await edit_in_place(update, context, html, keyboard=keyboard)
    await query.answer(fmt.quiet_saved((data.start, data.end), zone_name))
