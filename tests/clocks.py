"""Clocks for tests that must not depend on how fast the machine is.

SteppedClock serves components with one sleeper (the send budget's dispatcher): time stands
still until it sleeps, and its sleep moves time on by exactly that much. Under any load the
same grants land at the same instants, so a limit is checked exactly and a test that
asserts on how long something took cannot flake. ManualClock serves the whole delivery
engine: time moves only when the test says so."""

from __future__ import annotations

import asyncio
import time


class SteppedClock:
    """Monotonic seconds that advance only by `sleep`."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        # Whoever was woken before this sleep runs first, at the time it was woken.
        await asyncio.sleep(0)
        self.now += max(0.0, seconds)


class ManualClock:
    """The delivery engine's Clock, standing still until the test moves it on.

    Whatever the engine waits for on this clock (a chat's pace, a retry, the claim loop's
    poll) happens exactly when the test says, so a race between two waits is played in the
    order the test chooses rather than in whatever order a loaded machine picks."""

    def __init__(self) -> None:
        self._wall0 = time.time()
        self._mono0 = 1000.0
        self._offset = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def time(self) -> float:
        return self._wall0 + self._offset

    def monotonic(self) -> float:
        return self._mono0 + self._offset

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.monotonic() + seconds, future))
        await future

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        if event.is_set():
            return True
        waiter = asyncio.ensure_future(event.wait())
        sleeper = asyncio.ensure_future(self.sleep(seconds))
        try:
            await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            sleeper.cancel()
        return event.is_set()

    def advance(self, seconds: float) -> None:
        """Move time on; every sleep that ends by then is woken."""
        self._offset += seconds
        now = self.monotonic()
        due = [f for t, f in self._sleepers if t <= now]
        self._sleepers = [(t, f) for t, f in self._sleepers if t > now and not f.done()]
        for future in due:
            if not future.done():
                future.set_result(None)
