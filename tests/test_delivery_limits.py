"""Rate limits: the bot-wide ceiling, per-chat pacing, replies first, 429 pauses."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

import pytest
from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut

from bench.fakeapi.botapi import FakeBotApi
from bot.config import Settings
from bot.db import subscriptions
from bot.db.connection import Database
from bot.delivery.ratelimit import (
    PRIORITY_PUSH,
    PRIORITY_REPLY,
    ChatPacer,
    SendBudget,
    SharedRateLimiter,
    effective_rate,
    patient_replies,
    shared_budget,
)
from tests.clocks import SteppedClock
from tests.conftest_delivery import (
    add_item,
    add_story,
    make_engine,
    sends,
)
from tests.idle import wait_idle


def _max_in_window(times: list[float], span: float = 1.0) -> int:
    times = sorted(times)
    best = start = 0
    for end, t in enumerate(times):
        while times[start] <= t - span:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _grant_times(
    budget: SendBudget, clock: SteppedClock, *, senders: int, each: int
) -> list[float]:
    """When each push grant came, `senders` tasks asking for `each` grants one after another."""
    grants: list[float] = []

    async def sender() -> None:
        for _ in range(each):
            await budget.acquire(PRIORITY_PUSH)
            grants.append(clock())

    await asyncio.gather(*(sender() for _ in range(senders)))
    return grants


def test_effective_rate_caps_at_telegram_ceilings() -> None:
    assert effective_rate(50, paid=False) == 30
    assert effective_rate(20, paid=False) == 20
    assert effective_rate(1000, paid=True) == 1000


async def test_budget_never_exceeds_rate_in_any_window() -> None:
    # On a stepped clock: exact under any load (on the real clock a busy machine stretched
    # the run past the time bound below).
    clock = SteppedClock()
    budget = SendBudget(40, clock=clock, sleep=clock.sleep)
    grants: list[float] = []

    async def one() -> None:
        await budget.acquire(PRIORITY_PUSH)
        grants.append(clock())

    started = clock()
    await asyncio.gather(*(one() for _ in range(100)))
    await budget.close()
    assert len(grants) == 100
    assert _max_in_window(grants) <= 40
    # ...and still uses the budget: 100 grants at 40/s take about 1.5 s, not much more.
    assert clock() - started < 2.6


async def test_paid_rate_keeps_every_window_with_few_wakeups_and_no_burst_after_stall() -> None:
    # 1000/s on a stepped clock: the dispatcher wakes once per tick (not once per send), the
    # rate stays close to the ceiling, and a stall banks no more than the catch-up allowance
    # (5 % of a window: 50 sends at 1000/s).
    clock = SteppedClock()
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await clock.sleep(seconds)

    budget = SendBudget(1000, clock=clock, sleep=sleep)
    grants = await _grant_times(budget, clock, senders=100, each=30)  # 3000 sends
    first_run = clock() - grants[0]
    assert _max_in_window(grants) <= 1000
    assert 3000 / first_run >= 975, "the budget should run close to its ceiling"
    assert len(sleeps) <= 3000 / 4, "one wake-up per send: the tick does not batch grants"
    clock.now += 0.5  # a stalled loop: nothing asked for half a second
    resumed = clock()
    grants = await _grant_times(budget, clock, senders=100, each=10)
    await budget.close()
    burst = sum(1 for t in grants if t < resumed + 0.001)
    assert burst <= 62, f"{burst} sends at once after a stall: unused time was banked"
    assert _max_in_window(grants, 0.1) <= 162  # 100 plus the catch-up and one tick
    assert _max_in_window(grants) <= 1000


async def test_paid_rate_holds_when_the_loop_wakes_the_dispatcher_late() -> None:
    # A busy event loop (answers, renders, the store) wakes the dispatcher 20 ms after it
    # asked; time it could have granted in must be made up, or the paid rate sinks far
    # below the ceiling while the window is never full. Stepped clock: exact under load.
    clock = SteppedClock()

    async def late_sleep(seconds: float) -> None:
        await clock.sleep(seconds + 0.02)

    budget = SendBudget(1000, clock=clock, sleep=late_sleep)
    grants = await _grant_times(budget, clock, senders=100, each=30)  # 3000 sends
    await budget.close()
    assert 3000 / (grants[-1] - grants[0]) >= 975, "late wake-ups cost the paid rate"
    assert _max_in_window(grants) <= 1000


async def test_a_send_that_goes_out_late_counts_in_the_window_it_goes_out_in() -> None:
    # A busy event loop resumes granted senders late; if their grants had counted from the
    # grant, the late sends would go out beside a full window of new ones (the bot's socket
    # writes reached 1003 in a second at 1000/s). Stepped clock: exact under any load.
    clock = SteppedClock()
    budget = SendBudget(10, window=1.0, slack=0.0, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        await budget.acquire(PRIORITY_PUSH, deferred=True)
    clock.now += 2.0  # the ten senders resume only now
    waiting = asyncio.create_task(budget.acquire(PRIORITY_PUSH))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not waiting.done(), "a new send was granted while ten granted ones had not gone out"
    sent_late = clock()
    budget.on_wire(10)
    await asyncio.wait_for(waiting, timeout=5)
    assert clock() >= sent_late + 1.0, "the eleventh send went out in the ten late sends' second"
    await budget.close()


async def test_replies_go_before_queued_pushes() -> None:
    # On a stepped clock: a busy machine delayed the real one's grants past the bound below.
    clock = SteppedClock()
    budget = SendBudget(20, clock=clock, sleep=clock.sleep)
    order: list[str] = []

    async def take(name: str, priority: int) -> None:
        await budget.acquire(priority)
        order.append(name)

    pushes = [asyncio.create_task(take(f"push{n}", PRIORITY_PUSH)) for n in range(10)]
    for _ in range(10_000):  # until a few pushes went and the rest queue behind them
        if len(order) >= 3:
            break
        await asyncio.sleep(0)
    granted_before = len(order)
    assert granted_before < 10
    reply = asyncio.create_task(take("reply", PRIORITY_REPLY))
    started = clock()
    await reply
    assert clock() - started < 0.15  # the next slot (0.05 s at 20/s), not the end of the queue
    await asyncio.gather(*pushes)
    await budget.close()
    assert order.index("reply") <= granted_before + 1
    assert order[-1] != "reply"


async def test_a_429_pauses_replies_exactly_retry_after() -> None:
    budget = SendBudget(100)
    limiter = SharedRateLimiter(budget)
    budget.hold(0.5)
    calls: list[float] = []

    async def callback() -> dict[str, Any]:
        calls.append(time.monotonic())
        return {"ok": True}

    started = time.monotonic()
    await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 1}, None)
    waited = time.monotonic() - started
    assert 0.45 <= waited < 0.7
    await budget.close()


async def test_reply_429_is_retried_after_retry_after() -> None:
    budget = SendBudget(100)
    limiter = SharedRateLimiter(budget, pacer=ChatPacer(), max_retries=1)
    attempts = 0

    async def callback() -> dict[str, Any]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RetryAfter(1)
        return {"ok": True}

    started = time.monotonic()
    result = await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert result == {"ok": True}
    assert attempts == 2
    assert 0.95 <= time.monotonic() - started < 1.4
    await budget.close()


class _Waits:
    """Records the reply limiter's waits instead of sleeping them."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


