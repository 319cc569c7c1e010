"""Editor commands about delivery: /retry sends dead letters again."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import command_text, current_story, reply
from bot.handlers.editor import editor_only
from bot.services.delivery import DeliveryService
from bot.texts import Formatter

MAX_ID_DIGITS = 12


@editor_only
async def retry(update: Update, context: BotContext, fmt: Formatter) -> None:
    """`/retry [N]`: the current story's dead letters, or only those of item N, go out again."""
    raw = command_text(update).lstrip("#").strip()
    item_id: int | None = None
    if raw:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > MAX_ID_DIGITS:
            await reply(update, context, fmt.text("retry-bad-id"))
            return
        item_id = int(raw)
    story = await current_story(update, context)
    user = update.effective_user
    if story is None or user is None:
        await reply(update, context, fmt.text("no-story"))
        return
    service = DeliveryService(context.state.db, context.state.notify_delivery)
    count = await service.retry_dead_letters(user.id, story, item_id)
    if count:
        await reply(update, context, fmt.text("retry-done", count=count))
    elif item_id is not None:
        await reply(update, context, fmt.text("retry-nothing-item", id=item_id))
    else:
        await reply(update, context, fmt.text("retry-nothing"))
