"""The outage breaker: pause every push while the Bot API is down, probe until it answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram.error import RetryAfter

from bot.delivery.clock import Clock
from bot.delivery.errors import FailureKind, classify
from bot.delivery.transport import PoolTimedOut

__all__ = ["OutageBreaker"]

log = logging.getLogger(__name__)


class OutageBreaker:
    """Counts transient failures in a row across chats; past a threshold, pauses and probes."""

    def __init__(
        self,
        probe: Callable[[], Awaitable[object]],
        *,
        clock: Clock,
        on_pause: Callable[[], None],
        on_resume: Callable[[], None],
        failures: int = 8,
        probe_interval: float = 1.0,
        probe_max: float = 30.0,
    ) -> None:
        self._probe_call = probe
        self._clock = clock
        self._on_pause = on_pause
        self._on_resume = on_resume
        self.threshold = failures
        self.probe_interval = probe_interval
        self.probe_max = probe_max
        # Transient failures in a row (across chats) since the last success.
        self._failures = 0
        self._failing_chats: set[int] = set()
        # Pauses in a row that began again before any request went through: getMe answers
        # while pushes still fail (sendMessage down, the rest up). Each one probes later.
        self._relapses = 0
        self._resumed = False
        self._began = 0.0
        self.down_since: float | None = None
        self.up = asyncio.Event()
        self.up.set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def paused(self) -> bool:
        """Whether every push is held for an outage."""
        return self.down_since is not None

    def reset(self) -> None:
        """Start afresh (on the engine's start): up, no failures counted."""
        self._stopping = False
        self.up = asyncio.Event()
        self.up.set()
        self.down_since = None
        self._failures = 0
        self._failing_chats.clear()
        self._relapses = 0
        self._resumed = False

    async def stop(self) -> None:
        """Stop probing."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def success(self) -> None:
        """A request went through: the API is up."""
        self._failures = 0
        self._failing_chats.clear()
        self._relapses = 0
        self._resumed = False

    def failure(self, chat_id: int, exc: Exception) -> None:
        """A request to `chat_id` failed with `exc`; pause if many chats failed in a row."""
        if self.down_since is not None or isinstance(exc, PoolTimedOut):
            return  # already paused; a full local pool says nothing about the API
        failure = classify(exc)
        if failure.kind not in (FailureKind.TRANSIENT, FailureKind.AMBIGUOUS):
            return
        self._failures += 1
        self._failing_chats.add(chat_id)
        # One chat failing again and again is that chat's problem; many chats in a row
        # with no success in between is the API's.
        if self._failures >= self.threshold and len(self._failing_chats) >= 3:
            self._pause(failure.reason)

    def _pause(self, reason: str) -> None:
        self.up.clear()
        if self._resumed:
            # The same outage going on: it keeps its start and is counted once.
            self._relapses += 1
            self.down_since = self._began
        else:
            self.down_since = self._began = self._clock.time()
            self._on_pause()
        if self._relapses == 0:
            log.warning(
                "push: the Bot API failed for %d chats in a row (%s); pausing every push and"
                " probing with getMe",
                len(self._failing_chats),
                reason,
            )
        elif self._relapses % 10 == 1:
            log.warning(
                "push: getMe answers but pushes still fail (%s); pausing again, probing"
                " less often (paused %d times in a row)",
                reason,
                self._relapses + 1,
            )
        self._task = asyncio.create_task(self._probe(), name="push-probe")

    async def _probe(self) -> None:
        """Ask getMe, backing off, until the Bot API answers; then resume every push."""
        # After a relapse the probe starts where the last one's backoff left off: getMe
        # answering says little when pushes failed right after the last time it did.
        delay = min(self.probe_max, self.probe_interval * 2.0 ** min(self._relapses, 32))
        tries = 0
        while not self._stopping:
            await self._clock.sleep(delay)
            tries += 1
            try:
                await self._probe_call()
            except RetryAfter:
                pass  # flood control answers: the API is up
            except Exception as exc:
                if tries % 10 == 1:
                    log.info("push: Bot API still down (%s)", classify(exc).reason)
                delay = min(self.probe_max, delay * 2)
                continue
            break
        if self._stopping:
            return
        down = self._clock.time() - (self.down_since or self._clock.time())
        if self._relapses == 0:
            log.warning("push: the Bot API answers again after %.0fs; resuming", down)
        else:
            log.debug("push: getMe answers after %.0fs; trying pushes again", down)
        self._failures = 0
        self._failing_chats.clear()
        self._resumed = True
        self.down_since = None
        self.up.set()
        self._on_resume()
