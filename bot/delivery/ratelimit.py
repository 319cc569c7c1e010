"""Rate limits shared by pushes and command replies: one bot-wide budget, per-chat pacing."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

PRIORITY_REPLY = 0
PRIORITY_PUSH = 1

FREE_CEILING = 30.0
PAID_CEILING = 1000.0


def effective_rate(rate: float, paid: bool) -> float:
    """The push rate actually used: the configured one, capped by Telegram's ceiling."""
    ceiling = PAID_CEILING if paid else FREE_CEILING
    return min(rate, ceiling)


# The round trip the sender pool is sized for: Little's law, rate × round trip requests in
# flight. At 1000/s a 200 ms round trip needs 200 senders busy on the wire alone, and each
# also spends time waiting for its grant and on its own work: sized for 300 ms.
ROUND_TRIP_S = 0.3
MAX_SENDERS = 512


def senders_for(rate: float) -> int:
    """How many sender tasks (and pooled connections) keep `rate` sends a second going."""
    return max(8, min(MAX_SENDERS, int(rate * ROUND_TRIP_S) + 4))


def retry_after_seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds (a timedelta with PTB_TIMEDELTA, which bot/ sets; else int)."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# How much of a window's budget a late dispatcher may make up at once (see SendBudget).
CATCH_UP_SHARE = 0.05

# How long a push waits, at most, for the updates being handled to finish.
PUSH_GIVE_WAY_S = 0.02


class UpdatesInFlight:
    """Updates the bot is handling right now; pushes give way to them for a moment.

    The push engine shares the event loop with the handlers: at full rate its callbacks sit
    between every two steps of a command, and a reader's /ticker took ~20 loop turns behind
    them. While an update is handled, a push's grant waits until no update is left or for
    PUSH_GIVE_WAY_S, whichever comes first: commands get the loop, pushes lose at most that.
    """

    def __init__(self) -> None:
        self.count = 0
        self._idle: asyncio.Future[None] | None = None

    def begin(self) -> None:
        """One more update is being handled."""
        self.count += 1

    def end(self) -> None:
        """An update was handled; wake the pushes that waited once none is left."""
        self.count = max(0, self.count - 1)
        if self.count == 0 and self._idle is not None:
            if not self._idle.done():
                self._idle.set_result(None)
            self._idle = None

    async def give_way(self, seconds: float = PUSH_GIVE_WAY_S) -> None:
        """Wait until no update is being handled, or `seconds` at most."""
        if self.count == 0:
            return
        loop = asyncio.get_running_loop()
        if self._idle is None or self._idle.get_loop() is not loop:
            self._idle = loop.create_future()
        await asyncio.wait((self._idle,), timeout=seconds)


UPDATES_IN_FLIGHT = UpdatesInFlight()


