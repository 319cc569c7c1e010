"""The refresh operation: make a delivered group of messages show its items as they are now.

A correction re-renders the whole group: part n of the new rendering goes into the group's
n-th message, extra parts go out as new messages of the group, surplus messages are deleted
(or, past Telegram's 48 hours, edited to a short notice). A retraction deletes the group.
Items with attachments are refreshed by `refresh_media`.
"""

from __future__ import annotations

from bot.db import deliveries as outbox
from bot.db.connection import Database
from bot.db.deliveries import GroupResult, RefreshTarget, SentPart
from bot.db.models import TickerItemRecord
from bot.db.outcomes import Cancel
from bot.delivery.attempt import Attempt, Released
from bot.delivery.calls import PushCalls
from bot.delivery.clock import Clock
from bot.delivery.items import ItemCache
from bot.delivery.parts import PartEditor
from bot.delivery.refresh_media import SURPLUS_PART, MediaRefresh
from bot.delivery.render import Renderer
from bot.delivery.writer import OutcomeWriter

__all__ = ["Refreshing"]

# How often a refresh looks whether the chat's previous refresh is recorded, at most.
_WAIT_FOR_RECORD_TRIES = 50


class Refreshing:
    """Re-renders delivered groups of messages in place after corrections and retractions."""

    def __init__(
        self,
        db: Database,
        calls: PushCalls,
        parts: PartEditor,
        renderer: Renderer,
        items: ItemCache,
        writer: OutcomeWriter,
        *,
        clock: Clock,
        channel_id: int | None,
    ) -> None:
        self._db = db
        self._calls = calls
        self._parts = parts
        self._renderer = renderer
        self._items = items
        self._writer = writer
        self._clock = clock
        self._channel_id = channel_id
        self._media = MediaRefresh(calls, parts, renderer, channel_id=channel_id)

    async def run(self, attempt: Attempt) -> list[GroupResult]:
        """Refresh the delivered group the attempt's rows name; a failure half-way raises."""
        group = attempt.group
        chat_id, group_id = group.chat_id, group.rows[0].message_id
        ids = [r.id for r in group.rows]
        # The chat's previous refresh may have added or deleted parts of this very group:
        # read the group only once that is recorded, or those parts would be added again.
        for _ in range(_WAIT_FOR_RECORD_TRIES):
            if not self._writer.refresh_pending(chat_id):
                break
            await self._clock.sleep(max(self._writer.flush_interval, 0.01))
        else:
            raise Released(1.0)
        target = (
            await outbox.refresh_target(self._db, chat_id, group_id)
            if group_id is not None
            else None
        )
        if target is None or not target.parts:
            return [
                GroupResult(
                    chat_id,
                    group.story_id,
                    "refresh",
                    rest_ids=ids,
                    outcome=Cancel("message already gone"),
                )
            ]
        items = list((await self._items.load(target.item_ids, fresh=True)).values())
        items.sort(key=lambda i: (i.position, i.id))
        if not items:
            return [
                GroupResult(
                    chat_id, group.story_id, "refresh", rest_ids=ids, outcome=Cancel("no items")
                )
            ]
        # A failure half-way is recorded with what the attempt did (the sender pool): the
        # retry finds the parts already added or deleted and continues from there.
        if any(p.media_kind for p in target.parts) or any(i.media for i in items):
            await self._media.rerender(attempt, target, items)
        else:
            await self._rerender(attempt, target, items)
        attempt.done = [(i, None) for i in ids]
        return [
            GroupResult(
                chat_id,
                target.story_id,
                "refresh",
                done=attempt.done,
                sent=attempt.sent,
                refreshed=attempt.refreshed,
                media_changed=attempt.media_changed,
            )
        ]

    async def _rerender(
        self, attempt: Attempt, target: RefreshTarget, items: list[TickerItemRecord]
    ) -> None:
        """Make a delivered group of text messages show its items as they are now."""
        chat_id = target.chat_id
        texts = await self._renderer.render_items(chat_id, target.story_id, items)
        retracted = all(i.is_retracted for i in items)
        # A retracted group goes (where it still can); its notice stands in for what cannot.
        keep = [] if retracted else texts
        notice = texts[0] if retracted and texts else SURPLUS_PART
        item_ids = tuple(i.id for i in items)
        # An edit without reply_markup removes the buttons: the last part gets them again.
        markup = (
            await self._renderer.push_keyboard(chat_id, target.story_id)
            if keep and chat_id != self._channel_id
            else None
        )
        last = len(keep) - 1
        for n, part in enumerate(target.parts[: len(keep)]):
            keyboard = markup if n == last else None
            await self._parts.edit_text(attempt, chat_id, part.message_id, keep[n], keyboard)
        # Deleted; older than 48 hours, or where Telegram refuses: the notice.
        await self._parts.remove_all(attempt, chat_id, target.parts[len(keep) :], notice)
        # A correction that no longer fits the group's messages: the rest goes out as new
        # messages of the group, so later edits and retractions reach every part.
        for n, text in enumerate(keep[len(target.parts) :]):
            at_end = len(target.parts) + n == last
            keyboard = markup if at_end else None
            new_id = await self._calls.send_text(attempt, text, push=False, markup=keyboard)
            attempt.sent.append(
                SentPart(new_id, item_ids, group_id=target.group_id, part=target.next_part + n)
            )
