"""The send operations: new items (text packs or attachments) and final recaps to one chat."""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardMarkup

from bot.db.deliveries import GroupResult, SentPart, item_version
from bot.db.models import TickerItemRecord
from bot.db.outcomes import Cancel
from bot.delivery import media
from bot.delivery.attempt import Attempt, Released
from bot.delivery.calls import PushCalls
from bot.delivery.errors import classify
from bot.delivery.items import ItemCache
from bot.delivery.late import LateCopies
from bot.delivery.render import Renderer, pack
from bot.delivery.transport import ReadTimedOut
from bot.delivery.verdicts import Verdicts

__all__ = ["Sending"]

# The version recorded for a media push that failed half-way: never an item's real one,
# so the store queues a refresh of the group that completes it.
_INCOMPLETE = 0


class Sending:
    """Sends a claimed group of new items, or a recap, and says what became of each row."""

    def __init__(
        self,
        calls: PushCalls,
        renderer: Renderer,
        items: ItemCache,
        verdicts: Verdicts,
        late: LateCopies,
        *,
        channel_id: int | None,
    ) -> None:
        self._calls = calls
        self._late = late
        self._renderer = renderer
        self._items = items
        self._verdicts = verdicts
        self._channel_id = channel_id

    async def items(self, attempt: Attempt) -> list[GroupResult]:
        """Send the group's items, packed into as few messages as they fit."""
        group = attempt.group
        rows = group.rows
        items = await self._items.load([r.item_id for r in rows if r.item_id is not None])
        out: list[GroupResult] = []
        dropped = [r.id for r in rows if r.item_id not in items or items[r.item_id].is_retracted]
        if dropped:
            out.append(
                GroupResult(
                    group.chat_id,
                    group.story_id,
                    "item",
                    rest_ids=dropped,
                    outcome=Cancel("retracted"),
                )
            )
        gone = set(dropped)
        live_rows = [r for r in rows if r.id not in gone]
        live = sorted(
            {r.item_id: items[r.item_id] for r in live_rows if r.item_id is not None}.values(),
            key=lambda i: (i.position, i.id),
        )
        by_item: dict[int, list[int]] = {}
        for r in live_rows:
            if r.item_id is not None:
                by_item.setdefault(r.item_id, []).append(r.id)
        packs = await pack(self._renderer, group.chat_id, group.story_id, live)
        try:
            for pack_items, texts in packs:
                await self._send_pack(attempt, pack_items, texts, by_item)
        except Released as exc:
            out.append(self._verdicts.release(attempt, exc.delay))
            return out
        except Exception as exc:
            out.append(self._verdicts.failure(attempt, classify(exc), kept=dropped))
            return out
        out.append(
            GroupResult(group.chat_id, group.story_id, "item", done=attempt.done, sent=attempt.sent)
        )
        return out

    async def _send_pack(
        self,
        attempt: Attempt,
        pack_items: list[TickerItemRecord],
        texts: list[str],
        by_item: dict[int, list[int]],
    ) -> None:
        group = attempt.group
        ids = tuple(i.id for i in pack_items)
        versions = tuple(
            (i.id, item_version(i.headline, i.body, i.corrected_at, i.retracted_at))
            for i in pack_items
        )
        to_subscriber = group.chat_id != self._channel_id
        markup = (
            await self._renderer.push_keyboard(group.chat_id, group.story_id)
            if to_subscriber
            else None
        )
        if len(pack_items) == 1 and pack_items[0].media:
            await self._send_media_item(
                attempt, pack_items[0], texts, versions, markup, push=to_subscriber
            )
            return
        first: int | None = None
        for part, text in enumerate(texts):
            try:
                message_id = await self._calls.send_text(
                    attempt,
                    text,
                    push=to_subscriber,
                    markup=markup if part == len(texts) - 1 else None,
                )
            except ReadTimedOut as exc:
                if exc.late is not None:
                    if len(texts) == 1:
                        rows = [d for i in ids for d in by_item.get(i, [])]
                        self._late.watch(exc.late, group, ids, versions, rows)
                    else:
                        # A part of a split item: the resend sends the whole item again,
                        # and a lone late part has no group to belong to.
                        exc.late.cancel()
                raise
            first = message_id if first is None else first
            # The parts of one pack are one group: a correction re-renders them all.
            attempt.sent.append(SentPart(message_id, ids, versions, first, part))
        for item_id in ids:
            attempt.done += [(d, first) for d in by_item.get(item_id, [])]

    async def _send_media_item(
        self,
        attempt: Attempt,
        item: TickerItemRecord,
        texts: list[str],
        versions: tuple[tuple[int, int], ...],
        markup: InlineKeyboardMarkup | None,
        *,
        push: bool,
    ) -> None:
        """Send an item's attachments (caption on the first) and the rest of its text.

        Once the first message is out the item counts as delivered to the chat: a failure
        after it is recorded with the parts that went out, marked so that a refresh of the
        group sends the missing ones, instead of the whole item going out a second time."""
        plan = media.plan(item.media, texts)
        ids = (item.id,)
        rows = [r.id for r in attempt.group.rows if r.item_id == item.id]
        first: int | None = None

        def record(message_id: int, position: int, shown: tuple[str, str] | None) -> None:
            nonlocal first
            if shown is not None:
                first = message_id if first is None else first
            attempt.sent.append(SentPart(message_id, ids, versions, first, position, shown))
            if first is not None and not any(d in rows for d, _ in attempt.done):
                attempt.done += [(d, first) for d in rows]

        try:
            await self._calls.send_plan(attempt, plan, markup, push=push, sent=record)
        except Exception:
            if first is not None:
                # What went out stays recorded; a version no rendering has makes the store
                # queue a refresh of the group, which sends what is missing.
                incomplete = tuple((i, _INCOMPLETE) for i, _ in versions)
                attempt.sent = [
                    replace(p, versions=incomplete) if p.group == first else p for p in attempt.sent
                ]
            raise

    async def recap(self, attempt: Attempt) -> list[GroupResult]:
        """Send an archived story's final recap; it ends the subscriptions it reached."""
        group = attempt.group
        text = await self._renderer.render_recap(group.chat_id, group.story_id)
        message_id = await self._calls.send_text(attempt, text, push=True)
        attempt.sent.append(SentPart(message_id, ()))
        attempt.done = [(r.id, None) for r in group.rows]
        return [
            GroupResult(
                group.chat_id,
                group.story_id,
                "recap",
                done=attempt.done,
                sent=attempt.sent,
                sub_ids=[r.sub_id for r in group.rows if r.sub_id is not None],
            )
        ]