class SendBudget:
    """The bot-wide send budget: never more than `rate` grants in any window, replies first.

    Grants are spaced evenly (a late event loop may make up 5 % of a window at once) and a
    log of the last `rate` send times caps every sliding window hard. A send is logged when
    it goes on the wire (`on_wire`), not when it was granted: a granted sender may resume
    much later (the event loop is busy), and grants logged at grant time let such late sends
    go out in one burst beside newer ones (the bot's socket writes reached 1003 in a second
    at 1000/s). Until then a grant counts as unsent, so sent-in-window plus unsent never
    exceeds the capacity. The window is a bit longer than a second (`slack`) for the server clock's
    jitter. A 429 pauses every grant for exactly retry_after.
    """

    def __init__(
        self,
        rate: float,
        *,
        window: float = 1.0,
        slack: float = 0.01,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        global_flood_chats: int = 3,
        global_flood_window: float = 2.0,
        updates: UpdatesInFlight | None = None,
        tick: float = 0.005,
        catch_up: float = CATCH_UP_SHARE,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._sleep = sleep
        self._flood_chats = global_flood_chats
        self._flood_window = global_flood_window
        self._floods: deque[tuple[float, int | None]] = deque()
        self._capacity = max(1, int(rate * window))
        self._window = window + slack
        self._interval = self._window / self._capacity
        # The dispatcher wakes at most once per tick and grants what fell due meanwhile: a
        # wake-up (timer, epoll, task switch) per send at 1000/s cost more CPU than the send.
        # A tick's grants go out together and their answers come back together, so the
        # loop turns once for several sends. The catch-up allowance covers the timer's
        # lateness: at 1000/s a loop busy with answers and renders woke the dispatcher 10-50
        # ms late again and again, and with one tick's allowance each late wake-up was lost
        # for good (6-7 % of the paid rate). What is banked stays small next to the window,
        # and the log of send times still caps every window hard.
        self._tick = min(tick, 0.25 * self._window) if self._interval < tick else 0.0
        self._tolerance = max(4 * self._interval, 2 * self._tick, catch_up * self._window)
        self._clock = clock
        self._log: deque[float] = deque()
        self._unsent = 0
        self._next = 0.0
        self._paused_until = 0.0
        self._waiters: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.granted = 0
        self.updates = updates if updates is not None else UPDATES_IN_FLIGHT

    @property
    def paused_until(self) -> float:
        """Monotonic time until which a 429 holds every send."""
        return self._paused_until

    def hold(self, seconds: float) -> None:
        """Pause every grant (replies and pushes) for `seconds` from now, after a 429."""
        until = self._clock() + max(0.0, seconds)
        if until > self._paused_until:
            self._paused_until = until

    def flood(self, chat_id: int | None, seconds: float) -> bool:
        """Note a 429; hold every send (and say True) only if the limit looks bot-wide.

        Telegram answers 429 for one chat's limit as well as for the bot's: one chat's 429
        must not freeze everyone. The limit is taken as bot-wide when the 429 is not about
        a chat, or when several different chats got one within a short window.
        """
        now = self._clock()
        self._floods.append((now, chat_id))
        while self._floods and self._floods[0][0] < now - self._flood_window:
            self._floods.popleft()
        chats = {c for _, c in self._floods}
        if chat_id is None or None in chats or len(chats) >= self._flood_chats:
            self.hold(seconds)
            return True
        return False

    def _ready_at(self, now: float) -> float:
        while self._log and self._log[0] <= now - self._window:
            self._log.popleft()
        ready = max(self._next, self._paused_until)
        if len(self._log) + self._unsent >= self._capacity:
            logged = self._capacity - self._unsent
            if logged <= 0:
                return math.inf  # every slot is granted and not yet sent: wait for on_wire
            ready = max(ready, self._log[-logged] + self._window)
        return ready

    def _grant(self, now: float) -> None:
        self._unsent += 1
        self._next = max(self._next, now - self._tolerance) + self._interval
        self.granted += 1

    def on_wire(self, count: int = 1) -> None:
        """`count` granted sends go out now: they leave the unsent and enter the window."""
        count = min(count, self._unsent)
        if count <= 0:
            return
        self._unsent -= count
        now = self._clock()
        self._log.extend([now] * count)
        if self._wake is not None:
            self._wake.set()

    def _bind(self) -> asyncio.AbstractEventLoop:
        # One budget may outlive an event loop (built with the Application, used by engines
        # in later loops, as in tests): loop-bound parts are made afresh for a new loop.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._wake = asyncio.Event()
            self._task = None
            self._waiters = (deque(), deque())
            self._unsent = 0  # grants of a loop that is gone will never go on the wire
        return loop

    async def acquire(self, priority: int = PRIORITY_PUSH, *, deferred: bool = False) -> None:
        """Wait for the right to send one request (sent now, or at `on_wire` if deferred)."""
        if priority != PRIORITY_REPLY:
            await self.updates.give_way()
        loop = self._bind()
        now = self._clock()
        if not any(self._waiters) and self._ready_at(now) <= now:
            self._grant(now)
        else:
            future: asyncio.Future[None] = loop.create_future()
            self._waiters[0 if priority == PRIORITY_REPLY else 1].append(future)
            self._ensure_dispatcher()
            try:
                await future
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self.on_wire()  # granted, then cancelled: the slot counts as used
                raise
        if not deferred:
            self.on_wire()

    def _ensure_dispatcher(self) -> None:
        assert self._wake is not None and self._loop is not None
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = self._loop.create_task(self._dispatch(), name="send-budget")

    def _pop_waiter(self) -> asyncio.Future[None] | None:
        for queue in self._waiters:
            while queue:
                future = queue.popleft()
                if not future.done():
                    return future
        return None

    def _has_waiters(self) -> bool:
        for queue in self._waiters:
            while queue and queue[0].done():
                queue.popleft()
            if queue:
                return True
        return False

    async def _dispatch(self) -> None:
        assert self._wake is not None
        while True:
            if not self._has_waiters():
                self._wake.clear()
                await self._wake.wait()
                continue
            now = self._clock()
            ready = self._ready_at(now)
            if ready == math.inf:
                self._wake.clear()
                await self._wake.wait()
                continue
            if ready > now:
                await self._sleep(max(ready - now, self._tick))
                continue
            # Grant everything that is due now: timers fire in whole milliseconds, so one
            # grant per wake-up would cap 1000/s at about 500/s.
            while ready <= now:
                future = self._pop_waiter()
                if future is None:
                    break
                self._grant(now)
                future.set_result(None)
                ready = self._ready_at(now)

    async def close(self) -> None:
        """Stop the dispatcher; waiting callers are cancelled (a later acquire restarts it)."""
        if self._task is not None and self._loop is asyncio.get_running_loop():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for queue in self._waiters:
            while queue:
                queue.popleft().cancel()


_SHARED: dict[float, SendBudget] = {}


def shared_budget(rate: float, paid: bool) -> SendBudget:
    """The process-wide budget for a push rate: the reply bot and the engine draw from it."""
    effective = effective_rate(rate, paid)
    budget = _SHARED.get(effective)
    if budget is None:
        budget = _SHARED[effective] = SendBudget(effective)
    return budget


class ChatPacer:
    """Per-chat limits: one send per second to a private chat, 20 a minute to a group.

    A chat is also held busy while one of its sends is in flight, so two groups for the same
    chat never race and messages keep their order.

    Replies to a private chat may burst, and each moves the chat's next push a second on.
    A push told to wait keeps the slot it was given: otherwise a conversation faster than a
    message a second (an editor's commands one after another, a reader paging the ticker)
    kept the push waiting for as long as it went on.
    """

    def __init__(
        self,
        *,
        private_interval: float = 1.0,
        group_limit: int = 20,
        group_period: float = 60.0,
        slack: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._private = private_interval + slack
        self._group_limit = group_limit
        self._group_period = group_period + slack
        self._clock = clock
        self._last: dict[int, float] = {}
        self._group_log: dict[int, deque[float]] = {}
        self._held: dict[int, float] = {}
        self._busy: set[int] = set()
        # Private chats: the slot a waiting push was given, until a push goes out.
        self._promised: dict[int, float] = {}
        self._ops = 0

    def ready_at(self, chat_id: int) -> float:
        """Monotonic time at which the chat may receive its next push (kept for it, see above)."""
        held = self._held.get(chat_id, 0.0) if self._held else 0.0
        if chat_id < 0:  # groups, supergroups and channels have negative ids
            sent = self._group_log.get(chat_id)
            if sent is None or len(sent) < self._group_limit:
                return held
            # No promise here: a group's 20 a minute is a hard limit, replies included.
            return max(held, sent[-self._group_limit] + self._group_period)
        last = self._last.get(chat_id)
        ready = held if last is None else max(held, last + self._private)
        now = self._clock()
        promised = self._promised.get(chat_id)
        if promised is not None and promised + self._private < now:
            # A slot long past: its push was given back (a stop) or had nothing to send
            # (retracted meanwhile), and a push asking now waits as any other would.
            del self._promised[chat_id]
            promised = None
        if promised is not None:
            return max(held, min(ready, promised))
        if ready > now:
            self._promised[chat_id] = ready
        return ready

    def group_ready_at(self, chat_id: int) -> float:
        """Like ready_at, but a private chat is only held by a 429 (replies may burst)."""
        if chat_id < 0:
            return self.ready_at(chat_id)
        return self._held.get(chat_id, 0.0) if self._held else 0.0

    def now(self) -> float:
        """The pacer's clock (monotonic seconds)."""
        return self._clock()

    def hold(self, chat_id: int, seconds: float) -> None:
        """Send nothing to this chat for `seconds` (its own 429)."""
        until = self._clock() + max(0.0, seconds)
        if until > self._held.get(chat_id, 0.0):
            self._held[chat_id] = until

    def try_acquire(self, chat_id: int) -> float:
        """0.0 if the chat is now held for a send, else the monotonic time to try again."""
        now = self._clock()
        if chat_id in self._busy:
            return now + 0.05
        ready = self.ready_at(chat_id)
        if ready > now:
            return ready
        self._busy.add(chat_id)
        return 0.0

    def sent(self, chat_id: int, count: int = 1) -> None:
        """Note a push to the chat that is leaving now (making `count` messages)."""
        self._promised.pop(chat_id, None)
        self._note(chat_id, count)

    def replied(self, chat_id: int) -> None:
        """Note a reply to the chat leaving now: it counts as a push does, but a push already
        waiting for the chat keeps its slot."""
        self._note(chat_id, 1)

    def _note(self, chat_id: int, count: int) -> None:
        now = self._clock()
        if chat_id < 0:
            sent = self._group_log.setdefault(chat_id, deque(maxlen=self._group_limit))
            sent.extend([now] * max(1, count))
        else:
            # An album of N is N messages: the chat's next one waits N intervals.
            self._last[chat_id] = now + (max(1, count) - 1) * self._private
        self._ops += 1
        if self._ops % 4096 == 0:
            self._prune(now)

    def release(self, chat_id: int) -> None:
        """The chat's send finished; others may be scheduled."""
        self._busy.discard(chat_id)

    def _prune(self, now: float) -> None:
        # A million-subscriber fan-out touches a million chats once: forget the old ones.
        self._last = {c: t for c, t in self._last.items() if t > now - self._private}
        self._group_log = {
            c: q for c, q in self._group_log.items() if q and q[-1] > now - self._group_period
        }
        self._held = {c: t for c, t in self._held.items() if t > now}
        self._promised = {c: t for c, t in self._promised.items() if t > now - self._private}


_SHARED_PACER: list[ChatPacer] = []


def shared_pacer() -> ChatPacer:
    """The process-wide per-chat pacer: replies and pushes to one chat count together."""
    if not _SHARED_PACER:
        _SHARED_PACER.append(ChatPacer())
    return _SHARED_PACER[0]


Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]

# How long a reply waits between tries while Telegram answers 5xx: about 30 s in all.
REPLY_OUTAGE_WAITS = (1.0, 2.0, 4.0, 8.0, 15.0)
# An editor's confirmation says what became of a change the store has already made: without
# it the editor may post again. It is worth waiting for through ten minutes of outage; a
# reader's answer goes stale sooner.
PATIENT_OUTAGE_WAITS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, *(60.0,) * 9)
_patient = contextvars.ContextVar("patient_replies", default=False)