def _failing(errors: list[Exception]) -> tuple[list[int], Any]:
    calls = [0]

    async def callback() -> dict[str, Any]:
        calls[0] += 1
        if errors:
            raise errors.pop(0)
        return {"message_id": 7}

    return calls, callback


def _local_failure() -> NetworkError:
    error = NetworkError("Unknown error in HTTP implementation: UnicodeEncodeError(...)")
    error.__cause__ = UnicodeEncodeError("utf-8", "\ud83d", 0, 1, "surrogates not allowed")
    return error


@pytest.mark.parametrize(
    "failure",
    [lambda: NetworkError("Bad Gateway"), lambda: InvalidToken("Unauthorized")],
    ids=["5xx", "401"],
)
async def test_a_reply_during_a_short_outage_arrives_after_it(
    failure: Callable[[], Exception],
) -> None:
    budget = SendBudget(100)
    waits = _Waits()
    limiter = SharedRateLimiter(budget, pacer=ChatPacer(), outage_waits=(1, 2, 4), sleep=waits)
    calls, callback = _failing([failure(), failure()])
    result = await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert result == {"message_id": 7}
    assert calls[0] == 3
    assert waits.waited == [1, 2]
    await budget.close()


async def test_replies_to_one_chat_arrive_in_order_through_an_outage() -> None:
    # An editor's "#2 published" fails in an outage and waits to be retried; "#3
    # published", sent once the server is back, must not overtake it. Another chat's reply
    # is not held behind that chat's wait.
    budget = SendBudget(100)
    retrying, server_back = asyncio.Event(), asyncio.Event()

    async def wait_for_the_server(seconds: float) -> None:
        retrying.set()
        await server_back.wait()

    limiter = SharedRateLimiter(
        budget, pacer=ChatPacer(), outage_waits=(1,), sleep=wait_for_the_server
    )
    down = True
    delivered: list[tuple[int, str]] = []

    def reply(chat_id: int, text: str) -> Any:
        async def send() -> dict[str, Any]:
            if down:
                raise NetworkError("Bad Gateway")
            delivered.append((chat_id, text))
            return {"message_id": len(delivered)}

        return limiter.process_request(send, (), {}, "sendMessage", {"chat_id": chat_id}, None)

    second = asyncio.create_task(reply(5, "#2 published"))
    await retrying.wait()
    down = False
    third = asyncio.create_task(reply(5, "#3 published"))
    await reply(6, "a reader's /ticker")
    assert delivered == [(6, "a reader's /ticker")]
    server_back.set()
    await asyncio.gather(second, third)
    assert [text for chat, text in delivered if chat == 5] == ["#2 published", "#3 published"]
    await budget.close()


