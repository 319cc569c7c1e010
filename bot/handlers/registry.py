"""Every handler wired in one ordered place; guards run first, in their own group."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import BotContext
from bot.delivery.ratelimit import patient_replies
from bot.flood import Verdict
from bot.handlers import (
    catchup,
    delivery,
    editor,
    follow,
    keywords,
    localtime,
    media,
    membership,
    push,
    reader,
    subscriptions,
)
from bot.handlers.common import formatter_for, is_editor, reply
from bot.polling import describe
from bot.texts import EDITOR_COMMANDS, READER_COMMANDS

if TYPE_CHECKING:
    from bot.app import BotApplication

log = logging.getLogger(__name__)

GUARD_GROUP = -1


async def flood_guard(update: Update, context: BotContext) -> None:
    """Past a sane rate a reader is told when to try again, then ignored until then.

    Editors are exempt: their commands are the story's work, and dropping one /post of a
    burst would lose it. Nothing dropped was promised: the notice says "try again"."""
    user = update.effective_user
    if user is None or is_editor(update, context):
        return
    flood = context.state.flood
    verdict = flood.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        log.info("flood protection: user %s silenced for a while", user.id)
        fmt = await formatter_for(update, context)
        seconds = max(1, math.ceil(flood.retry_in(user.id)))
        if update.callback_query is not None:
            await update.callback_query.answer(fmt.plain("flood", seconds=seconds))
        else:
            await reply(update, context, fmt.text("flood", seconds=seconds))
    elif update.callback_query is not None:
        # A silenced user's button still stops spinning, without a word.
        await update.callback_query.answer()
    raise ApplicationHandlerStop


async def on_error(update: object, context: BotContext) -> None:
    """Log first (the formatter redacts tokens), then apologise to the user if there is one."""
    if not context.application.running:
        # Replies still hanging when the bot stops are cut off on purpose: one line each.
        log.warning("a reply was cut off by the stop (%s)", type(context.error).__name__)
        return
    if isinstance(context.error, (NetworkError, InvalidToken)):
        # The Bot API failing (outage, 401): one line, a traceback would say nothing more.
        log.warning("handler failed for an update: %s", describe(context.error))
        if isinstance(context.error, InvalidToken):
            return
    else:
        log.error("handler failed for an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        fmt = await formatter_for(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(fmt.plain("error-generic"))
        else:
            await reply(update, context, fmt.text("error-generic"))
    except NetworkError as exc:
        log.warning("could not send the apology: %s", describe(exc))
    except Exception:
        log.warning("could not send the apology", exc_info=True)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old or foreign message: stop the client's spinner, change nothing."""
    if update.callback_query is not None:
        fmt = await formatter_for(update, context)
        await update.callback_query.answer(fmt.plain("button-invalid"))


# Each command's handler by name. Which commands exist, and in what order /help and the
# command menu show them, is the one table in bot.texts (READER_COMMANDS, EDITOR_COMMANDS).
HANDLERS: dict[str, Any] = {
    "start": reader.start,
    "help": reader.help_command,
    "summary": reader.summary,
    "quotes": reader.quotes,
    "ticker": reader.ticker,
    "people": reader.people,
    "search": reader.search,
    "stories": reader.stories_command,
    "story": reader.story_command,
    "language": reader.language_command,
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
    "settings": subscriptions.settings,
    "timezone": localtime.timezone_command,
    "quiet": localtime.quiet_command,
    "filter": keywords.filter_command,
    "missed": catchup.missed_command,
    "post": editor.post,
    "edit": editor.edit,
    "delete": editor.delete,
    "pin": editor.pin,
    "unpin": editor.unpin,
    "setsummary": editor.set_summary,
    "resetsummary": editor.reset_summary,
    "addquote": editor.add_quote,
    "delquote": editor.del_quote,
    "setspeaker": editor.set_speaker,
    "newstory": editor.new_story,
    "settitle": editor.set_title,
    "archive": editor.archive,
    "stats": editor.stats,
    "retry": delivery.retry,
    "audit": editor.audit_command,
    "follow": follow.follow,
    "sources": follow.sources_command,
    "unfollow": follow.unfollow,
}
# /start is every chat's first message, never listed.
COMMANDS: tuple[str, ...] = ("start", *READER_COMMANDS, *EDITOR_COMMANDS)


def register_handlers(app: BotApplication) -> None:
    """Add guards, commands, buttons, documents, fallbacks and the error handler."""
    if unmatched := set(COMMANDS) ^ set(HANDLERS):
        raise RuntimeError(f"commands without a handler or unlisted: {sorted(unmatched)}")
    app.add_handler(TypeHandler(Update, flood_guard), group=GUARD_GROUP)
    for name in COMMANDS:
        # An editor's confirmation waits out minutes of outage: without it, an editor whose
        # /post went through may post it again.
        callback = patient_replies(HANDLERS[name]) if name in EDITOR_COMMANDS else HANDLERS[name]
        # Edited messages are not commands anew: a reader fixing a typo gets no second answer.
        app.add_handler(CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CallbackQueryHandler(reader.ticker_button, pattern=r"^tk:"))
    app.add_handler(CallbackQueryHandler(subscriptions.settings_button, pattern=r"^st:"))
    app.add_handler(CallbackQueryHandler(subscriptions.quiet_hours_button, pattern=r"^qh:"))
    app.add_handler(CallbackQueryHandler(push.push_button, pattern=r"^pu:"))
    app.add_handler(ChatMemberHandler(membership.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CallbackQueryHandler(catchup.missed_button, pattern=r"^ms:"))
    app.add_handler(CallbackQueryHandler(patient_replies(editor.import_button), pattern=r"^i[mx]:"))
    app.add_handler(CallbackQueryHandler(subscriptions.language_button, pattern=r"^lg:"))
    app.add_handler(CallbackQueryHandler(media.media_button, pattern=r"^md:"))
    app.add_handler(
        MessageHandler(
            (
                filters.PHOTO
                | filters.VIDEO
                | filters.ANIMATION
                | filters.Document.ALL
                | filters.AUDIO
                | filters.VOICE
                | filters.VIDEO_NOTE
                | filters.Sticker.ALL
            )
            & filters.ChatType.PRIVATE
            & filters.UpdateType.MESSAGE,
            media.on_media,
        )
    )
    app.add_handler(
        MessageHandler(
            (filters.PHOTO | filters.VIDEO | filters.ANIMATION | filters.Document.ALL)
            & filters.ChatType.PRIVATE
            & filters.UpdateType.EDITED_MESSAGE,
            media.on_edited_media,
        )
    )
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_handler(
        MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, reader.unknown_command)
    )
    app.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE,
            reader.free_text,
        )
    )
    app.add_error_handler(on_error)
