"""Photos, videos, animations and documents sent to the bot.

An editor's attachment (or album) with a plain caption, a `/post` caption or none becomes a
ticker item with it; `/edit N` as the caption replaces item N's attachments. A text file
without a caption stays a page upload (bot/handlers/editor.document). Readers get a short
answer in a private chat; in groups their media are none of the bot's business.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, Message, Update

from bot.context import BotContext
from bot.db.models import MAX_ATTACHMENTS, Attachment, MediaKind, TickerItemRecord
from bot.delivery import media as media_sends
from bot.handlers import callbacks, editor
from bot.handlers.callbacks import MediaButton
from bot.handlers.common import (
    clean,
    current_story,
    formatter_for,
    is_editor,
    is_private,
    reply,
)
from bot.handlers.editor import TEXT_SUFFIXES, confirm_post
from bot.services.editor import EditorError
from bot.texts import Formatter, shorten, split_caption

log = logging.getLogger(__name__)
# Buttons under one /ticker page that show an item's pictures; older ones stay a marker.
MAX_MEDIA_BUTTONS = 5

_CAPTION_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]+)(?:@\w+)?(?=\s|$)\s*(?P<rest>.*)$", re.S)


@dataclass(frozen=True)
class MediaPart:
    """One message of an editor's upload: its attachment, caption and album."""

    message_id: int
    attachment: Attachment
    caption: str
    album: str | None = None  # the media_group_id it arrived with


def uploads(parts: list[MediaPart]) -> list[list[MediaPart]]:
    """The items an editor's albums in one window make, in order.

    A client sends more than ten pictures as several albums in a row, the caption on one of
    them: albums join the item before them until a second caption starts a new one."""
    albums: dict[str | None, list[MediaPart]] = {}
    for part in sorted(parts, key=lambda p: p.message_id):
        albums.setdefault(part.album, []).append(part)
    items: list[list[MediaPart]] = []
    captioned = False
    for album in albums.values():
        has_caption = any(p.caption for p in album)
        if items and not (captioned and has_caption):
            items[-1].extend(album)
        else:
            items.append(list(album))
            captioned = False
        captioned = captioned or has_caption
    return items


def attachment_of(message: Message) -> Attachment | None:
    """The attachment a message carries (the largest photo size), or None."""
    if message.animation is not None:  # an animation also comes with `document` set
        a = message.animation
        return Attachment(MediaKind.ANIMATION, a.file_id, a.file_unique_id)
    if message.photo:
        p = message.photo[-1]
        return Attachment(MediaKind.PHOTO, p.file_id, p.file_unique_id)
    if message.video is not None:
        v = message.video
        return Attachment(MediaKind.VIDEO, v.file_id, v.file_unique_id)
    if message.document is not None:
        d = message.document
        return Attachment(MediaKind.DOCUMENT, d.file_id, d.file_unique_id)
    return None


def _is_page_upload(message: Message) -> bool:
    """A text file without a caption: the editor wants to import a page."""
    doc = message.document
    if doc is None or message.animation is not None or (message.caption or "").strip():
        return False
    name = (doc.file_name or "").lower()
    return (doc.mime_type or "").startswith("text/") or name.endswith(TEXT_SUFFIXES)


async def on_media(update: Update, context: BotContext) -> None:
    """An attachment in a private chat: an editor's item, a page upload, or a reader's."""
    message = update.effective_message
    if message is None:
        return
    if not is_editor(update, context):
        if is_private(update):
            fmt = await formatter_for(update, context)
            await reply(update, context, fmt.text("media-reader"))
        return
    if _is_page_upload(message):
        await editor.document(update, context)
        return
    await _editor_media(update, context)


@editor.editor_only
async def _editor_media(update: Update, context: BotContext, fmt: Formatter) -> None:
    message = update.effective_message
    assert message is not None
    attachment = attachment_of(message)
    if attachment is None:  # a voice message, sticker, …: no ticker item, but an answer
        await reply(update, context, fmt.text("media-unsupported"))
        return
    caption = clean(message.caption or "").strip()
    part = MediaPart(message.message_id, attachment, caption, message.media_group_id)
    if message.media_group_id is None:
        await _publish(update, context, fmt, [part], dropped=0)
        return

    async def finish(parts: list[MediaPart], dropped: int) -> None:
        for item_parts in uploads(parts):
            await _finish_album(update, context, fmt, item_parts, dropped)
            dropped = 0  # told once

    # Keyed by chat, not by album: the albums a client splits a big upload into arrive
    # back to back and make one item.
    key = ("album", message.chat_id)
    task = context.state.albums.add(key, part, finish)
    if task is not None:
        background = context.state.background
        background.append(task)
        task.add_done_callback(lambda done: background.remove(done) if done in background else None)


async def _finish_album(
    update: Update, context: BotContext, fmt: Formatter, parts: list[MediaPart], dropped: int
) -> None:
    """Publish a complete album; its own errors are answered, never lost in a task."""
    try:
        await _publish(update, context, fmt, parts, dropped=dropped)
    except EditorError as exc:
        await reply(update, context, fmt.editor_error(exc.code, exc.args_for_text))
    except Exception:
        log.exception("publishing an album failed")
        await reply(update, context, fmt.text("error-generic"))


