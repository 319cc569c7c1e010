"""Pushes of items with attachments: which Bot API requests they become, by Telegram's rules.

A caption holds at most 1024 visible characters; what does not fit follows as text
messages. An album (sendMediaGroup) takes 2–10 photos and videos, or 2–10 documents, never
both and never an animation: attachments that may not share an album go out on their own,
and an item with more than ten goes out as several albums, one after the other. The
caption rides on the first attachment of the first request. sendMediaGroup takes no
reply_markup, so the push buttons go under the last follow-up text or the last single
attachment, and an album with nothing after it has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputMediaAnimation,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
)
from telegram.constants import ParseMode

from bot.db.models import ALBUM_SIZE, MAX_ATTACHMENTS, Attachment, MediaKind
from bot.texts import split_caption, split_message

InputMedia = InputMediaPhoto | InputMediaVideo | InputMediaAnimation | InputMediaDocument


@dataclass(frozen=True)
class MediaSend:
    """One request: a single attachment (sendPhoto, …) or an album (sendMediaGroup)."""

    attachments: tuple[Attachment, ...]
    caption: str  # HTML on the first attachment; "" for none


@dataclass(frozen=True)
class MediaPlan:
    """Everything one item with attachments becomes in a chat, in order."""

    sends: tuple[MediaSend, ...]
    follow_ups: tuple[str, ...]  # text messages after the attachments

    @property
    def slots(self) -> list[tuple[Attachment, str, bool]]:
        """Each attachment message: (attachment, its caption, whether it is sent alone)."""
        return [
            (a, send.caption if n == 0 else "", len(send.attachments) == 1)
            for send in self.sends
            for n, a in enumerate(send.attachments)
        ]

    @property
    def buttons_on(self) -> int | None:
        """Which message (index over slots, then follow-ups) carries the keyboard, or None."""
        count = sum(len(s.attachments) for s in self.sends)
        if self.follow_ups:
            return count + len(self.follow_ups) - 1
        if self.sends and len(self.sends[-1].attachments) == 1:
            return count - 1
        return None


def album_class(kind: MediaKind | str) -> str | None:
    """Attachments of one class may share an album; None: never in one (animations)."""
    kind = MediaKind(kind)
    if kind is MediaKind.ANIMATION:
        return None
    return "document" if kind is MediaKind.DOCUMENT else "visual"


def runs(media: Sequence[Attachment]) -> list[tuple[Attachment, ...]]:
    """Consecutive attachments grouped into requests: albums of one class, at most ten each.

    A run of one class longer than an album is split into albums of even size (fifteen
    pictures: eight and seven), so no album is a lone picture where it need not be."""
    classes: list[list[Attachment]] = []
    for attachment in media[:MAX_ATTACHMENTS]:
        cls = album_class(attachment.kind)
        last = classes[-1] if classes else None
        if last is not None and cls is not None and album_class(last[0].kind) == cls:
            last.append(attachment)
        else:
            classes.append([attachment])
    out: list[tuple[Attachment, ...]] = []
    for run in classes:
        count = -(-len(run) // ALBUM_SIZE)  # ceil
        size, extra = divmod(len(run), count)
        start = 0
        for n in range(count):
            end = start + size + (1 if n < extra else 0)
            out.append(tuple(run[start:end]))
            start = end
    return out


def plan(media: Sequence[Attachment], texts: Sequence[str]) -> MediaPlan:
    """The requests for an item's attachments and its rendered text (one or more messages)."""
    caption, rest = split_caption("\n\n".join(texts))
    sends = tuple(MediaSend(run, caption if n == 0 else "") for n, run in enumerate(runs(media)))
    return MediaPlan(sends, tuple(split_message(rest)) if rest else ())


def input_media(attachment: Attachment, caption: str) -> InputMedia:
    """The InputMedia object that sends or shows an attachment by its file_id."""
    args: dict[str, object] = {"caption": caption or None, "parse_mode": ParseMode.HTML}
    kind = attachment.kind
    if kind is MediaKind.PHOTO:
        return InputMediaPhoto(attachment.file_id, **args)  # type: ignore[arg-type]
    if kind is MediaKind.VIDEO:
        return InputMediaVideo(attachment.file_id, **args)  # type: ignore[arg-type]
    if kind is MediaKind.ANIMATION:
        return InputMediaAnimation(attachment.file_id, **args)  # type: ignore[arg-type]
    return InputMediaDocument(attachment.file_id, **args)  # type: ignore[arg-type]


async def send(
    bot: Bot,
    chat_id: int,
    request: MediaSend,
    *,
    markup: InlineKeyboardMarkup | None,
    thread: int | None,
    paid: bool,
) -> list[int]:
    """Send one request; the message ids it produced, in order (an album gives several)."""
    caption = request.caption or None
    common: dict[str, object] = {
        "message_thread_id": thread,
        "allow_paid_broadcast": True if paid else None,
    }
    if len(request.attachments) > 1:
        media = [
            input_media(a, request.caption if n == 0 else "")
            for n, a in enumerate(request.attachments)
        ]
        messages = await bot.send_media_group(chat_id, media, **common)  # type: ignore[arg-type]
        return [m.message_id for m in messages]
    attachment = request.attachments[0]
    common.update(caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup)
    file_id = attachment.file_id
    if attachment.kind is MediaKind.PHOTO:
        message = await bot.send_photo(chat_id, file_id, **common)  # type: ignore[arg-type]
    elif attachment.kind is MediaKind.VIDEO:
        message = await bot.send_video(chat_id, file_id, **common)  # type: ignore[arg-type]
    elif attachment.kind is MediaKind.ANIMATION:
        message = await bot.send_animation(chat_id, file_id, **common)  # type: ignore[arg-type]
    else:
        message = await bot.send_document(chat_id, file_id, **common)  # type: ignore[arg-type]
    return [message.message_id]


async def edit_caption(
    bot: Bot, chat_id: int, message_id: int, caption: str, markup: InlineKeyboardMarkup | None
) -> int:
    """Show `caption` under a delivered attachment (editMessageCaption)."""
    await bot.edit_message_caption(
        chat_id=chat_id,
        message_id=message_id,
        caption=caption or None,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )
    return message_id


async def edit_media(
    bot: Bot,
    chat_id: int,
    message_id: int,
    attachment: Attachment,
    caption: str,
    markup: InlineKeyboardMarkup | None,
) -> int:
    """Replace a delivered attachment with another, with its caption (editMessageMedia)."""
    await bot.edit_message_media(
        input_media(attachment, caption),
        chat_id=chat_id,
        message_id=message_id,
        reply_markup=markup,
    )
    return message_id
