"""The outcome writer: records the engine's group results in batched transactions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from bot.db import deliveries as outbox
from bot.db.connection import Database
from bot.db.deliveries import GroupResult
from bot.delivery.clock import Clock

__all__ = ["OutcomeWriter"]

log = logging.getLogger(__name__)

# Results recorded in one transaction at most. The store's write lock is the whole store's
# (SQLite): a batch of 100-140 held it for 20-90 ms at a million subscribers, and an
# editor's command waited behind it. A batch of this size holds it for a few milliseconds.
MAX_BATCH = 32
BATCH_GAP_S = 0.002


class OutcomeWriter:
    """Gathers results for `flush_interval`, then records them in one transaction."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        flush_interval: float,
        on_recorded: Callable[[Sequence[GroupResult]], None],
        stopping: Callable[[], bool],
    ) -> None:
        self._db = db
        self._clock = clock
        self.flush_interval = flush_interval
        self._on_recorded = on_recorded
        self._stopping = stopping
        self._results: list[GroupResult] = []
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        # Chats with refresh outcomes not yet committed: the next refresh of a chat must see
        # the parts the previous one added or deleted, or it would add them again.
        self._unrecorded: dict[int, int] = {}

    @property
    def pending(self) -> int:
        """Results handed in and not yet recorded."""
        return len(self._results)

    def refresh_pending(self, chat_id: int) -> bool:
        """Whether a refresh of `chat_id` awaits recording."""
        return bool(self._unrecorded.get(chat_id))

    def start(self) -> None:
        """Start the background task that flushes as results arrive."""
        self._closing = False
        self._task = asyncio.create_task(self._run(), name="push-writer")

    def add(self, result: GroupResult) -> None:
        """Hand in one group's result; it is recorded with the next batch."""
        if result.kind == "refresh":
            chat = result.chat_id
            self._unrecorded[chat] = self._unrecorded.get(chat, 0) + 1
        self._results.append(result)
        self._ready.set()

    async def close(self, drain_within: float) -> None:
        """Finish the flush under way, stop the task, and record whatever is left."""
        if self._task is not None:
            # Never cancel the writer inside its transaction (that leaves it open and the
            # last outcomes unrecorded): ask it to finish its flush and return.
            self._closing = True
            self._ready.set()
            _, late = await asyncio.wait({self._task}, timeout=drain_within)
            for task in late:
                task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while not self._closing:
            await self._ready.wait()
            if self._closing:
                break
            # Let outcomes gather for a moment: one transaction records many of them.
            await asyncio.sleep(self.flush_interval)
            await self.flush()

    async def flush(self) -> None:
        """Record every result handed in so far; on a failure keep them and retry."""
        while self._results:
            batch, self._results = self._results[:MAX_BATCH], self._results[MAX_BATCH:]
            if not self._results:
                self._ready.clear()
            try:
                await outbox.apply_results(self._db, batch, now=self._clock.time())
                self._recorded(batch)
            except asyncio.CancelledError:
                self._results = batch + self._results
                raise
            except Exception:
                # The rows stay claimed in the database: put them back and try again.
                log.exception("push: recording %d outcomes failed; retrying", len(batch))
                self._results = batch + self._results
                if self._stopping():
                    return
                await asyncio.sleep(0.5)
            else:
                self._on_recorded(batch)
                if self._results:
                    # Another process (the bot's commands, with the engine in a process of
                    # its own) may be waiting for SQLite's write lock: let it in between.
                    await asyncio.sleep(BATCH_GAP_S)

    def _recorded(self, results: Sequence[GroupResult]) -> None:
        for result in results:
            if result.kind == "refresh":
                chat = result.chat_id
                left = self._unrecorded.get(chat, 0) - 1
                if left > 0:
                    self._unrecorded[chat] = left
                else:
                    self._unrecorded.pop(chat, None)
