"""The poller's schedule: jitter never delays, errors back off, Retry-After is honoured,
a bounded number of fetches run at once, and one failing source stops nothing."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.follow.poller import MAX_BACKOFF_S, MAX_RETRY_AFTER_S, Poller, next_delay


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(1, 3600), st.integers(0, 2**31))
def test_jitter_only_ever_makes_a_fetch_earlier(interval: float, seed: int) -> None:
    delay = next_delay(interval, rng=random.Random(seed))
    assert 0.9 * interval <= delay <= interval


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(1, 600), st.integers(1, 40), st.integers(0, 2**31))
def test_errors_back_off_exponentially_up_to_an_hour(
    interval: float, failures: int, seed: int
) -> None:
    delay = next_delay(interval, failures=failures, rng=random.Random(seed))
    expected = max(min(interval * 2**failures, MAX_BACKOFF_S), interval)
    assert expected <= delay <= expected * 1.1


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0, 10**6), st.floats(1, 600))
def test_retry_after_is_honoured_and_bounded(retry_after: float, interval: float) -> None:
    delay = next_delay(interval, failures=3, retry_after=retry_after, rng=random.Random(1))
    assert delay >= min(max(retry_after, interval), MAX_RETRY_AFTER_S)
    assert delay <= MAX_RETRY_AFTER_S * 1.1


class Target:
    def __init__(self, due: list[int]) -> None:
        self.due = list(due)
        self.polled: list[int] = []
        self.running = 0
        self.most_at_once = 0
        self.release = asyncio.Event()
        self.failing = {2}

    async def due_source_ids(self, now: float, limit: int) -> list[int]:
        return self.due[:limit]

    async def next_due_at(self) -> float | None:
        return 0.0 if self.due else None

    async def poll(self, source_id: int) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await self.release.wait()
            self.polled.append(source_id)
            self.due.remove(source_id)
            if source_id in self.failing:
                raise RuntimeError("boom")
        finally:
            self.running -= 1


async def wait_until(condition: Callable[[], bool], within: float = 5) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_bounded_concurrency_failures_do_not_stop_polling_and_wake_starts_at_once() -> None:
    target = Target([1, 2, 3, 4, 5])
    poller = Poller(target, concurrency=2)
    await poller.start()
    try:
        await wait_until(lambda: target.running == 2)
        target.release.set()
        await wait_until(lambda: sorted(target.polled) == [1, 2, 3, 4, 5])
        assert target.most_at_once == 2
        # Idle now (nothing due): a new source is fetched as soon as the poller is woken,
        # not after the idle check interval.
        await asyncio.sleep(0.05)
        target.due.append(6)
        poller.wake()
        await wait_until(lambda: 6 in target.polled, within=1)
    finally:
        await poller.stop()
    assert poller.polls == 6


async def test_stop_cancels_fetches_in_flight() -> None:
    target = Target([1])
    poller = Poller(target, concurrency=4)
    await poller.start()
    await wait_until(lambda: target.running == 1)
    await poller.stop()
    assert target.running == 0 and target.polled == []
