"""Refreshing a delivered item with attachments: captions, replaced files, follow-up texts.

A correction edits the caption (editMessageCaption), a replaced file the media
(editMessageMedia), the follow-up texts as text. A retraction deletes every message of the
group (album and follow-ups); what Telegram no longer lets us delete shows the notice. When
the attachments no longer fit the delivered messages (another number, a document for a
photo in an album), the group is deleted and sent anew.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.db.deliveries import RefreshTarget, SentPart
from bot.db.models import TickerItemRecord
from bot.delivery import media
from bot.delivery.attempt import Attempt
from bot.delivery.calls import PushCalls
from bot.delivery.parts import PartEditor
from bot.delivery.render import Renderer

__all__ = ["SURPLUS_PART", "MediaRefresh"]

# What a surplus part of a shortened group shows when Telegram refuses to delete it (older
# than 48 hours): a pointer to the parts above, the same in every language.
SURPLUS_PART = "⤴"


class MediaRefresh:
    """Makes a delivered item with attachments show it as it is now."""

    def __init__(
        self,
        calls: PushCalls,
        parts: PartEditor,
        renderer: Renderer,
        *,
        channel_id: int | None,
    ) -> None:
        self._calls = calls
        self._parts = parts
        self._renderer = renderer
        self._channel_id = channel_id

    async def rerender(
        self, attempt: Attempt, target: RefreshTarget, items: list[TickerItemRecord]
    ) -> None:
        """Edit, replace, delete or resend the group's messages to show the item now."""
        chat_id = target.chat_id
        item = next((i for i in items if i.media), items[0])
        texts = await self._renderer.render_items(chat_id, target.story_id, [item])
        if item.is_retracted:
            notice = texts[0] if texts else SURPLUS_PART
            await self._parts.remove_all(attempt, chat_id, target.parts, notice)
            return
        plan = media.plan(item.media, texts)
        markup = (
            await self._renderer.push_keyboard(chat_id, target.story_id)
            if chat_id != self._channel_id
            else None
        )
        shown = [p for p in target.parts if p.media_kind]
        fits = len(shown) == len(plan.slots) and all(
            (alone and len(plan.slots) == 1)
            or media.album_class(old.media_kind or "") == media.album_class(a.kind)
            for old, (a, _, alone) in zip(shown, plan.slots, strict=True)
        )
        if fits:
            await self._edit_in_place(attempt, target, item, plan, markup)
        else:
            await self._send_anew(attempt, target, item, plan, markup)

    async def _send_anew(
        self,
        attempt: Attempt,
        target: RefreshTarget,
        item: TickerItemRecord,
        plan: media.MediaPlan,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """Delete the group's messages and send the item again as new parts of the group."""
        chat_id = target.chat_id
        item_ids = (item.id,)
        await self._parts.remove_all(attempt, chat_id, target.parts, SURPLUS_PART)

        def record(message_id: int, position: int, shown: tuple[str, str] | None) -> None:
            part = target.next_part + position
            attempt.sent.append(
                SentPart(message_id, item_ids, group_id=target.group_id, part=part, media=shown)
            )

        await self._calls.send_plan(attempt, plan, markup, push=False, sent=record)

    async def _edit_in_place(
        self,
        attempt: Attempt,
        target: RefreshTarget,
        item: TickerItemRecord,
        plan: media.MediaPlan,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """Edit captions, replaced files and follow-ups; add or remove follow-up texts."""
        chat_id = target.chat_id
        carrier = plan.buttons_on
        shown = [p for p in target.parts if p.media_kind]
        follow_ups = [p for p in target.parts if not p.media_kind]
        for n, (part, (attachment, caption, _)) in enumerate(zip(shown, plan.slots, strict=True)):
            keyboard = markup if carrier == n else None
            if part.media_file != attachment.file_unique_id or part.media_kind != attachment.kind:
                await self._parts.edit_media(
                    attempt, chat_id, part.message_id, attachment, caption, keyboard
                )
            elif caption or n == 0 or keyboard is not None:
                await self._parts.edit_caption(attempt, chat_id, part.message_id, caption, keyboard)
        base = len(plan.slots)
        for n, part in enumerate(follow_ups):
            if n < len(plan.follow_ups):
                keyboard = markup if carrier == base + n else None
                await self._parts.edit_text(
                    attempt, chat_id, part.message_id, plan.follow_ups[n], keyboard
                )
            else:
                await self._parts.remove(attempt, chat_id, part, SURPLUS_PART)
        for n, text in enumerate(plan.follow_ups[len(follow_ups) :]):
            position = base + len(follow_ups) + n
            keyboard = markup if carrier == position else None
            message_id = await self._calls.send_text(attempt, text, push=False, markup=keyboard)
            attempt.sent.append(
                SentPart(
                    message_id,
                    (item.id,),
                    group_id=target.group_id,
                    part=target.next_part + n,
                )
            )
