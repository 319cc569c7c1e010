"""Editor commands, only for ADMIN_IDS and only in a private chat with the bot."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.context import BotContext, PendingImport
from bot.db.models import StoryRecord
from bot.handlers import callbacks
from bot.handlers.callbacks import ImportAction, ImportButton
from bot.handlers.common import (
    clean,
    command_text,
    current_story,
    edit_in_place,
    formatter_for,
    is_editor,
    is_private,
    reply,
)
from bot.services.editor import EditorError
from bot.services.stories import parse_count
from bot.story.model import StoryError
from bot.texts import Argument, Formatter, ItemDelivery

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]
EditorHandler = Callable[[Update, BotContext, Formatter], Awaitable[None]]
PROGRESS_EVERY_S = 3.0
PROGRESS_FOR_AT_MOST_S = 15 * 60
AUDIT_DEFAULT, AUDIT_MAX = 10, 50
TEXT_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm")
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024


def editor_only(handler: EditorHandler) -> Handler:
    """Refuse (and log) anyone not in ADMIN_IDS, and any editor command outside a private chat."""

    @wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        fmt = await formatter_for(update, context)
        user = update.effective_user
        if not is_editor(update, context):
            log.warning(
                "refused editor command %s from user %s",
                handler.__name__,
                user.id if user else None,
            )
            if update.callback_query is not None:
                await update.callback_query.answer(fmt.plain("not-editor"), show_alert=True)
            else:
                await reply(update, context, fmt.text("not-editor"))
            return
        if not is_private(update):
            if update.callback_query is not None:
                # Every button press is answered, or the client's spinner keeps turning.
                await update.callback_query.answer(
                    fmt.plain("editor-private-only"), show_alert=True
                )
            else:
                await reply(update, context, fmt.text("editor-private-only"))
            return
        if user is not None:
            await context.state.editor.remember_editor(user.id, clean(user.full_name))
        try:
            await handler(update, context, fmt)
        except EditorError as exc:
            await reply(update, context, fmt.editor_error(exc.code, exc.args_for_text))

    return guarded


def _item_id(raw: str, command: str) -> tuple[int, str]:
    """`N rest…` or `#N rest…` → (N, rest); the rest keeps its line breaks and spaces.

    EditorError naming the missing number (and showing the usage) when N is not a number.
    """
    parts = raw.strip().split(maxsplit=1)
    head = parts[0].lstrip("#") if parts else ""
    if not (head.isascii() and head.isdigit()) or len(head) > 12:
        raise _missing(command, Argument.NUMBER)
    return int(head), parts[1].strip() if len(parts) > 1 else ""


def _missing(command: str, argument: Argument) -> EditorError:
    """The error that tells the editor what `/command` lacks and how it goes."""
    return EditorError("missing-argument", command=command, argument=argument)


def _required(text: str, command: str, argument: Argument) -> str:
    """`text`, or the error naming what `/command` lacks when it is empty."""
    if not text.strip():
        raise _missing(command, argument)
    return text


async def _story(update: Update, context: BotContext) -> StoryRecord:
    story = await current_story(update, context)
    if story is None:
        raise EditorError("no-story")
    return story


@editor_only
async def post(update: Update, context: BotContext, fmt: Formatter) -> None:
    story = await _story(update, context)
    user = update.effective_user
    assert user is not None
    text = _required(command_text(update), "post", Argument.TEXT)
    item = await context.state.editor.post(user.id, story, text)
    await confirm_post(update, context, fmt, story, item.id)


async def confirm_post(
    update: Update,
    context: BotContext,
    fmt: Formatter,
    story: StoryRecord,
    item_id: int,
) -> None:
    """Tell the editor the item is out, and follow its fan-out in that message."""
    progress = await context.state.editor.item_progress(item_id)
    html = fmt.post_confirmation(
        item_id, delivered=progress.delivered, total=progress.total, story_title=story.heading
    )
    message = await reply(update, context, html)
    if message is not None and not progress.done:
        task = asyncio.create_task(
            _follow_progress(context, fmt, message, item_id, html, story.heading)
        )
        background = context.state.background
        background.append(task)
        task.add_done_callback(_forget(background))


def _forget(tasks: list[asyncio.Task[Any]]) -> Callable[[asyncio.Task[Any]], None]:
    def remove(done: asyncio.Task[Any]) -> None:
        if done in tasks:
            tasks.remove(done)

    return remove


async def _follow_progress(
    context: BotContext, fmt: Formatter, message: Message, item_id: int, shown: str, title: str
) -> None:
    """Edit the confirmation in place every few seconds until the fan-out is done."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PROGRESS_FOR_AT_MOST_S
    while loop.time() < deadline:
        await asyncio.sleep(PROGRESS_EVERY_S)
        progress = await context.state.editor.item_progress(item_id)
        html = fmt.post_confirmation(
            item_id, delivered=progress.delivered, total=progress.total, story_title=title
        )
        if html != shown:
            try:
                await message.edit_text(html)
                shown = html
            except TelegramError as exc:
                log.info("progress edit for item %s skipped: %s", item_id, exc)
        if progress.done:
            return


