"""Reader commands: thin — parse arguments, ask the story service, format, reply."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.db.models import StoryRecord, TickerItemRecord
from bot.handlers import callbacks
from bot.handlers.callbacks import TickerPageButton
from bot.handlers.catchup import show_missed
from bot.handlers.common import (
    MAX_READER_ARGUMENT,
    MAX_REPLY_MESSAGES,
    command_text,
    current_story,
    edit_in_place,
    formatter_for,
    is_editor,
    is_private,
    language_keyboard,
    language_of,
    refuse_non_admin,
    reply,
)
from bot.handlers.media import media_buttons, show_media
from bot.handlers.subscriptions import subscribe
from bot.services import catchup, subscriptions
from bot.services.stories import TICKER_MAX, TickerPage, parse_count
from bot.texts import Formatter, normalize_language, split_message

TICKER_DEFAULT = 5


async def start(update: Update, context: BotContext) -> None:
    if command_text(update).lower() == "subscribe":
        await subscribe(update, context)
        return
    fmt = await formatter_for(update, context)
    story = await current_story(update, context)
    await reply(update, context, fmt.welcome(story, is_editor=is_editor(update, context)))
    if story is not None:
        # A returning reader sees what came meanwhile; a new one is only remembered.
        await show_missed(update, context, fmt, story, quiet_when_none=True)


async def help_command(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    await reply(update, context, fmt.help(is_editor=is_editor(update, context)))


async def _story_or_explain(
    update: Update, context: BotContext, fmt: Formatter
) -> StoryRecord | None:
    story = await current_story(update, context)
    if story is None:
        await reply(update, context, fmt.text("no-story"))
    return story


async def summary(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    story = await _story_or_explain(update, context, fmt)
    if story is None:
        return
    service = context.state.stories
    pinned = await service.pinned(story.id)
    latest = await service.latest_item(story.id)
    html = fmt.summary(story, pinned=pinned, latest=latest, as_of=await service.last_update(story))
    await reply(update, context, html)
    # The picture of the moment, where a reader of a briefing looks for it: under the gist.
    pictured = next((i for i in (*pinned, latest) if i is not None and i.media), None)
    if pictured is not None:
        await show_media(update, context, fmt, pictured)


async def quotes(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    name = " ".join(command_text(update).split())
    if len(name) > MAX_READER_ARGUMENT:
        await reply(update, context, fmt.text("argument-too-long", max=MAX_READER_ARGUMENT))
        return
    story = await _story_or_explain(update, context, fmt)
    if story is None:
        return
    selection = await context.state.stories.quotes(story.id, name or None)
    if not selection.matched:
        await reply(update, context, fmt.quotes_unknown_speaker(name, selection.speakers))
        return
    html = fmt.quotes(
        selection.quotes,
        is_editor=is_editor(update, context),
        speaker=selection.speaker_shown(name),
        more=selection.more,
    )
    await reply(update, context, html)


@dataclass(frozen=True)
class _ShownPage:
    """The part of a ticker page one answer can show, and where its neighbours start."""

    html: str
    keyboard: InlineKeyboardMarkup | None


def _fits(fmt: Formatter, items: list[TickerItemRecord], offset: int, total: int) -> bool:
    html = fmt.ticker_page(items, offset=offset, total=total)
    return len(split_message(html)) <= MAX_REPLY_MESSAGES


async def _ticker_view(
    context: BotContext, fmt: Formatter, story_id: int, offset: int, limit: int, editor: bool
) -> _ShownPage:
    """A page of at most `limit` items that fits one answer; Older starts right after the
    last item shown and Newer right before the first, so paging never skips an item."""
    service = context.state.stories
    page: TickerPage = await service.ticker(story_id, offset=offset, limit=limit)
    shown = list(page.items)
    while len(shown) > 1 and not _fits(fmt, shown, page.offset, page.total):
        shown.pop()
    html = fmt.ticker_page(shown, offset=page.offset, total=page.total, is_editor=editor)
    buttons = []
    if page.offset > 0:
        start = max(0, page.offset - limit)
        before = await service.ticker(story_id, offset=start, limit=page.offset - start)
        newer = list(before.items)
        while len(newer) > 1 and not _fits(fmt, newer, page.offset - len(newer), page.total):
            newer.pop(0)
        data = callbacks.encode(TickerPageButton(story_id, page.offset - len(newer), limit))
        buttons.append(InlineKeyboardButton(fmt.plain("button-newer"), callback_data=data))
    if page.offset + len(shown) < page.total:
        data = callbacks.encode(TickerPageButton(story_id, page.offset + len(shown), limit))
        buttons.append(InlineKeyboardButton(fmt.plain("button-older"), callback_data=data))
    rows = [buttons] if buttons else []
    # Pictures are where a reader of the ticker looks for them: one tap under the page.
    rows += [[button] for button in media_buttons(fmt, shown)]
    return _ShownPage(html, InlineKeyboardMarkup(rows) if rows else None)


async def ticker_view(
    context: BotContext, fmt: Formatter, story_id: int, editor: bool
) -> _ShownPage:
    """The newest page of a story's ticker, as /ticker shows it (for other entry points)."""
    return await _ticker_view(context, fmt, story_id, 0, TICKER_DEFAULT, editor)


