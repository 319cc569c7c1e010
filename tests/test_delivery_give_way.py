"""Pushes give way to the updates being handled, briefly: a command gets the loop first."""

from __future__ import annotations

import asyncio

from bot.delivery.ratelimit import PRIORITY_PUSH, PRIORITY_REPLY, SendBudget, UpdatesInFlight


async def test_a_push_waits_while_an_update_is_handled_and_goes_when_it_ends() -> None:
    updates = UpdatesInFlight()
    budget = SendBudget(1000, updates=updates)
    updates.begin()
    push = asyncio.ensure_future(budget.acquire(PRIORITY_PUSH))
    await budget.acquire(PRIORITY_REPLY)  # the reply is not held
    for _ in range(5):
        await asyncio.sleep(0)
    assert not push.done()
    updates.end()
    await asyncio.wait_for(push, 1)
    await budget.close()


async def test_a_push_never_waits_longer_than_the_give_way_time() -> None:
    updates = UpdatesInFlight()
    budget = SendBudget(1000, updates=updates)
    updates.begin()  # an update that never ends
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.wait_for(updates.give_way(0.05), 1)
    assert loop.time() - started >= 0.04
    await asyncio.wait_for(budget.acquire(PRIORITY_PUSH), 1)
    await budget.close()