@editor_only
async def edit(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    item_id, text = _item_id(command_text(update), "edit")
    _required(text, "edit", Argument.NEW_TEXT)
    item = await context.state.editor.edit(user.id, item_id, text)
    await reply(update, context, fmt.text("edit-done", id=item.id))


@editor_only
async def delete(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    item_id, _ = _item_id(command_text(update), "delete")
    await context.state.editor.retract(user.id, item_id)
    await reply(update, context, fmt.text("delete-done", id=item_id))


async def _pin(update: Update, context: BotContext, fmt: Formatter, pinned: bool) -> None:
    user = update.effective_user
    assert user is not None
    item_id, rest = _item_id(command_text(update), "pin" if pinned else "unpin")
    in_channel = rest.casefold() in CHANNEL_WORDS
    if rest and not in_channel:
        raise EditorError("pin-channel-usage")
    try:
        await context.state.editor.set_pinned(user.id, item_id, pinned)
        html = fmt.text("pin-done" if pinned else "unpin-done", id=item_id)
    except EditorError as exc:
        # Already pinned here, yet asked for the channel too: pin it there all the same.
        if not in_channel or exc.code not in ("pin-unchanged", "unpin-unchanged"):
            raise
        html = ""
    if in_channel:
        html = (html + "\n" if html else "") + await _pin_in_channel(context, fmt, item_id, pinned)
    await reply(update, context, html)


CHANNEL_WORDS = frozenset({"kanal", "channel"})


async def _pin_in_channel(context: BotContext, fmt: Formatter, item_id: int, pinned: bool) -> str:
    channel_id = context.state.settings.channel_id
    if channel_id is None:
        raise EditorError("pin-channel-none")
    message_id = await context.state.editor.channel_copy(channel_id, item_id)
    try:
        if pinned:
            await context.bot.pin_chat_message(channel_id, message_id, disable_notification=True)
        else:
            await context.bot.unpin_chat_message(channel_id, message_id)
    except TelegramError as exc:
        log.warning(
            "could not %spin item %s in the channel: %s", "" if pinned else "un", item_id, exc
        )
        return fmt.text("pin-channel-failed", id=item_id)
    return fmt.text("pin-channel-done" if pinned else "unpin-channel-done", id=item_id)


@editor_only
async def pin(update: Update, context: BotContext, fmt: Formatter) -> None:
    await _pin(update, context, fmt, True)


@editor_only
async def unpin(update: Update, context: BotContext, fmt: Formatter) -> None:
    await _pin(update, context, fmt, False)


@editor_only
async def set_summary(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    story = await _story(update, context)
    text = _required(command_text(update), "setsummary", Argument.TEXT)
    await context.state.editor.set_summary(user.id, story, text)
    await reply(update, context, fmt.text("summary-set"))


@editor_only
async def reset_summary(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    await context.state.editor.set_summary(user.id, await _story(update, context), None)
    await reply(update, context, fmt.text("summary-reset"))


@editor_only
async def add_quote(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    story = await _story(update, context)
    raw = _required(command_text(update), "addquote", Argument.QUOTE)
    quote = await context.state.editor.add_quote(user.id, story, raw)
    await reply(update, context, fmt.text("addquote-done", id=quote.id))


@editor_only
async def del_quote(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    quote_id, _ = _item_id(command_text(update), "delquote")
    await context.state.editor.delete_quote(user.id, quote_id)
    await reply(update, context, fmt.text("delquote-done", id=quote_id))


@editor_only
async def set_speaker(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    raw = command_text(update)
    quote_id, name = _item_id(raw, "setspeaker")
    _required(name, "setspeaker", Argument.NAME)
    quote = await context.state.editor.set_speaker(user.id, quote_id, name)
    await reply(update, context, fmt.text("setspeaker-done", id=quote.id, name=quote.speaker or ""))


@editor_only
async def new_story(update: Update, context: BotContext, fmt: Formatter) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    title = _required(command_text(update), "newstory", Argument.TITLE)
    story = await context.state.editor.new_story(user.id, title, fmt.lang)
    await context.state.stories.choose_story(chat.id, chat.type, story.id)
    await reply(update, context, fmt.text("newstory-done", id=story.id, title=story.heading))


@editor_only
async def set_title(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    title = _required(command_text(update), "settitle", Argument.TITLE)
    story = await context.state.editor.set_title(user.id, await _story(update, context), title)
    await reply(update, context, fmt.text("settitle-done", id=story.id, title=story.heading))


@editor_only
async def archive(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    story_id, _ = _item_id(command_text(update), "archive")
    story = await context.state.editor.archive(user.id, story_id)
    await reply(update, context, fmt.text("archive-done", id=story.id, title=story.heading))


@editor_only
async def stats(update: Update, context: BotContext, fmt: Formatter) -> None:
    story = await _story(update, context)
    figures = await context.state.editor.story_stats(story.id)
    counts, recent, headlines = figures.counts, figures.recent, figures.headlines
    rows = [
        ItemDelivery(
            item_id=p.item_id,
            headline=headlines.get(p.item_id, ""),
            delivered=p.delivered,
            pending=p.pending,
            failed=p.failed,
            blocked=p.blocked,
            retrying=p.retrying,
            skipped=p.skipped,
            retracted=p.item_id in figures.retracted,
        )
        for p in recent
    ]
    engine = context.state.engine
    stalled = engine.stalled_since if engine is not None else None
    html = fmt.stats(
        active=counts.active,
        blocked=counts.blocked,
        items=rows,
        story_title=story.heading,
        paused_since=None if stalled is None else datetime.fromtimestamp(stalled, UTC).isoformat(),
    )
    await reply(update, context, html)


@editor_only
async def audit_command(update: Update, context: BotContext, fmt: Formatter) -> None:
    try:
        limit = parse_count(command_text(update), default=AUDIT_DEFAULT, high=AUDIT_MAX)
    except ValueError:
        await reply(update, context, fmt.text("number-bad", max=AUDIT_MAX, example="/audit 10"))
        return
    entries, names = await context.state.editor.audit_log(limit)
    await reply(update, context, fmt.audit(entries, names))


@editor_only
async def document(update: Update, context: BotContext, fmt: Formatter) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.document is not None and user is not None
    doc = message.document
    # The name becomes part of a stored source name: no control characters or lone
    # surrogates from a broken client.
    name = clean(doc.file_name or "").strip()[:100] or "page.txt"
    limit = context.state.settings.max_import_bytes
    if doc.file_size is not None and doc.file_size > min(limit, TELEGRAM_DOWNLOAD_LIMIT):
        await reply(update, context, fmt.import_error("too_large", max_bytes=limit))
        return
    mime = doc.mime_type or ""
    if not (mime.startswith("text/") or name.lower().endswith(TEXT_SUFFIXES)):
        await reply(update, context, fmt.text("import-file-not-text"))
        return
    telegram_file = await doc.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    try:
        parsed = await context.state.stories.preview(data)
    except StoryError as exc:
        await reply(update, context, fmt.import_error(exc.code, max_bytes=limit, detail=exc.detail))
        return
    target = await context.state.stories.find_story_for_page(parsed, name)
    token = secrets.token_urlsafe(9)
    context.state.pending_imports.add(
        token,
        PendingImport(
            data=data,
            file_name=name,
            user_id=user.id,
            target_story_id=target.id if target else None,
        ),
    )
    confirm = callbacks.encode(ImportButton(ImportAction.CONFIRM, token))
    cancel = callbacks.encode(ImportButton(ImportAction.CANCEL, token))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(fmt.plain("button-import"), callback_data=confirm),
                InlineKeyboardButton(fmt.plain("button-cancel"), callback_data=cancel),
            ]
        ]
    )
    html = fmt.import_preview(parsed, updates_existing=target is not None)
    await reply(update, context, html, keyboard=keyboard)


@editor_only
async def import_button(update: Update, context: BotContext, fmt: Formatter) -> None:
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    data = callbacks.decode(query.data)
    if not isinstance(data, ImportButton):
        await query.answer(fmt.plain("button-invalid"))
        return
    token = data.token
    pending = context.state.take_pending_import(token)
    if pending is None and context.state.import_taken(token):
        await query.answer()  # a double tap: the first press is being handled
        return
    if pending is None:
        await query.answer(fmt.plain("import-expired"), show_alert=True)
        await edit_in_place(update, context, fmt.text("import-expired"))
        return
    await query.answer()
    if data.action is ImportAction.CANCEL:
        await edit_in_place(update, context, fmt.text("import-cancelled"))
        return
    try:
        outcome = await context.state.stories.import_page(
            pending.data,
            source_name=f"upload/{pending.file_name}",
            story_id=pending.target_story_id,
            editor_id=user.id,
        )
    except StoryError as exc:
        limit = context.state.settings.max_import_bytes
        await edit_in_place(update, context, fmt.import_error(exc.code, max_bytes=limit))
        return
    if outcome.unchanged:
        await edit_in_place(update, context, fmt.text("import-unchanged"))
        return
    story = await context.state.stories.live_story(outcome.story_id)
    html = fmt.import_done(
        story_id=outcome.story_id,
        title=story.heading if story else "",
        created=outcome.created,
        new_items=len(outcome.new_item_ids),
    )
    await edit_in_place(update, context, html)