async def test_a_reply_gives_up_when_the_outage_outlasts_the_waits() -> None:
    budget = SendBudget(100)
    waits = _Waits()
    limiter = SharedRateLimiter(budget, pacer=ChatPacer(), outage_waits=(1, 2), sleep=waits)
    calls, callback = _failing([NetworkError("Bad Gateway") for _ in range(5)])
    with pytest.raises(NetworkError):
        await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert calls[0] == 3
    assert waits.waited == [1, 2]
    await budget.close()


@pytest.mark.parametrize(
    ("error", "data"),
    [
        (TimedOut("read timed out"), {"chat_id": 5}),  # may have been delivered
        (NetworkError("Bad Gateway"), {}),  # not a message to a chat (getMe, getUpdates)
        (_local_failure(), {"chat_id": 5}),  # PTB could not even encode the request
    ],
)
async def test_a_timeout_or_a_chatless_call_is_not_retried(
    error: Exception, data: dict[str, Any]
) -> None:
    budget = SendBudget(100)
    waits = _Waits()
    limiter = SharedRateLimiter(budget, pacer=ChatPacer(), outage_waits=(1, 2), sleep=waits)
    calls, callback = _failing([error])
    with pytest.raises(type(error)):
        await limiter.process_request(callback, (), {}, "sendMessage", data, None)
    assert calls[0] == 1
    assert waits.waited == []
    await budget.close()


async def test_one_groups_429_does_not_delay_another_users_reply() -> None:
    budget = SendBudget(30)
    limiter = SharedRateLimiter(budget, pacer=ChatPacer())
    flooded = asyncio.Event()

    async def group_reply() -> dict[str, Any]:
        flooded.set()
        raise RetryAfter(30)

    async def help_reply() -> dict[str, Any]:
        return {"ok": True}

    group = asyncio.create_task(
        limiter.process_request(group_reply, (), {}, "sendMessage", {"chat_id": -500}, None)
    )
    await flooded.wait()
    await asyncio.sleep(0)
    started = time.monotonic()
    await limiter.process_request(help_reply, (), {}, "sendMessage", {"chat_id": 7}, None)
    assert time.monotonic() - started < 0.2  # not the 28 s it took when the 429 froze all
    # The flooded group itself waits its retry_after.
    assert not group.done()
    assert limiter.pacer.group_ready_at(-500) - time.monotonic() > 25
    group.cancel()
    with pytest.raises(asyncio.CancelledError):
        await group
    await budget.close()