async def _publish(
    update: Update, context: BotContext, fmt: Formatter, parts: list[MediaPart], *, dropped: int
) -> None:
    parts = sorted(parts, key=lambda p: p.message_id)
    media = [p.attachment for p in parts][:MAX_ATTACHMENTS]
    # A client puts an album's caption on one of its parts, usually the first.
    caption = next((p.caption for p in parts if p.caption), "")
    user = update.effective_user
    assert user is not None
    command = _CAPTION_COMMAND.match(caption)
    text = caption
    if command is not None:
        name, text = command["name"].lower(), command["rest"].strip()
        if name == "edit":
            await _replace(update, context, fmt, media, text, user.id, parts)
            return
        if name != "post":
            await reply(update, context, fmt.text("media-caption-unknown"))
            return
    story = await current_story(update, context)
    if story is None:
        raise EditorError("no-story")
    chat_id = update.effective_chat.id if update.effective_chat else user.id
    source = (chat_id, [p.message_id for p in parts][:MAX_ATTACHMENTS])
    item = await context.state.editor.post(user.id, story, text, media, source=source)
    if dropped or len(parts) > MAX_ATTACHMENTS:
        await reply(update, context, fmt.text("media-too-many", max=MAX_ATTACHMENTS))
    await confirm_post(update, context, fmt, story, item.id)


async def _replace(
    update: Update,
    context: BotContext,
    fmt: Formatter,
    media: list[Attachment],
    text: str,
    user_id: int,
    parts: list[MediaPart],
) -> None:
    found = _numbered(text)
    if found is None:
        await reply(update, context, fmt.text("media-edit-usage"))
        return
    item_id, rest = found
    chat_id = update.effective_chat.id if update.effective_chat else user_id
    source = (chat_id, [p.message_id for p in parts][:MAX_ATTACHMENTS])
    await context.state.editor.replace_media(user_id, item_id, media, rest, source=source)
    await reply(update, context, fmt.text("media-replaced", id=item_id))


def _numbered(text: str) -> tuple[int, str] | None:
    """`N rest` or `#N rest` → (N, rest); None when it does not start with a number."""
    head, rest = [*text.split(maxsplit=1), "", ""][:2]
    digits = head.lstrip("#")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 12):
        return None
    return int(digits), rest.strip()


def _item_text(caption: str) -> str:
    """The item text an edited caption carries: a `/post` or `/edit N` command dropped."""
    command = _CAPTION_COMMAND.match(caption)
    if command is None:
        return caption
    rest = command["rest"].strip()
    if command["name"].lower() == "edit":
        found = _numbered(rest)
        return found[1] if found else ""
    return rest


async def on_edited_media(update: Update, context: BotContext) -> None:
    """An editor edited a message an item came from: correct the item everywhere."""
    message = update.edited_message
    user = update.effective_user
    if message is None or user is None or not is_editor(update, context):
        return
    if not is_private(update):
        return
    attachment = attachment_of(message)
    if attachment is None:
        return
    text = _item_text(clean(message.caption or "").strip())
    fmt = await formatter_for(update, context)
    try:
        item = await context.state.editor.edit_source(
            user.id, message.chat_id, message.message_id, attachment, text
        )
    except EditorError as exc:
        if exc.code != "edit-unchanged":  # an edit Telegram reports that changed nothing
            await reply(update, context, fmt.editor_error(exc.code, exc.args_for_text))
        return
    if item is not None:
        await reply(update, context, fmt.text("edit-done", id=item.id))


async def show_media(
    update: Update, context: BotContext, fmt: Formatter, item: TickerItemRecord
) -> None:
    """Send an item's attachments to the update's chat, captioned with its headline."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or not item.media:
        return
    headline = item.headline or fmt.media_marker(item)
    caption, _ = split_caption(fmt.text("summary-media", headline=headline))
    thread = message.message_thread_id if message and message.is_topic_message else None
    for n, run in enumerate(media_sends.runs(item.media)):
        request = media_sends.MediaSend(run, caption if n == 0 else "")
        await media_sends.send(
            context.bot, chat.id, request, markup=None, thread=thread, paid=False
        )


def media_buttons(fmt: Formatter, items: list[TickerItemRecord]) -> list[InlineKeyboardButton]:
    """One "show" button per item of a ticker page that has attachments (the newest few)."""
    shown = [item for item in items if item.media_count and not item.is_retracted]
    return [
        InlineKeyboardButton(
            fmt.plain(
                "button-media",
                marker=fmt.media_marker(item),
                headline=shorten(item.headline, 32) or f"#{item.id}",
            ),
            callback_data=callbacks.encode(MediaButton(item.id)),
        )
        for item in shown[:MAX_MEDIA_BUTTONS]
    ]


async def media_button(update: Update, context: BotContext) -> None:
    """A ticker page's picture button: send the item's attachments to the chat."""
    query = update.callback_query
    assert query is not None
    fmt = await formatter_for(update, context)
    data = callbacks.decode(query.data)
    if not isinstance(data, MediaButton):
        await query.answer(fmt.plain("button-invalid"))
        return
    item = await context.state.stories.live_item(data.item_id)
    if item is None or not item.media:
        await query.answer(fmt.plain("media-gone"), show_alert=True)
        return
    await query.answer()
    await show_media(update, context, fmt, item)
