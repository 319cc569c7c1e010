"""The buttons under every pushed item: more on the story, mute, unsubscribe, and undo."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from datetime import time as clock_time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.handlers import callbacks
from bot.handlers.callbacks import PushAction, PushButton
from bot.handlers.common import formatter_for, is_editor, may_change_chat, reply, zone_name_of
from bot.handlers.reader import ticker_view
from bot.handlers.subscriptions import redraw_settings
from bot.localtime import zone
from bot.services import subscriptions
from bot.texts import Formatter

log = logging.getLogger(__name__)

MUTE_HOUR_S = 3600
MORNING_HOUR = 7  # "until tomorrow" ends at this hour of the chat's clock


def _button(fmt: Formatter, key: str, action: PushAction, story_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        fmt.plain(key), callback_data=callbacks.encode(PushButton(action, story_id))
    )


def push_keyboard(
    fmt: Formatter, story_id: int, *, undo: PushAction | None = None, undo_label: str = ""
) -> InlineKeyboardMarkup:
    """The buttons of a pushed item; after a mute or unsubscribe, its undo instead."""
    more = [_button(fmt, "push-button-more", PushAction.MORE, story_id)]
    if undo is not None:
        button = InlineKeyboardButton(
            undo_label, callback_data=callbacks.encode(PushButton(undo, story_id))
        )
        return InlineKeyboardMarkup([more, [button]])
    return InlineKeyboardMarkup(
        [
            more,
            [
                _button(fmt, "push-button-mute-hour", PushAction.MUTE_HOUR, story_id),
                _button(fmt, "push-button-mute-tomorrow", PushAction.MUTE_TOMORROW, story_id),
                _button(fmt, "push-button-unsubscribe", PushAction.UNSUBSCRIBE, story_id),
            ],
        ]
    )


def next_morning(now: float, zone_name: str) -> float:
    """The next MORNING_HOUR o'clock on the zone's clock after `now` (unix seconds)."""
    tz = zone(zone_name)
    local = datetime.fromtimestamp(now, tz)
    morning = datetime.combine(local.date(), clock_time(MORNING_HOUR), tzinfo=tz)
    if morning.timestamp() <= now:
        morning = datetime.combine(
            local.date() + timedelta(days=1), clock_time(MORNING_HOUR), tzinfo=tz
        )
    return morning.timestamp()


async def _set_keyboard(update: Update, keyboard: InlineKeyboardMarkup) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    try:
        await query.message.edit_reply_markup(reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def push_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    fmt = await formatter_for(update, context)
    data = callbacks.decode(query.data)
    if not isinstance(data, PushButton):
        await query.answer(fmt.plain("button-invalid"))
        return
    service = context.state.stories
    story = await service.live_story(data.story_id)
    if data.action is PushAction.MORE:
        await query.answer()
        if story is None:
            await reply(update, context, fmt.text("story-gone"))
            return
        view = await ticker_view(context, fmt, story.id, is_editor(update, context))
        await reply(update, context, view.html, keyboard=view.keyboard)
        return
    if story is None:
        await query.answer(fmt.plain("story-gone"), show_alert=True)
        return
    if not await may_change_chat(update, context):
        await query.answer(fmt.plain("group-admins-only"), show_alert=True)
        return
    db = context.state.db
    zone_name = await zone_name_of(update, context)
    sub = await subscriptions.subscription(db, chat.id, story.id)
    action = data.action
    if action is PushAction.RESUBSCRIBE:
        if sub is not None and not sub.active and await subscriptions.resume(db, chat.id, story.id):
            answer = fmt.plain("push-resubscribed")
        else:
            answer = fmt.plain("subscribe-already")
        await _set_keyboard(update, push_keyboard(fmt, story.id))
        await query.answer(answer)
        return
    if sub is None or not sub.active:
        await _set_keyboard(update, push_keyboard(fmt, story.id))
        await query.answer(fmt.plain("push-not-subscribed"), show_alert=True)
        return
    if action is PushAction.UNSUBSCRIBE:
        await subscriptions.unsubscribe(db, chat.id, story.id)
        label = fmt.plain("push-undo-unsubscribe")
        await _set_keyboard(
            update, push_keyboard(fmt, story.id, undo=PushAction.RESUBSCRIBE, undo_label=label)
        )
        await query.answer(fmt.plain("push-unsubscribed"))
        return
    if action is PushAction.UNMUTE:
        await subscriptions.mute(db, chat.id, story.id, None)
        if not await redraw_settings(update, context, fmt):  # pressed under a push
            await _set_keyboard(update, push_keyboard(fmt, story.id))
        await query.answer(fmt.plain("push-unmuted"))
        return
    now = time.time()
    until = now + MUTE_HOUR_S if action is PushAction.MUTE_HOUR else next_morning(now, zone_name)
    await subscriptions.mute(db, chat.id, story.id, until)
    shown = Formatter(context.state.texts, fmt.lang, tz=zone(zone_name))
    when = shown.datetime_long(datetime.fromtimestamp(until, zone(zone_name)).isoformat())
    label = fmt.plain("push-undo-mute", until=when)
    await _set_keyboard(
        update, push_keyboard(fmt, story.id, undo=PushAction.UNMUTE, undo_label=label)
    )
    await query.answer(fmt.plain("push-muted", until=when))
