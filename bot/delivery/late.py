"""Late answers: pushes whose answer came after the read timeout, and the copies they made.

A read timeout is ambiguous (design.md §4): the message may have gone out, so the group is
resent once. The transport goes on listening for the first answer; if it comes, the first
copy exists, and this settles it: it is the delivery if the resend has not gone out yet, it
is deleted if another copy was delivered meanwhile, and in any case it is recorded, so that
a correction or retraction reaches it like any other copy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.db import deliveries as outbox
from bot.db.connection import Database
from bot.db.deliveries import GroupResult, LateCopy, SentPart
from bot.delivery.attempt import Attempt, Group
from bot.delivery.calls import PushCalls
from bot.delivery.clock import Clock
from bot.delivery.stats import EngineStats
from bot.delivery.transport import LateAnswer

__all__ = ["LateCopies"]

log = logging.getLogger(__name__)


class LateCopies:
    """Waits for late answers of timed-out sends and records the copies they report."""

    def __init__(self, db: Database, calls: PushCalls, *, clock: Clock, stats: EngineStats) -> None:
        self._db = db
        self._calls = calls
        self._clock = clock
        self._stats = stats
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def listening(self) -> int:
        """Late answers still awaited."""
        return len(self._tasks)

    def watch(
        self,
        late: LateAnswer,
        group: Group,
        item_ids: tuple[int, ...],
        versions: tuple[tuple[int, int], ...],
        delivery_ids: Sequence[int],
    ) -> None:
        """Settle the copy the timed-out send of `item_ids` made, if its answer comes."""
        task = asyncio.create_task(
            self._settle(late, group, item_ids, versions, list(delivery_ids)), name="late-copy"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Stop waiting: a copy whose answer has not come stays unknown (as before a crash)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _settle(
        self,
        late: LateAnswer,
        group: Group,
        item_ids: tuple[int, ...],
        versions: tuple[tuple[int, int], ...],
        delivery_ids: list[int],
    ) -> None:
        try:
            result = await late.result()
            message_id = int(result["message_id"])
        except asyncio.CancelledError:
            raise
        except Exception:
            return  # no answer after all, or an error: no message was made
        self._stats.late_copies += 1
        chat_id, story_id = group.chat_id, group.story_id
        copy = SentPart(message_id, item_ids, versions)
        try:
            fate = await outbox.record_late_copy(
                self._db, chat_id, story_id, copy, delivery_ids, now=self._clock.time()
            )
        except Exception:
            log.exception("push: recording a late-answered copy failed")
            return
        if fate is not LateCopy.REDUNDANT:
            return
        attempt = Attempt(Group(chat_id, story_id, "item", []))
        try:
            await self._calls.delete(attempt, chat_id, message_id)
            await outbox.apply_results(
                self._db,
                [GroupResult(chat_id, story_id, "refresh", refreshed=[(message_id, "deleted")])],
                now=self._clock.time(),
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Still recorded: corrections and retractions reach the extra copy.
            log.info("push: an extra copy could not be deleted: %s", type(exc).__name__)
            return
        self._stats.late_copies_deleted += 1
