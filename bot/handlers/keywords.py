"""/filter: a subscriber follows only the items that mention given words or people."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.folding import MAX_KEYWORDS, parse_keywords
from bot.handlers.common import current_story, formatter_for, may_change_chat, reply
from bot.services import subscriptions

_OFF = frozenset({"off", "aus", "alle", "all", "none"})


async def filter_command(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return
    story = await current_story(update, context)
    if story is None:
        await reply(update, context, fmt.text("no-story"))
        return
    db = context.state.db
    sub = await subscriptions.subscription(db, chat.id, story.id)
    # The whole rest of the line: names with spaces ("von der Leyen") stay one keyword.
    typed = (message.text or "").partition(" ")[2].strip()
    if not typed:
        current = sub.keywords if sub is not None and sub.active else ()
        await reply(update, context, fmt.filter_line(current) + "\n" + fmt.text("filter-usage"))
        return
    if sub is None or not sub.active:
        await reply(update, context, fmt.text("filter-not-subscribed"))
        return
    if typed.casefold() in _OFF:
        keywords: tuple[str, ...] = ()
    else:
        keywords = parse_keywords(typed)
        if not keywords:
            await reply(update, context, fmt.text("filter-usage"))
            return
    if not await may_change_chat(update, context):
        await reply(update, context, fmt.text("group-admins-only"))
        return
    await subscriptions.set_keywords(db, chat.id, story.id, keywords)
    if not keywords:
        await reply(update, context, fmt.text("filter-off-done"))
        return
    html = fmt.text("filter-done", words=", ".join(keywords))
    if len(keywords) >= MAX_KEYWORDS:
        html += "\n" + fmt.text("filter-capped", max=MAX_KEYWORDS)
    await reply(update, context, html)