async def test_429s_from_several_chats_at_once_hold_every_reply() -> None:
    budget = SendBudget(100)
    limiter = SharedRateLimiter(budget, pacer=ChatPacer(), max_retries=0)

    async def flood() -> dict[str, Any]:
        raise RetryAfter(1)

    for chat in (1, 2, 3):
        with pytest.raises(RetryAfter):
            await limiter.process_request(flood, (), {}, "sendMessage", {"chat_id": chat}, None)
    assert budget.paused_until - time.monotonic() > 0.8
    await budget.close()


async def test_replies_to_one_group_are_paced_like_pushes() -> None:
    # Twenty a "minute" shortened to 0.4 s; the logic is the one used for 60 s. Waits only
    # ever come late, so a loaded machine cannot put more than twenty in a window.
    budget = SendBudget(1000)
    pacer = ChatPacer(group_limit=20, group_period=0.4, slack=0.05)
    limiter = SharedRateLimiter(budget, pacer=pacer)
    times: list[float] = []

    async def reply() -> dict[str, Any]:
        times.append(time.monotonic())
        return {"ok": True}

    await asyncio.gather(
        *(
            limiter.process_request(reply, (), {}, "sendMessage", {"chat_id": -500}, None)
            for _ in range(45)
        )
    )
    assert len(times) == 45
    assert _max_in_window(times, span=0.4) <= 20
    assert times[-1] - times[0] >= 2 * 0.4
    await budget.close()


def test_a_group_gets_no_21st_reply_within_a_minute() -> None:
    now = [100.0]
    pacer = ChatPacer(clock=lambda: now[0])
    for _ in range(20):
        pacer.sent(-500)
        now[0] += 0.5
    assert pacer.group_ready_at(-500) >= 100.0 + 60
    # A private chat's replies may come in a burst; only a 429 holds it.
    pacer.sent(7)
    assert pacer.group_ready_at(7) == 0.0
    pacer.hold(7, 5)
    assert pacer.group_ready_at(7) == now[0] + 5


def test_shared_limiter_and_engine_draw_from_one_budget() -> None:
    settings = Settings(push_rate=30, paid_broadcast=False)
    limiter = SharedRateLimiter.for_settings(settings)
    assert limiter.budget is shared_budget(30, False)


async def test_engine_respects_the_ceiling_on_the_wire(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    for uid in range(1001, 1051):
        fake.add_user(uid, "U")
        await subscriptions.subscribe(db, uid, "private", story)
    await add_item(db, story, "Throttled")
    engine = make_engine(db, fake, rate=20, paid=False, concurrency=8)
    started = time.monotonic()
    await engine.start()
    try:
        assert await wait_idle(engine, 15)
    finally:
        await engine.stop()
    assert len(sends(fake)) == 50
    # Every send drew a grant from the budget (whose windows are checked exactly above);
    # counting the fake's arrival times instead flaked on a busy machine, where a delayed
    # request lands in the same second as later ones.
    assert engine.budget.granted == 50
    # 20 a second: the last 10 cannot leave before two full windows have passed.
    assert time.monotonic() - started >= 2.0


async def test_one_message_per_second_per_private_chat(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    other = await add_story(db, "Other")
    fake.add_user(101, "Busy reader")
    for story_id in (story, other):
        await subscriptions.subscribe(db, 101, "private", story_id)
    engine = make_engine(db, fake, pacer=ChatPacer())
    await engine.start()
    try:
        # Items of two stories cannot share a message: three messages for one chat.
        await add_item(db, story, "A")
        await add_item(db, other, "B")
        engine.notify()
        await asyncio.sleep(0.3)
        await add_item(db, story, "C")
        engine.notify()
        assert await wait_idle(engine, 10)
    finally:
        await engine.stop()
    times = sorted(c.time for c in sends(fake, 101))
    assert len(times) == 3
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))


