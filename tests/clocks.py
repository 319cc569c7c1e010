"""A clock for components with one sleeper (the send budget's dispatcher): time stands
still until it sleeps, and its sleep moves time on by exactly that much.

Under any load the same grants land at the same instants, so a limit is checked exactly
and a test that asserts on how long something took cannot flake."""

from __future__ import annotations

import asyncio


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
