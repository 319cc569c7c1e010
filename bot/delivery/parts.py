"""Changing one delivered message of a group: edit it, delete it, or show a notice instead.

Each change is recorded in the attempt as it happens (corrected, deleted, gone), so a
refresh that fails half-way is retried from what the store then knows of the group.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from telegram import InlineKeyboardMarkup

from bot.db import deliveries as outbox
from bot.db.deliveries import GroupPart
from bot.db.models import Attachment
from bot.delivery.attempt import Attempt
from bot.delivery.calls import PushCalls
from bot.delivery.clock import Clock
from bot.delivery.errors import FailureKind, classify
from bot.delivery.stats import EngineStats
from bot.texts import split_caption

__all__ = ["DELETE_BATCH", "PartEditor"]

# deleteMessages takes 1 to 100 message ids.
DELETE_BATCH = 100


class PartEditor:
    """Edits and deletes single messages of delivered groups, recording each in the attempt."""

    def __init__(self, calls: PushCalls, *, clock: Clock, stats: EngineStats) -> None:
        self._calls = calls
        self._clock = clock
        self._stats = stats

    def deletable(self, part: GroupPart) -> bool:
        """Whether Telegram still lets the bot delete the message (younger than 48 hours)."""
        return self._clock.time() - part.sent_at < outbox.DELETE_WINDOW_SECONDS

    async def remove(self, attempt: Attempt, chat_id: int, part: GroupPart, notice: str) -> None:
        """Delete one message of a group; where Telegram refuses, make it show `notice`."""
        if self.deletable(part) and await self.delete(attempt, chat_id, part.message_id):
            return
        if part.media_kind:
            caption, _ = split_caption(notice)  # a caption holds less than a message
            await self.edit_caption(attempt, chat_id, part.message_id, caption, None)
        else:
            await self.edit_text(attempt, chat_id, part.message_id, notice)

    async def remove_all(
        self, attempt: Attempt, chat_id: int, parts: Sequence[GroupPart], notice: str
    ) -> None:
        """Delete messages of a group together; those Telegram refuses show `notice`.

        An album of ten deleted one by one takes ten seconds at a chat's pace of one call
        a second; deleteMessages takes one call for up to a hundred."""
        batch = [part for part in parts if self.deletable(part)]
        if len(batch) > 1:
            for start in range(0, len(batch), DELETE_BATCH):
                chunk = batch[start : start + DELETE_BATCH]
                if await self._delete_together(attempt, chat_id, chunk):
                    done = {part.message_id for part in chunk}
                    parts = [part for part in parts if part.message_id not in done]
        for part in parts:
            await self.remove(attempt, chat_id, part, notice)

    async def _delete_together(
        self, attempt: Attempt, chat_id: int, chunk: list[GroupPart]
    ) -> bool:
        """One deleteMessages call; False where Telegram refuses (then one by one)."""
        try:
            await self._calls.delete_many(attempt, chat_id, [part.message_id for part in chunk])
        except Exception as exc:
            if classify(exc).kind is FailureKind.CANT_DELETE:
                return False
            raise
        # Telegram skips the messages it cannot find: gone either way.
        self._stats.deleted += len(chunk)
        attempt.refreshed.extend((part.message_id, "deleted") for part in chunk)
        return True

    async def edit_text(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Edit one message of a group to show `text` (and `markup`'s buttons)."""

        async def edit() -> None:
            await self._calls.edit_text(attempt, chat_id, message_id, text, markup)

        await self._edit(attempt, message_id, edit)

    async def edit_caption(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """Edit the caption (and buttons) of one delivered attachment."""

        async def edit() -> None:
            await self._calls.edit_caption(attempt, chat_id, message_id, caption, markup)

        await self._edit(attempt, message_id, edit)

    async def edit_media(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        attachment: Attachment,
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """Replace the attachment of one delivered message."""

        async def edit() -> None:
            await self._calls.edit_media(attempt, chat_id, message_id, attachment, caption, markup)

        if await self._edit(attempt, message_id, edit):
            attempt.media_changed.append(
                (message_id, attachment.kind.value, attachment.file_unique_id)
            )

    async def _edit(
        self, attempt: Attempt, message_id: int, edit: Callable[[], Awaitable[None]]
    ) -> bool:
        """Run an edit of one message; whether it shows the new state (False: gone)."""
        try:
            await edit()
        except Exception as exc:
            kind = classify(exc).kind
            if kind is FailureKind.MESSAGE_GONE:
                attempt.refreshed.append((message_id, "gone"))
                return False
            if kind is not FailureKind.NOT_MODIFIED:  # not modified: it shows it already
                raise
        else:
            self._stats.edited += 1
        attempt.refreshed.append((message_id, "corrected"))
        return True

    async def delete(self, attempt: Attempt, chat_id: int, message_id: int) -> bool:
        """Delete one message of a group; False if Telegram refuses to."""
        try:
            await self._calls.delete(attempt, chat_id, message_id)
        except Exception as exc:
            kind = classify(exc).kind
            if kind is FailureKind.CANT_DELETE:
                return False
            if kind is not FailureKind.MESSAGE_GONE:
                raise
            # Already gone (deleted by a refresh that crashed before recording it, or by hand).
            attempt.refreshed.append((message_id, "gone"))
            return True
        self._stats.deleted += 1
        attempt.refreshed.append((message_id, "deleted"))
        return True