async def test_group_limit_per_window(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    stories = [story] + [await add_story(db, f"S{n}") for n in range(5)]
    fake.add_group(-700, "Group", admins=[1])
    for story_id in stories:
        await subscriptions.subscribe(db, -700, "group", story_id)
        await add_item(db, story_id, "Group item")
    # Scaled down from 20 a minute to 3 a second so the test is quick.
    pacer = ChatPacer(group_limit=3, group_period=1.0, slack=0.02)
    engine = make_engine(db, fake, pacer=pacer)
    await engine.start()
    try:
        assert await wait_idle(engine, 10)
    finally:
        await engine.stop()
    times = [c.time for c in sends(fake, -700)]
    assert len(times) == 6
    assert _max_in_window(times) <= 3


def test_a_waiting_push_keeps_its_slot_while_replies_to_the_chat_go_on() -> None:
    # A reply every 0.4 s moved a private chat's next slot a second on each time: the push
    # waited for as long as the conversation went on.
    now = [100.0]
    pacer = ChatPacer(clock=lambda: now[0])
    pacer.replied(7)
    assert pacer.ready_at(7) == pytest.approx(101.05)
    for _ in range(3):
        now[0] += 0.4
        pacer.replied(7)
    assert now[0] > 101.05
    assert pacer.try_acquire(7) == 0.0, "the push waited past its slot"
    pacer.sent(7)
    pacer.release(7)
    # The next push waits its second after this one; replies do not hurry it.
    assert pacer.ready_at(7) == pytest.approx(now[0] + 1.05)
    # A 429 still holds the chat, promise or not.
    pacer.hold(7, 5.0)
    assert pacer.ready_at(7) == pytest.approx(now[0] + 5.0)


def test_a_groups_replies_still_take_its_slots_from_a_waiting_push() -> None:
    # 20 a minute is a group's hard limit: a reply that took the 20th slot is not undone.
    now = [100.0]
    pacer = ChatPacer(group_limit=2, group_period=10.0, slack=0.0, clock=lambda: now[0])
    pacer.sent(-500)
    now[0] = 101.0
    pacer.replied(-500)
    assert pacer.ready_at(-500) == pytest.approx(110.0)
    now[0] = 110.0
    pacer.replied(-500)
    assert pacer.ready_at(-500) == pytest.approx(111.0)


@pytest.mark.parametrize("chat_id", [5, -5])
def test_pacer_holds_busy_chats(chat_id: int) -> None:
    clock = [100.0]
    pacer = ChatPacer(clock=lambda: clock[0])
    assert pacer.try_acquire(chat_id) == 0.0
    assert pacer.try_acquire(chat_id) > 0  # busy while its send is in flight
    pacer.sent(chat_id)
    pacer.release(chat_id)
    if chat_id > 0:
        assert pacer.try_acquire(chat_id) == pytest.approx(101.05)
        clock[0] = 101.1
    assert pacer.try_acquire(chat_id) == 0.0


async def test_an_editors_reply_waits_out_minutes_of_outage_a_readers_does_not() -> None:
    budget = SendBudget(100)
    waits = _Waits()
    limiter = SharedRateLimiter(
        budget, pacer=ChatPacer(), outage_waits=(1, 2), patient_waits=(1, 2, 60, 60), sleep=waits
    )
    outage = [NetworkError("Bad Gateway") for _ in range(4)]

    async def reader_command(update: object, context: object) -> None:
        _calls, callback = _failing(list(outage))
        with pytest.raises(NetworkError):
            await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 5}, None)

    async def editor_command(update: object, context: object) -> None:
        calls, callback = _failing(list(outage))
        result = await limiter.process_request(
            callback, (), {}, "sendMessage", {"chat_id": 5}, None
        )
        assert result == {"message_id": 7}
        assert calls[0] == 5

    await reader_command(None, None)
    assert waits.waited == [1, 2]
    waits.waited.clear()
    await patient_replies(editor_command)(None, None)
    assert waits.waited == [1, 2, 60, 60]
    # The patience ends with the editor's command.
    waits.waited.clear()
    await reader_command(None, None)
    assert waits.waited == [1, 2]
    await budget.close()
