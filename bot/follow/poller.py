"""Polls every followed source on its own schedule, a bounded number at a time.

The schedule itself lives in the store (next_fetch_at), so a restart picks up where the
last run left off and a source's back-off survives it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

JITTER = 0.1  # each fetch comes up to 10 % early: sources spread out, never later than due
MAX_BACKOFF_S = 3600.0
MAX_RETRY_AFTER_S = 6 * 3600.0
IDLE_CHECK_S = 5.0


def next_delay(
    interval: float,
    *,
    failures: int = 0,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next fetch: the interval with jitter, longer after failures.

    Jitter only shortens the interval, so a new entry waits at most one interval; errors
    double the wait up to an hour, and a server's Retry-After is honoured (up to 6 h)."""
    spread = float((rng or random).random())
    if retry_after is not None:
        return min(max(retry_after, interval), MAX_RETRY_AFTER_S) * (1 + JITTER * spread)
    if failures > 0:
        backoff = min(interval * float(2 ** min(failures, 16)), MAX_BACKOFF_S)
        return max(backoff, interval) * (1 + JITTER * spread)
    return interval * (1 - JITTER * spread)


class PollTarget(Protocol):
    """What the poller drives: the follow service."""

    async def due_source_ids(self, now: float, limit: int) -> list[int]: ...

    async def next_due_at(self) -> float | None: ...

    async def poll(self, source_id: int) -> None: ...


class Poller:
    """Runs due fetches concurrently (at most `concurrency`), sleeping until the next is due."""

    def __init__(
        self,
        target: PollTarget,
        *,
        concurrency: int = 16,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.target = target
        self.concurrency = concurrency
        self.clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._stopping = False
        self.polls = 0

    def wake(self) -> None:
        """Look at the schedule now (a source was added or changed)."""
        self._wake.set()

    async def start(self) -> None:
        """Start polling in the background."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="follow-poller")

    async def stop(self) -> None:
        """Stop polling; fetches in flight are cancelled (the next run fetches them again)."""
        self._stopping = True
        self._wake.set()
        tasks = [t for t in (self._task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("follow poller task failed while stopping")
        self._task = None
        self._in_flight.clear()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._launch_due()
                delay = await self._until_next()
            except Exception:
                # A store hiccup must not end following for good: try again shortly.
                log.exception("follow poller could not read the schedule")
                delay = IDLE_CHECK_S
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _launch_due(self) -> None:
        free = self.concurrency - len(self._in_flight)
        if free <= 0:
            return
        due = await self.target.due_source_ids(self.clock(), free + len(self._in_flight))
        for source_id in due:
            if source_id in self._in_flight or len(self._in_flight) >= self.concurrency:
                continue
            task = asyncio.create_task(self._poll_one(source_id), name=f"follow-{source_id}")
            self._in_flight[source_id] = task

    async def _poll_one(self, source_id: int) -> None:
        try:
            await self.target.poll(source_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("polling source %s failed", source_id)
        finally:
            self.polls += 1
            self._in_flight.pop(source_id, None)
            self._wake.set()

    async def _until_next(self) -> float:
        if len(self._in_flight) >= self.concurrency:
            return IDLE_CHECK_S  # a finishing fetch wakes the loop
        due_at = await self.target.next_due_at()
        if due_at is None:
            return IDLE_CHECK_S
        wait = due_at - self.clock()
        if wait <= 0 and self._in_flight:
            # What is due is being fetched (its schedule moves when it finishes) or waits
            # for a free slot: either way a finishing fetch wakes the loop.
            return IDLE_CHECK_S
        return min(max(wait, 0.05), IDLE_CHECK_S)
