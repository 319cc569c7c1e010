"""The engine's sense of time, injectable so tests can play an outage of minutes in seconds."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Protocol


class Clock(Protocol):
    """Wall time for the outbox, monotonic time for pacing, and sleeping on that time."""

    def time(self) -> float:
        """Unix seconds (what the outbox stores)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (pacing, budgets)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        ...

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        """Wait for `event` at most `seconds` of this clock's time; whether it was set."""
        ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        """Unix seconds."""
        return time.time()

    def monotonic(self) -> float:
        """The process's monotonic clock."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """asyncio.sleep."""
        await asyncio.sleep(max(0.0, seconds))

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        """Wait for the event with a timeout."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(0.0, seconds))
        return event.is_set()


SYSTEM_CLOCK = SystemClock()
