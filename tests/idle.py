"""Waiting until the push engine has nothing left to do, judged by the store it works from."""

from __future__ import annotations

import asyncio
import time

from bot.delivery.engine import DeliveryEngine

# Claimed rows (queued, being sent, or with an outcome not yet recorded), rows due within
# the horizon, and fan-out jobs not yet turned into rows are work; rows held longer (quiet
# hours, digests, long backoffs) are not.
_WORK_DUE = (
    "SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'claimed'"
    " OR (status = 'pending' AND next_at <= ?))"
    " + (SELECT COUNT(*) FROM fanout_jobs WHERE state = 'open')"
)


async def wait_idle(engine: DeliveryEngine, within: float = 30.0, *, horizon: float = 2.0) -> bool:
    """Wait (at most `within` wall seconds) until the engine is up and its outbox settled.

    `horizon` is seconds of the engine's clock: deliveries due later do not count.
    """
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if engine.stalled_since is None:
            busy = await engine.db.fetchval(_WORK_DUE, (engine.clock.time() + horizon,), 0)
            if not busy:
                return True
        engine.notify()
        await asyncio.sleep(0.05)
    return False
