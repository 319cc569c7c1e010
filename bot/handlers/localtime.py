"""A chat's clock: /timezone names its zone, /quiet sets the quiet hours on it."""

from __future__ import annotations

import re

from telegram import Update

from bot.context import BotContext
from bot.db.models import now_iso
from bot.handlers.common import (
    current_story,
    formatter_for,
    may_change_chat,
    reply,
    zone_name_of,
)
from bot.localtime import canonical_zone, zone
from bot.services import subscriptions
from bot.texts import Formatter

# "23-08", "23–8", "23:00-08:00", "23 8"
_WINDOW = re.compile(r"^\s*(\d{1,2})(?::00)?\s*(?:[-–—]|bis|to|\s)\s*(\d{1,2})(?::00)?\s*$")
_OFF = frozenset({"off", "aus", "0", "none", "keine"})


def parse_window(text: str) -> tuple[int, int] | None:
    """(from, to) whole hours from a typed window, or None when it is not one."""
    match = _WINDOW.match(text.lower())
    if match is None:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    if not (0 <= start <= 23 and 0 <= end <= 23) or start == end:
        return None
    return start, end


async def timezone_command(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    typed = " ".join(context.args or [])
    if not typed:
        current = await zone_name_of(update, context)
        html = fmt.timezone_now(current, now_iso()) + "\n" + fmt.timezone_usage(current)
        await reply(update, context, html)
        return
    name = canonical_zone(typed)
    if name is None:
        await reply(update, context, fmt.text("timezone-unknown", name=typed[:64]))
        return
    if not await may_change_chat(update, context):
        await reply(update, context, fmt.text("group-admins-only"))
        return
    await subscriptions.set_chat_timezone(context.state.db, chat.id, chat.type, name)
    on_new_clock = Formatter(context.state.texts, fmt.lang, tz=zone(name))
    html = fmt.text("timezone-set", zone=name) + "\n" + on_new_clock.timezone_now(name, now_iso())
    await reply(update, context, html)


async def quiet_command(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    story = await current_story(update, context)
    if story is None:
        await reply(update, context, fmt.text("no-story"))
        return
    db = context.state.db
    zone_name = await zone_name_of(update, context)
    sub = await subscriptions.subscription(db, chat.id, story.id)
    typed = " ".join(context.args or []).strip()
    if not typed:
        quiet = (
            (sub.quiet_start, sub.quiet_end)
            if sub is not None
            and sub.active
            and sub.quiet_start is not None
            and sub.quiet_end is not None
            else None
        )
        lines = fmt.local_time_lines(zone_name, quiet, subscribed=sub is not None and sub.active)
        await reply(update, context, "\n".join([*lines, fmt.text("quiet-usage")]))
        return
    window: tuple[int, int] | None = None
    if typed.lower() not in _OFF:
        window = parse_window(typed)
        if window is None:
            await reply(update, context, fmt.text("quiet-invalid"))
            return
    if not await may_change_chat(update, context):
        await reply(update, context, fmt.text("group-admins-only"))
        return
    if sub is None or not sub.active:
        await reply(update, context, fmt.text("quiet-not-subscribed"))
        return
    await subscriptions.set_quiet_hours(db, chat.id, story.id, window, zone_name)
    await reply(update, context, fmt.text("quiet-done", saved=fmt.quiet_saved(window, zone_name)))
