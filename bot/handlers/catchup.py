"""/missed and the catch-up a returning reader sees on /start or subscribing again."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.db.models import StoryRecord
from bot.handlers import callbacks
from bot.handlers.callbacks import MissedPageButton
from bot.handlers.common import current_story, edit_in_place, formatter_for, reply
from bot.services import catchup
from bot.services.catchup import PAGE_SIZE, CatchUp
from bot.texts import Formatter


def _keyboard(fmt: Formatter, shown: CatchUp) -> InlineKeyboardMarkup | None:
    buttons = []
    if shown.offset > 0:
        newer = MissedPageButton(
            shown.story_id, shown.since_item_id, max(0, shown.offset - PAGE_SIZE)
        )
        buttons.append(
            InlineKeyboardButton(
                fmt.plain("missed-button-newer"), callback_data=callbacks.encode(newer)
            )
        )
    if shown.has_more:
        older = MissedPageButton(shown.story_id, shown.since_item_id, shown.offset + PAGE_SIZE)
        buttons.append(
            InlineKeyboardButton(
                fmt.plain("missed-button-older"), callback_data=callbacks.encode(older)
            )
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None


def _html(fmt: Formatter, shown: CatchUp, story: StoryRecord) -> str:
    return fmt.missed(
        total=shown.total, offset=shown.offset, items=shown.items, title=story.heading
    )


async def show_missed(
    update: Update,
    context: BotContext,
    fmt: Formatter,
    story: StoryRecord,
    *,
    since: int | None = None,
    quiet_when_none: bool = False,
) -> None:
    """Reply with what the chat missed of the story and mark it seen; with
    `quiet_when_none`, say nothing when nothing was missed (a /start, a re-subscribe)."""
    chat = update.effective_chat
    if chat is None:
        return
    shown = await catchup.missed(context.state.db, chat.id, story.id, since=since)
    if shown is None or shown.total == 0:
        if not quiet_when_none:
            key = "missed-first" if shown is None else "missed-none"
            await reply(update, context, fmt.text(key, title=story.heading))
        return
    await reply(update, context, _html(fmt, shown, story), keyboard=_keyboard(fmt, shown))


async def missed_command(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    story = await current_story(update, context)
    if story is None:
        await reply(update, context, fmt.text("no-story"))
        return
    await show_missed(update, context, fmt, story)


async def missed_button(update: Update, context: BotContext) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    fmt = await formatter_for(update, context)
    data = callbacks.decode(query.data)
    if not isinstance(data, MissedPageButton):
        await query.answer(fmt.plain("button-invalid"))
        return
    story = await catchup.any_story(context.state.db, data.story_id)
    if story is None:
        await query.answer(fmt.plain("story-gone"))
        return
    shown = await catchup.missed(
        context.state.db,
        chat.id,
        story.id,
        since=data.since_item_id,
        offset=data.offset,
        mark=False,
    )
    assert shown is not None  # `since` given
    await edit_in_place(update, context, _html(fmt, shown, story), keyboard=_keyboard(fmt, shown))
    await query.answer()
