"""my_chat_member: a chat that blocks or removes the bot stops getting pushes at once."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update

from bot.context import BotContext
from bot.services import subscriptions

log = logging.getLogger(__name__)

_GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})
_IN = frozenset(
    {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}
)


async def my_chat_member(update: Update, context: BotContext) -> None:
    """Blocked (kicked) or removed: deactivate now, no send is wasted on the 403; unblocked
    or added back: the subscriptions that were stopped that way are active again."""
    change = update.my_chat_member
    if change is None:
        return
    chat_id = change.chat.id
    old, new = change.old_chat_member.status, change.new_chat_member.status
    db = context.state.db
    if new in _GONE and old not in _GONE:
        await subscriptions.chat_left(db, chat_id)
        log.info("chat %s blocked or removed the bot: its pushes stop", chat_id)
    elif new in _IN and old in _GONE:
        back = await subscriptions.chat_returned(db, chat_id)
        log.info("chat %s is back: %d subscriptions active again", chat_id, back)
