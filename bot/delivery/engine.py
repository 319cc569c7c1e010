"""The push engine: materialise the outbox, claim, send within the limits, record outcomes.

The engine wires its parts and runs their lifetime; each part does one job:

- `Scheduler` (scheduler.py): the claim loop; groups claimed rows per chat and queues them
  at the chat's pace, compacts the outbox;
- `SenderPool` (senders.py): sender tasks that each send one group at a time;
- `Sending` (sending.py) and `Refreshing` (refresh.py, refresh_media.py, parts.py): the
  operations: new items and recaps; corrections and retractions of delivered groups;
- `PushCalls` (calls.py): every Bot API call within the budget and the chat's pace;
- `Verdicts` (verdicts.py) with the pure `policy`: what a failure becomes;
- `OutcomeWriter` (writer.py): records outcomes in batched transactions;
- `LateCopies` (late.py): settles the copy a timed-out send made when its answer comes late;
- `OutageBreaker` (outage.py): pauses every push while the Bot API is down.

A delivery row is 'claimed' from the claim until its outcome is committed; only those rows
can be sent twice after a crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import Bot

from bot.db import deliveries as outbox
from bot.db.connection import Database
from bot.db.deliveries import GroupResult
from bot.db.outcomes import Release
from bot.delivery import policy
from bot.delivery.calls import PushCalls
from bot.delivery.clock import SYSTEM_CLOCK, Clock
from bot.delivery.items import ItemCache
from bot.delivery.late import LateCopies
from bot.delivery.outage import OutageBreaker
from bot.delivery.parts import PartEditor
from bot.delivery.ratelimit import (
    FREE_CEILING,
    ChatPacer,
    SendBudget,
    effective_rate,
    senders_for,
    shared_budget,
    shared_pacer,
)
from bot.delivery.refresh import Refreshing
from bot.delivery.render import Renderer
from bot.delivery.scheduler import Scheduler
from bot.delivery.senders import SenderPool
from bot.delivery.sending import Sending
from bot.delivery.stats import EngineStats
from bot.delivery.transport import build_push_bot
from bot.delivery.verdicts import Verdicts
from bot.delivery.writer import OutcomeWriter

__all__ = ["DeliveryEngine", "EngineStats", "Renderer", "build_push_bot"]

log = logging.getLogger(__name__)


# Subscribers turned into deliveries per transaction. 2000 held SQLite's write lock for
# 13-30 ms at a million subscribers (an editor's change waited for it); 500 still run well
# ahead of 1000 messages a second.
MATERIALIZE_BATCH = 500


class DeliveryEngine:
    """Pushes the outbox to Telegram: fast, within the limits, nothing lost.

    The engine owns `bot`'s transport: `start` opens it and `stop` closes it (the engine
    never calls getMe to start, so it starts during an outage).
    """

    def __init__(
        self,
        db: Database,
        bot: Bot,
        renderer: Renderer,
        *,
        rate: float,
        paid: bool = False,
        channel_id: int | None = None,
        budget: SendBudget | None = None,
        pacer: ChatPacer | None = None,
        concurrency: int | None = None,
        materialize_batch: int = MATERIALIZE_BATCH,
        deadline: float = 6 * 3600.0,
        backoff_base: float = 1.0,
        backoff_max: float = 120.0,
        flush_interval: float = 0.1,
        poll_interval: float = 1.0,
        outage_failures: int = 8,
        keep_sent: float = 60.0,
        compact_every: float = 5.0,
        probe_interval: float = 1.0,
        probe_max: float = 30.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.db = db
        self.bot = bot
        self.rate = effective_rate(rate, paid)
        # allow_paid_broadcast costs Stars on every message: only worth it above 30/s.
        self.paid = paid and self.rate > FREE_CEILING
        if self.rate < rate:
            log.warning(
                "PUSH_RATE %.0f/s is above Telegram's ceiling; sending at %.0f/s%s",
                rate,
                self.rate,
                "" if paid else " (PAID_BROADCAST=true allows up to 1000/s)",
            )
        # By default the budget is the one the reply bot's SharedRateLimiter draws from.
        self.budget = budget if budget is not None else shared_budget(rate, paid)
        self.clock = clock
        if pacer is None:
            # Replies and pushes to one chat count together (a group's 20 a minute).
            pacer = shared_pacer() if clock is SYSTEM_CLOCK else ChatPacer(clock=clock.monotonic)
        # Enough senders to keep rate × round-trip requests in flight.
        concurrency = concurrency or senders_for(self.rate)
        self.stats = EngineStats()
        self._stopping = False

        def stopping() -> bool:
            return self._stopping

        # Past outage_failures transient failures from several chats in a row with no
        # success between them the API is taken to be down: every push waits for a probe.
        self.outage = OutageBreaker(
            bot.get_me,
            clock=clock,
            on_pause=self._count_outage,
            on_resume=self._wake_claims,
            failures=outage_failures,
            probe_interval=probe_interval,
            probe_max=probe_max,
        )
        self.writer = OutcomeWriter(
            db,
            clock=clock,
            flush_interval=flush_interval,
            on_recorded=self._recorded,
            stopping=stopping,
        )
        self.scheduler = Scheduler(
            db,
            renderer,
            pacer=pacer,
            outage=self.outage,
            clock=clock,
            buffer=concurrency * 2,
            channel_id=channel_id,
            materialize_batch=materialize_batch,
            poll_interval=poll_interval,
            keep_sent=keep_sent,
            compact_every=compact_every,
            stopping=stopping,
        )
        calls = PushCalls(
            bot,
            renderer,
            budget=self.budget,
            pacer=pacer,
            outage=self.outage,
            clock=clock,
            stats=self.stats,
            paid=self.paid,
            channel_id=channel_id,
            stopping=stopping,
        )
        items = ItemCache(db, clock)
        backoff = policy.Backoff(deadline=deadline, base=backoff_base, maximum=backoff_max)
        verdicts = Verdicts(backoff, clock=clock, outage=self.outage, stats=self.stats)
        parts = PartEditor(calls, clock=clock, stats=self.stats)
        self.late = LateCopies(db, calls, clock=clock, stats=self.stats)
        self.senders = SenderPool(
            self.scheduler,
            Sending(calls, renderer, items, verdicts, self.late, channel_id=channel_id),
            Refreshing(
                db, calls, parts, renderer, items, self.writer, clock=clock, channel_id=channel_id
            ),
            verdicts,
            self.writer,
            pacer=pacer,
            size=concurrency,
        )
        self._claim_task: asyncio.Task[None] | None = None

    @property
    def stalled_since(self) -> float | None:
        """Unix time since which the Bot API is down and the engine is paused, or None."""
        return self.outage.down_since

    def _count_outage(self) -> None:
        self.stats.outages += 1

    def _wake_claims(self) -> None:
        self.scheduler.wake.set()

    def _recorded(self, results: Sequence[GroupResult]) -> None:
        # Items that waited behind one given back for a retry go back too: the next claim
        # takes them together, in order.
        for g in self.scheduler.recorded(results):
            self.writer.add(
                GroupResult(
                    g.chat_id,
                    g.story_id,
                    g.kind,
                    rest_ids=[r.id for r in g.rows],
                    outcome=Release(),
                )
            )
        self.scheduler.wake.set()

    async def start(self) -> None:
        """Recover deliveries a dead process left claimed, then start claiming and sending."""
        await self.bot.request.initialize()  # the transport only: no getMe
        recovered = await outbox.recover_claimed(self.db)
        self.stats.recovered_claims = recovered
        if recovered:
            log.warning(
                "push: %d deliveries were claimed by a stopped process; resending", recovered
            )
        self._stopping = False
        self.outage.reset()
        self.writer.start()
        self.senders.start()
        self._claim_task = asyncio.create_task(self.scheduler.run(), name="push-claim")
        log.info(
            "push engine started: %.0f/s%s, %d senders",
            self.rate,
            " (paid broadcast)" if self.paid else "",
            self.senders.size,
        )

    def notify(self) -> None:
        """Wake the claim loop after an enqueue (cheap; safe to call often)."""
        self.scheduler.wake.set()

    async def stop(self, drain_timeout: float = 10) -> None:
        """Stop claiming, give back what has not started, finish sends in flight, flush."""
        if self._stopping:
            return
        self._stopping = True
        self.scheduler.wake.set()
        if self._claim_task is not None:
            # Let the claim loop finish its current step: cancelled between a claim's commit
            # and its dispatch, claimed rows would be stranded until the next start.
            _, stuck = await asyncio.wait({self._claim_task}, timeout=5)
            for task in stuck:
                task.cancel()
            await asyncio.gather(self._claim_task, return_exceptions=True)
            self._claim_task = None
        await self.outage.stop()
        # Groups waiting in the queue or for their chat's pace never started: give them back.
        for g in self.scheduler.take_unstarted():
            rows = [r.id for r in g.rows]
            self.writer.add(
                GroupResult(g.chat_id, g.story_id, g.kind, rest_ids=rows, outcome=Release())
            )
        await self.senders.stop(drain_timeout)
        await self.late.stop()
        await self.writer.close(drain_timeout)
        await self.budget.close()
        await self.bot.request.shutdown()
        log.info("push engine stopped (%s)", self.stats)
