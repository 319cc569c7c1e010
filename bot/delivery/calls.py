"""Bot API calls for pushes: each within the shared budget and the chat's pace, 429s waited.

Every call of the engine goes through `PushCalls.run`, which waits for the chat's slot and
the budget, marks the attempt in flight while the request is out (a cancel then may leave a
sent message: the rows stay claimed), holds the chat after its own 429 and tells the outage
breaker about every success and failure.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import RetryAfter

from bot.db.models import Attachment
from bot.delivery import media
from bot.delivery.attempt import Attempt, Released
from bot.delivery.clock import Clock
from bot.delivery.outage import OutageBreaker
from bot.delivery.ratelimit import PRIORITY_PUSH, ChatPacer, SendBudget, retry_after_seconds
from bot.delivery.render import Renderer
from bot.delivery.stats import EngineStats
from bot.delivery.transport import JsonTransport

__all__ = ["PushCalls"]

_R = TypeVar("_R")
# Called by a request the moment its bytes go out (after any connect): its grants enter
# the budget's window then.
WentOut = Callable[[], None]

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# A send waits out at most this many 429s before the group is given back.
_MAX_RETRY_AFTERS = 20


class SendBodies:
    """sendMessage bodies encoded once per distinct message: only the chat id differs."""

    def __init__(self, limit: int = 256) -> None:
        self._limit = limit
        self._tails: dict[tuple[object, ...], tuple[object, bytes]] = {}

    def encode(self, payload: dict[str, object], markup: object) -> bytes:
        """`payload` as a JSON body; `markup` is the keyboard object its reply_markup came from.

        A fan-out sends the same text and buttons to every chat of a language, and encoding
        them was a few per cent of a push's CPU. The key holds what varies between pushes
        (text, keyboard, paid broadcast, topic); the rest of a push's payload is constant.
        """
        key = (
            payload["text"],
            id(markup),
            payload.get("allow_paid_broadcast"),
            payload.get("message_thread_id"),
        )
        cached = self._tails.get(key)
        # The entry holds the keyboard itself, so its id cannot be reused while cached.
        if cached is None or cached[0] is not markup:
            if len(self._tails) >= self._limit:
                self._tails.clear()
            rest = {k: v for k, v in payload.items() if k != "chat_id"}
            tail = json.dumps(rest, ensure_ascii=False, separators=(",", ":")).encode()
            cached = self._tails[key] = (markup, b"," + tail[1:])
        return b'{"chat_id":' + str(payload["chat_id"]).encode() + cached[1]


class PushCalls:
    """The engine's Bot API requests (send, edit, delete), each run within the limits."""

    def __init__(
        self,
        bot: Bot,
        renderer: Renderer,
        *,
        budget: SendBudget,
        pacer: ChatPacer,
        outage: OutageBreaker,
        clock: Clock,
        stats: EngineStats,
        paid: bool,
        channel_id: int | None,
        stopping: Callable[[], bool],
    ) -> None:
        self.bot = bot
        self._renderer = renderer
        self._budget = budget
        self._pacer = pacer
        self._outage = outage
        self._clock = clock
        self._stats = stats
        self._paid = paid
        self.channel_id = channel_id
        self._stopping = stopping
        # Pushes through our own transport skip PTB's Message objects (see call_json).
        request = bot.request
        self._fast = request if isinstance(request, JsonTransport) else None
        self._send_url = f"{bot.base_url}/sendMessage"
        self._markups: dict[int, tuple[InlineKeyboardMarkup, object]] = {}
        self._bodies = SendBodies()

    async def _thread(self, attempt: Attempt) -> int | None:
        # A subscription made in a forum topic pushes to that topic.
        group = attempt.group
        if group.chat_id == self.channel_id:
            return None
        return await self._renderer.topic(group.chat_id, group.story_id)

    async def send_text(
        self,
        attempt: Attempt,
        text: str,
        *,
        push: bool,
        markup: InlineKeyboardMarkup | None = None,
    ) -> int:
        """Send one HTML message to the attempt's chat; its message id."""
        chat_id = attempt.group.chat_id
        paid = self._paid and push
        fast = self._fast
        thread = await self._thread(attempt)

        async def send(went_out: WentOut) -> int:
            if fast is not None:
                payload: dict[str, object] = {
                    "chat_id": chat_id,
                    "text": text,
                    "parse_mode": "HTML",
                    "link_preview_options": {"is_disabled": True},
                }
                if paid:
                    payload["allow_paid_broadcast"] = True
                if markup is not None:
                    payload["reply_markup"] = self._markup_json(markup)
                if thread is not None:
                    payload["message_thread_id"] = thread
                result = await fast.call_json(
                    self._send_url,
                    payload,
                    encoded=self._bodies.encode(payload, markup),
                    on_write=went_out,
                )
                return int(result["message_id"])
            went_out()
            message = await self.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                allow_paid_broadcast=True if paid else None,
                reply_markup=markup,
                message_thread_id=thread,
            )
            return message.message_id

        message_id = await self.run(attempt, chat_id, send)
        self._stats.sent += 1
        return message_id

    async def send_media(
        self,
        attempt: Attempt,
        request: media.MediaSend,
        markup: InlineKeyboardMarkup | None,
        *,
        push: bool,
    ) -> list[int]:
        """Send attachments (one, or an album) to the attempt's chat; their message ids."""
        chat_id = attempt.group.chat_id
        paid = self._paid and push
        thread = await self._thread(attempt)

        async def send(went_out: WentOut) -> list[int]:
            went_out()
            return await media.send(
                self.bot, chat_id, request, markup=markup, thread=thread, paid=paid
            )

        message_ids = await self.run(attempt, chat_id, send, cost=len(request.attachments))
        self._stats.sent += len(message_ids)
        return message_ids

    async def send_plan(
        self,
        attempt: Attempt,
        plan: media.MediaPlan,
        markup: InlineKeyboardMarkup | None,
        *,
        push: bool,
        sent: Callable[[int, int, tuple[str, str] | None], None],
    ) -> None:
        """Send an item's attachments, then its follow-up texts, with the buttons on the
        plan's carrier; `sent` hears of each message: its id, its place in the plan, and
        the attachment it shows (kind, file_unique_id), None for a text."""
        carrier = plan.buttons_on
        position = 0
        for request in plan.sends:
            n = len(request.attachments)
            # An album takes no buttons: they go on a single attachment or a text.
            keyboard = markup if carrier == position + n - 1 and n == 1 else None
            message_ids = await self.send_media(attempt, request, keyboard, push=push)
            for attachment, message_id in zip(request.attachments, message_ids, strict=False):
                sent(message_id, position, (attachment.kind.value, attachment.file_unique_id))
                position += 1
        for text in plan.follow_ups:
            keyboard = markup if carrier == position else None
            message_id = await self.send_text(attempt, text, push=push, markup=keyboard)
            sent(message_id, position, None)
            position += 1

    async def edit_text(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """Make a delivered message show `text` (and `markup`'s buttons)."""

        async def edit(went_out: WentOut) -> int:
            went_out()
            await self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                reply_markup=markup,
            )
            return message_id

        await self.run(attempt, chat_id, edit)

    async def edit_caption(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """Edit the caption (and buttons) of a delivered attachment."""

        async def edit(went_out: WentOut) -> int:
            went_out()
            return await media.edit_caption(self.bot, chat_id, message_id, caption, markup)

        await self.run(attempt, chat_id, edit)

    async def edit_media(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        attachment: Attachment,
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """Replace the attachment of a delivered message."""

        async def edit(went_out: WentOut) -> int:
            went_out()
            return await media.edit_media(
                self.bot, chat_id, message_id, attachment, caption, markup
            )

        await self.run(attempt, chat_id, edit)

    async def delete(self, attempt: Attempt, chat_id: int, message_id: int) -> None:
        """Delete a delivered message."""

        async def delete(went_out: WentOut) -> int:
            went_out()
            await self.bot.delete_message(chat_id=chat_id, message_id=message_id)
            return message_id

        await self.run(attempt, chat_id, delete)

    async def delete_many(self, attempt: Attempt, chat_id: int, message_ids: list[int]) -> None:
        """Delete several delivered messages of one chat in one call (deleteMessages)."""

        async def delete(went_out: WentOut) -> int:
            went_out()
            await self.bot.delete_messages(chat_id=chat_id, message_ids=message_ids)
            return message_ids[0]

        await self.run(attempt, chat_id, delete)

    def _markup_json(self, markup: InlineKeyboardMarkup) -> object:
        # The renderer hands out one keyboard object per story and language: serialise each
        # once, not once per message (it is a good part of a push's CPU otherwise).
        cached = self._markups.get(id(markup))
        if cached is None or cached[0] is not markup:
            if len(self._markups) > 1000:
                self._markups.clear()
            cached = self._markups[id(markup)] = (markup, markup.to_dict())
        return cached[1]

    async def run(
        self,
        attempt: Attempt,
        chat_id: int,
        request: Callable[[WentOut], Awaitable[_R]],
        *,
        cost: int = 1,
    ) -> _R:
        """Run one Bot API call within the limits; wait out 429s (not failed attempts).

        `cost` is how many messages the call makes (an album of N makes N): that many count
        against the shared budget and the chat's pace."""
        pacer, budget, clock = self._pacer, self._budget, self._clock
        for tries in range(_MAX_RETRY_AFTERS):
            if self._outage.paused:
                # Paused: the Bot API is down. Give the group back instead of failing it.
                raise Released(0.0)
            # Subsequent messages of one group respect the chat's own pace, and so do
            # replies to the same chat that took its slot while the budget was awaited.
            held = 0  # grants taken for this call and not yet on the wire
            try:
                for _ in range(1000):
                    wait = pacer.ready_at(chat_id) - clock.monotonic()
                    if wait > 0:
                        await clock.sleep(wait)
                    for _ in range(cost):
                        await budget.acquire(PRIORITY_PUSH, deferred=True)
                        held += 1
                    now = clock.monotonic()
                    # A bot-wide 429 that came back while this send waited holds it too.
                    if pacer.ready_at(chat_id) <= now and budget.paused_until <= now:
                        break
                    budget.on_wire(held)  # spent waiting: counted as sent, as before
                    held = 0
            except BaseException:
                budget.on_wire(held)  # cancelled while waiting: the slots count as used
                raise
            grants = _HeldGrants(budget, held)
            pacer.sent(chat_id, count=cost)
            attempt.in_flight = True
            try:
                result = await request(grants.went_out)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                # A 429 is no failed attempt. It holds this chat only, unless several chats
                # got one at once: then the limit is bot-wide and every send waits.
                self._stats.retry_after += 1
                pacer.hold(chat_id, seconds)
                last = tries == _MAX_RETRY_AFTERS - 1
                if not budget.flood(chat_id, seconds) or self._stopping() or last:
                    raise Released(seconds) from None
            except Exception as exc:
                self._outage.failure(chat_id, exc)
                raise
            else:
                self._outage.success()
                return result
            finally:
                # A request that failed before it wrote: its slots count as used.
                grants.went_out()
                attempt.in_flight = False
        raise Released(1.0)


class _HeldGrants:
    """The budget's grants one call holds until its bytes go out, entered in its window once.

    Logged before the request, a send that first had to open a connection (30 ms and more
    while a fan-out opens hundreds) went out later than the window had it: the server
    counted 1068 in a second where the budget had allowed 1000.
    """

    __slots__ = ("_budget", "_count")

    def __init__(self, budget: SendBudget, count: int) -> None:
        self._budget = budget
        self._count = count

    def went_out(self) -> None:
        """The call's bytes go out now."""
        if self._count:
            self._budget.on_wire(self._count)
            self._count = 0