async def ticker(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    try:
        limit = parse_count(command_text(update), default=TICKER_DEFAULT, high=TICKER_MAX)
    except ValueError:
        await reply(update, context, fmt.text("ticker-bad-count", max=TICKER_MAX))
        return
    story = await _story_or_explain(update, context, fmt)
    if story is None:
        return
    view = await _ticker_view(context, fmt, story.id, 0, limit, is_editor(update, context))
    await reply(update, context, view.html, keyboard=view.keyboard)
    chat = update.effective_chat
    if chat is not None:
        await catchup.mark_seen(context.state.db, chat.id, story.id)  # a visit, for /missed


async def ticker_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    fmt = await formatter_for(update, context)
    data = callbacks.decode(query.data)
    if not isinstance(data, TickerPageButton):
        await query.answer(fmt.plain("button-invalid"))
        return
    story_id, offset, limit = data.story_id, data.offset, min(TICKER_MAX, data.limit)
    # An archived story's old buttons still page its ticker: it stays readable.
    story = await context.state.stories.readable_story(story_id)
    if story is None:
        await query.answer(fmt.plain("story-gone"))
        return
    view = await _ticker_view(context, fmt, story_id, offset, limit, is_editor(update, context))
    await edit_in_place(update, context, view.html, keyboard=view.keyboard)
    await query.answer()


async def people(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    story = await _story_or_explain(update, context, fmt)
    if story is None:
        return
    await reply(update, context, fmt.people(await context.state.stories.people(story.id)))


async def search(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    words = " ".join(command_text(update).split())
    if not words:
        await reply(update, context, fmt.text("search-missing-words"))
        return
    if len(words) > MAX_READER_ARGUMENT:
        await reply(update, context, fmt.text("argument-too-long", max=MAX_READER_ARGUMENT))
        return
    story = await _story_or_explain(update, context, fmt)
    if story is None:
        return
    hits = await context.state.stories.search(story.id, words)
    await reply(update, context, fmt.search_results(words, hits))


async def stories_command(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    current = await current_story(update, context)
    every = await context.state.stories.stories(include_archived=True)
    await reply(update, context, fmt.stories(every, current_id=current.id if current else None))


async def story_command(update: Update, context: BotContext) -> None:
    fmt = await formatter_for(update, context)
    chat = update.effective_chat
    assert chat is not None
    raw = command_text(update)
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        await reply(update, context, fmt.text("story-bad-id"))
        return
    if await refuse_non_admin(update, context, fmt):
        return
    try:
        story = await context.state.stories.choose_story(chat.id, chat.type, int(raw))
    except KeyError:
        archived = await context.state.stories.readable_story(int(raw))
        if archived is None:
            await reply(update, context, fmt.text("story-unknown", id=int(raw)))
            return
        await _show_archived(update, context, fmt, archived)
        return
    await reply(update, context, fmt.text("story-switched", title=story.heading))


async def _show_archived(
    update: Update, context: BotContext, fmt: Formatter, story: StoryRecord
) -> None:
    """An archived story, read-only: its summary and its ticker behind a button; the chat
    keeps reading its live story and nothing can be subscribed."""
    service = context.state.stories
    current = await current_story(update, context)
    where = (
        fmt.text("story-archived-current", title=current.heading)
        if current is not None
        else fmt.text("story-archived-no-current")
    )
    html = fmt.text("story-archived-readonly", title=story.heading) + " " + where + "\n\n"
    html += fmt.summary(
        story,
        pinned=await service.pinned(story.id),
        latest=await service.latest_item(story.id),
        as_of=await service.last_update(story),
    )
    button = InlineKeyboardButton(
        fmt.plain("story-archived-ticker"),
        callback_data=callbacks.encode(TickerPageButton(story.id, 0, TICKER_DEFAULT)),
    )
    await reply(update, context, html, keyboard=InlineKeyboardMarkup([[button]]))


async def language_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    fmt = await formatter_for(update, context)
    raw = command_text(update).strip()
    if not raw:
        current = fmt.plain("language-name", code=await language_of(update, context))
        await reply(
            update,
            context,
            fmt.text("language-choose", language=current),
            keyboard=language_keyboard(fmt),
        )
        return
    choice = normalize_language(raw.lower()) if len(raw) <= 16 else None
    if choice is None:
        await reply(update, context, fmt.text("language-unknown"), keyboard=language_keyboard(fmt))
        return
    if await refuse_non_admin(update, context, fmt):
        return
    await subscriptions.set_language(context.state.db, chat.id, chat.type, choice)
    await reply(update, context, Formatter(context.state.texts, choice).text("language-switched"))


async def free_text(update: Update, context: BotContext) -> None:
    if not is_private(update):
        return
    fmt = await formatter_for(update, context)
    await reply(update, context, fmt.text("free-text"))


async def unknown_command(update: Update, context: BotContext) -> None:
    # In a group, /foo may be meant for another bot; /foo@ourbot is meant for us.
    if not is_private(update) and not _addressed_to_us(update, context):
        return
    fmt = await formatter_for(update, context)
    await reply(update, context, fmt.text("unknown-command"))


def _addressed_to_us(update: Update, context: BotContext) -> bool:
    message = update.effective_message
    words = (message.text or "").split(maxsplit=1) if message else []
    if not words or "@" not in words[0]:
        return False
    username = context.bot.username or ""
    return bool(username) and words[0].partition("@")[2].lower() == username.lower()
