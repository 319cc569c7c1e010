"""What every handler needs: the reader's language, argument text, replies split to fit."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError

from bot.context import BotContext
from bot.db.models import StoryRecord
from bot.handlers import callbacks
from bot.handlers.callbacks import LanguageButton
from bot.localtime import zone
from bot.texts import LANGUAGES, Formatter, pick_language, split_message

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
MAX_READER_ARGUMENT = 200
# One answer never floods a chat: past this many messages the reply ends with a pointer
# to the commands that show the rest page by page.
MAX_REPLY_MESSAGES = 4


def clean(text: str) -> str:
    """User text without control and direction-override characters (newlines kept).

    Lone surrogates (a broken client's text) cannot be encoded for the store or for
    Telegram; they are dropped like control characters."""
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").replace("\ufffd", "")
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def command_text(update: Update) -> str:
    """Everything after the command word, line breaks kept (context.args loses them)."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(maxsplit=1)
    if not parts or not parts[0].startswith("/"):
        return clean(text).strip()
    return clean(parts[1]).strip() if len(parts) > 1 else ""


async def language_of(update: Update, context: BotContext) -> str:
    """The chat's chosen language, else the user's Telegram language, else German."""
    chat = update.effective_chat
    stored = None
    if chat is not None:
        prefs = await context.chat_prefs(chat.id)
        stored = prefs.language if prefs else None
    user = update.effective_user
    return pick_language(stored, user.language_code if user else None)


async def zone_name_of(update: Update, context: BotContext) -> str:
    """The chat's chosen time zone, else the TIMEZONE setting."""
    chat = update.effective_chat
    prefs = await context.chat_prefs(chat.id) if chat is not None else None
    if prefs is not None and prefs.timezone:
        return prefs.timezone
    return context.state.settings.timezone


async def formatter_for(update: Update, context: BotContext) -> Formatter:
    """The texts of this chat's language, times on its clock."""
    tz = zone(await zone_name_of(update, context))
    return Formatter(context.state.texts, await language_of(update, context), tz=tz)


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def is_editor(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return context.state.settings.is_admin(user.id if user else None)


async def may_change_chat(update: Update, context: BotContext) -> bool:
    """Whether this user may change the chat's settings (subscription, language, story):
    anyone in a private chat, only the admins in a group."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    if update.callback_query is None and message is not None and message.sender_chat is not None:
        # An anonymous admin speaks as the group itself.
        return message.sender_chat.id == chat.id
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not check admin rights in chat %s: %s", chat.id, exc)
        return False
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def refuse_non_admin(update: Update, context: BotContext, fmt: Formatter) -> bool:
    """True (after telling the user) when a group member who is no admin tries to change
    the group's settings."""
    if await may_change_chat(update, context):
        return False
    if update.callback_query is not None:
        await update.callback_query.answer(fmt.plain("group-admins-only"), show_alert=True)
    else:
        await reply(update, context, fmt.text("group-admins-only"))
    return True


async def reply(
    update: Update,
    context: BotContext,
    html: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Send HTML to the update's chat, split under 4096 characters; buttons on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    chunks = split_message(html)
    if len(chunks) > MAX_REPLY_MESSAGES:
        fmt = await formatter_for(update, context)
        ending = fmt.text("reply-cut", total=len(chunks))
        chunks = chunks[: MAX_REPLY_MESSAGES - 1]
        chunks.append(ending)
    sent: Message | None = None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent = await context.bot.send_message(
            chat.id,
            chunk,
            reply_markup=keyboard if last else None,
            message_thread_id=_thread_of(update),
        )
    return sent


def _thread_of(update: Update) -> int | None:
    message = update.effective_message
    if message is not None and message.is_topic_message:
        return message.message_thread_id
    return None


async def edit_in_place(
    update: Update,
    context: BotContext,
    html: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the text of the message whose button was pressed."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    chunks = split_message(html)[:MAX_REPLY_MESSAGES]
    try:
        await query.message.edit_text(
            chunks[0], reply_markup=keyboard if len(chunks) == 1 else None
        )
    except BadRequest as exc:
        # A double tap asks for the same page again: nothing to change, nothing to say.
        if "not modified" not in str(exc).lower():
            raise
    # What does not fit the edited message follows it, buttons on the last part, so a page
    # shown by editing is as whole as one sent anew.
    for index, chunk in enumerate(chunks[1:], start=2):
        await context.bot.send_message(
            query.message.chat.id,
            chunk,
            reply_markup=keyboard if index == len(chunks) else None,
            message_thread_id=_thread_of(update),
        )


async def current_story(update: Update, context: BotContext) -> StoryRecord | None:
    """The story this chat reads, or None when no story is loaded."""
    chat = update.effective_chat
    if chat is None:
        return None
    prefs = await context.chat_prefs(chat.id)
    return await context.state.stories.story_for_chat(prefs.current_story_id if prefs else None)


def language_keyboard(fmt: Formatter) -> InlineKeyboardMarkup:
    """One button per language we speak."""
    buttons = [
        InlineKeyboardButton(
            fmt.plain(f"button-language-{language}"),
            callback_data=callbacks.encode(LanguageButton(language)),
        )
        for language in LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons])