_U = TypeVar("_U")
_C = TypeVar("_C")


def replies_are_patient() -> bool:
    """Whether the running handler's replies wait out a long outage (see patient_replies)."""
    return _patient.get()


def patient_replies(
    handler: Callable[[_U, _C], Coroutine[Any, Any, None]],
) -> Callable[[_U, _C], Coroutine[Any, Any, None]]:
    """`handler` with its replies retried through a long outage (PATIENT_OUTAGE_WAITS)."""

    @functools.wraps(handler)
    async def patiently(update: _U, context: _C) -> None:
        token = _patient.set(True)
        try:
            await handler(update, context)
        finally:
            _patient.reset(token)

    return patiently


class _ChatLine:
    """The requests to one chat: one at a time, first come first served."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # requests holding or waiting for the lock


class SharedRateLimiter(BaseRateLimiter[int]):
    """PTB rate limiter for the reply bot: draws from the push budget, ahead of pushes.

    Replies to a group are paced like pushes (20 a minute, counted together with pushes to
    that group). A 429 holds only the chat it was about, for exactly retry_after, unless
    the evidence says the limit is bot-wide (SendBudget.flood); the reply is retried up to
    `max_retries` times. Nothing is halted longer than Telegram asked.

    A message to a chat that fails with a server error or an unreachable server (PTB's
    plain NetworkError) or a 401 is tried again after each of `outage_waits`: during a short outage
    a reader's answer arrives late instead of never; a handler wrapped in `patient_replies`
    (an editor's command) waits through `patient_waits`, minutes of outage. A timeout
    (TimedOut) is not retried: the message may have been delivered already.
    """

    def __init__(
        self,
        budget: SendBudget,
        *,
        pacer: ChatPacer | None = None,
        max_retries: int = 2,
        outage_waits: tuple[float, ...] = REPLY_OUTAGE_WAITS,
        patient_waits: tuple[float, ...] = PATIENT_OUTAGE_WAITS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.budget = budget
        self.pacer = pacer if pacer is not None else shared_pacer()
        self._max_retries = max_retries
        self._outage_waits = outage_waits
        self._patient_waits = patient_waits
        self._sleep = sleep
        self._lines: dict[int, _ChatLine] = {}

    @classmethod
    def for_settings(cls, settings: Settings) -> SharedRateLimiter:
        """A limiter on the process-wide budget and pacer the engine of these settings uses."""
        return cls(shared_budget(settings.push_rate, settings.paid_broadcast), pacer=shared_pacer())

    async def initialize(self) -> None:
        """Nothing to set up: the budget lives as long as the engine."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send one request of the reply bot within the shared budget (replies first)."""
        chat_id = _chat_of(data)
        if chat_id is None:
            return await self._send(
                callback, args, kwargs, endpoint, data, chat_id, rate_limit_args
            )
        # One request to a chat at a time, in the order the handlers made them: a reply
        # waiting out an outage would otherwise be overtaken by the next one to the same
        # chat ("#3 published" before "#2"). Other chats are not held.
        line = self._lines.get(chat_id)
        if line is None:
            line = self._lines[chat_id] = _ChatLine()
        line.users += 1
        try:
            async with line.lock:
                return await self._send(
                    callback, args, kwargs, endpoint, data, chat_id, rate_limit_args
                )
        finally:
            line.users -= 1
            if not line.users:
                del self._lines[chat_id]  # a line per chat ever answered would only grow

    async def _send(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        chat_id: int | None,
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        # Like AIORateLimiter: only requests aimed at a chat count against the flood limits.
        limited = data.get("chat_id") is not None
        attempt = 0
        waits = self._patient_waits if replies_are_patient() else self._outage_waits
        outage_waits = iter(waits if limited else ())
        while True:
            await self._turn(chat_id, limited)
            try:
                return await callback(*args, **kwargs)
            except NetworkError as exc:
                # Subclasses (TimedOut, BadRequest) are not outages or may have been sent;
                # one raised from a local error (text that cannot be encoded) is a bug.
                outage = type(exc) is NetworkError and exc.__cause__ is None
                wait = next(outage_waits, None) if outage else None
                if wait is None:
                    raise
                log.info("reply failed (%s, %s): retrying in %.0fs", endpoint, exc, wait)
                await self._sleep(wait)
            except InvalidToken:
                # A 401 for a token that worked a moment ago is mostly the API failing for
                # a while; a revoked token ends polling after its grace. Until then an
                # editor's confirmation is worth the same waits as through a 5xx outage.
                wait = next(outage_waits, None)
                if wait is None:
                    raise
                log.info("reply failed (%s, 401 Unauthorized): retrying in %.0fs", endpoint, wait)
                await self._sleep(wait)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                if chat_id is not None:
                    self.pacer.hold(chat_id, seconds)
                bot_wide = self.budget.flood(chat_id, seconds)
                if attempt >= retries:
                    raise
                attempt += 1
                log.info(
                    "reply hit flood control (%s, %s): retrying in %.1fs",
                    endpoint,
                    "bot-wide" if bot_wide else "this chat only",
                    seconds,
                )

    async def _turn(self, chat_id: int | None, limited: bool) -> None:
        # A group's 20 per minute, and any chat's own 429, hold this chat only. The chat is
        # checked again once the budget granted the send, with no await before the slot is
        # taken: a reply or push to the same chat may have used the slot meanwhile.
        for _ in range(10_000):
            if chat_id is not None:
                wait = self.pacer.group_ready_at(chat_id) - self.pacer.now()
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue
            if limited:
                await self.budget.acquire(PRIORITY_REPLY)
            else:
                wait = self.budget.paused_until - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            if chat_id is None:
                return
            if self.pacer.group_ready_at(chat_id) <= self.pacer.now():
                self.pacer.replied(chat_id)
                return


def _chat_of(data: dict[str, Any]) -> int | None:
    """The numeric chat a request is aimed at, if any (@channel names are not paced)."""
    value = data.get("chat_id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None
