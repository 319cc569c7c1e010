"""The push engine: materialise the outbox, claim, send within the limits, record outcomes.

Shape: one claim loop (materialises fan-out batches when the backlog runs low, claims due
deliveries grouped per chat, holds groups whose chat is still paced), a bounded set of sender
tasks that each send one group at a time through the shared budget, and one writer that
records outcomes in batched transactions. A delivery row is 'claimed' from the claim until
its outcome is committed; only those rows can be sent twice after a crash.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import RetryAfter

from bot.db import deliveries as outbox
from bot.db import stories
from bot.db.connection import Database
from bot.db.deliveries import (
    ClaimedDelivery,
    GroupPart,
    GroupResult,
    RefreshTarget,
    SentPart,
    item_version,
)
from bot.db.models import Attachment, TickerItemRecord
from bot.db.outcomes import Cancel, Keep, Release
from bot.delivery import media, policy
from bot.delivery.attempt import Attempt, Group, Released
from bot.delivery.clock import SYSTEM_CLOCK, Clock
from bot.delivery.errors import Failure, FailureKind, classify
from bot.delivery.outage import OutageBreaker
from bot.delivery.ratelimit import (
    FREE_CEILING,
    PRIORITY_PUSH,
    ChatPacer,
    SendBudget,
    effective_rate,
    retry_after_seconds,
    shared_budget,
    shared_pacer,
)
from bot.delivery.render import Renderer, pack
from bot.delivery.transport import JsonTransport, build_push_bot
from bot.delivery.writer import OutcomeWriter
from bot.logs import redact
from bot.texts import split_caption

__all__ = ["DeliveryEngine", "EngineStats", "Renderer", "build_push_bot"]

log = logging.getLogger(__name__)
_R = TypeVar("_R")

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# What a surplus part of a shortened group shows when Telegram refuses to delete it (older
# than 48 hours): a pointer to the parts above, the same in every language.
_SURPLUS_PART = "⤴"
# The version recorded for a media push that failed half-way: never an item's real one,
# so the store queues a refresh of the group that completes it.
_INCOMPLETE = 0


@dataclass
class EngineStats:
    sent: int = 0  # messages that went out (pushes, recaps, overflow parts)
    edited: int = 0
    deleted: int = 0
    retry_after: int = 0  # 429 answers: waited, never counted as failed attempts
    transient: int = 0  # 5xx, network, not-sent timeouts: backed off
    read_timeouts: int = 0  # ambiguous: the message may have arrived
    dead_lettered: int = 0
    outages: int = 0  # times the Bot API failed for many chats at once: paused and probed
    blocked: int = 0
    migrated: int = 0
    recovered_claims: int = 0  # claimed by a dead process: the only possible duplicates


class DeliveryEngine:
    """Pushes the outbox to Telegram: fast, within the limits, nothing lost."""

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
        materialize_batch: int = 2000,
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
        self.renderer = renderer
        self.channel_id = channel_id
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
        self.pacer = pacer
        # Enough senders to keep rate × round-trip requests in flight (150 ms assumed).
        self.concurrency = concurrency or max(8, min(256, int(self.rate * 0.2) + 4))
        self.materialize_batch = materialize_batch
        self.keep_sent = keep_sent
        self.compact_every = compact_every
        self.backoff = policy.Backoff(deadline=deadline, base=backoff_base, maximum=backoff_max)
        self.writer = OutcomeWriter(
            db,
            clock=clock,
            flush_interval=flush_interval,
            on_recorded=self._wake_claims,
            stopping=lambda: self._stopping,
        )
        self.poll_interval = poll_interval
        self.stats = EngineStats()
        self._target = self.concurrency * 2
        self._outstanding = 0
        self._ready: asyncio.Queue[Group | None] = asyncio.Queue()
        self._delayed: list[tuple[float, int, Group]] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._senders: list[asyncio.Task[None]] = []
        self._attempts: dict[asyncio.Task[None], Attempt] = {}
        self._items: dict[int, tuple[float, TickerItemRecord]] = {}
        self._started_bot = False
        # Pushes through our own transport skip PTB's Message objects (see call_json).
        request = bot.request
        self._fast_transport = request if isinstance(request, JsonTransport) else None
        self._send_url = f"{bot.base_url}/sendMessage"
        self._markups: dict[int, tuple[InlineKeyboardMarkup, object]] = {}
        # Past outage_failures transient failures from several chats in a row with no
        # success between them the API is taken to be down: every push waits for a probe.
        self.outage = OutageBreaker(
            bot.get_me,
            clock=clock,
            on_pause=self._count_outage,
            on_resume=self._wake.set,
            failures=outage_failures,
            probe_interval=probe_interval,
            probe_max=probe_max,
        )

    @property
    def stalled_since(self) -> float | None:
        """Unix time since which the Bot API is down and the engine is paused, or None."""
        return self.outage.down_since

    def _count_outage(self) -> None:
        self.stats.outages += 1

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Recover deliveries a dead process left claimed, then start claiming and sending."""
        if not self.bot._requests_initialized:  # initialise the transport, without getMe
            await self.bot.request.initialize()
            self.bot._requests_initialized = True
            self._started_bot = True
        recovered = await outbox.recover_claimed(self.db)
        self.stats.recovered_claims = recovered
        if recovered:
            log.warning(
                "push: %d deliveries were claimed by a stopped process; resending", recovered
            )
        self._stopping = False
        self.outage.reset()
        self.writer.start()
        self._senders = [
            asyncio.create_task(self._sender(), name=f"push-sender-{n}")
            for n in range(self.concurrency)
        ]
        self._tasks = [asyncio.create_task(self._claim_loop(), name="push-claim")]
        log.info(
            "push engine started: %.0f/s%s, %d senders",
            self.rate,
            " (paid broadcast)" if self.paid else "",
            self.concurrency,
        )

    def notify(self) -> None:
        """Wake the claim loop after an enqueue (cheap; safe to call often)."""
        self._wake.set()

    async def stop(self, drain_timeout: float = 10) -> None:
        """Stop claiming, give back what has not started, finish sends in flight, flush."""
        if self._stopping:
            return
        self._stopping = True
        self._wake.set()
        # Let the claim loop finish its current step: cancelled between a claim's commit and
        # its dispatch, claimed rows would be stranded until the next start.
        _, stuck = await asyncio.wait(self._tasks, timeout=5) if self._tasks else (set(), set())
        for task in stuck:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.outage.stop()
        # Groups waiting in the queue or for their chat's pace never started: give them back.
        self._release_unstarted()
        for _ in self._senders:
            self._ready.put_nowait(None)
        # Senders waiting for the budget have not sent anything; those inside an HTTP
        # request get drain_timeout to finish it.
        for task, attempt in list(self._attempts.items()):
            if not attempt.in_flight:
                task.cancel()
        _, pending = (
            await asyncio.wait(self._senders, timeout=drain_timeout)
            if self._senders
            else (set(), set())
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._senders, return_exceptions=True)
        await self.writer.close(drain_timeout)
        await self.budget.close()
        if self._started_bot:
            await self.bot.request.shutdown()
            self.bot._requests_initialized = False
            self._started_bot = False
        log.info("push engine stopped (%s)", self.stats)

    def _release_unstarted(self) -> None:
        groups: list[Group] = [g for _, _, g in self._delayed]
        self._delayed.clear()
        while not self._ready.empty():
            g = self._ready.get_nowait()
            if g is not None:
                groups.append(g)
        for g in groups:
            self._resolve(
                GroupResult(
                    chat_id=g.chat_id,
                    story_id=g.story_id,
                    kind=g.kind,
                    rest_ids=[r.id for r in g.rows],
                    outcome=Release(),
                )
            )
            self._outstanding -= 1

    async def wait_idle(self, within: float = 30.0, *, horizon: float = 2.0) -> bool:
        """Wait until nothing is claimed, unmaterialised, or due within `horizon` seconds.

        For tests and benchmarks: deliveries held longer (quiet hours, digests, long
        backoffs) do not count as work.
        """
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if (
                self._outstanding == 0
                and not self.writer.pending
                and not self._delayed
                and not self.outage.paused
            ):
                busy = await self.db.fetchval(
                    "SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'claimed'"
                    " OR (status = 'pending' AND next_at <= ?))"
                    " + (SELECT COUNT(*) FROM fanout_jobs WHERE state = 'open')",
                    (self.clock.time() + horizon,),
                    0,
                )
                if not busy:
                    return True
            self._wake.set()
            await asyncio.sleep(0.05)
        return False

    # ------------------------------------------------------------ claiming

    async def _claim_loop(self) -> None:
        next_report = next_compaction = 0.0
        while not self._stopping:
            try:
                await self._claim_once()
                if self.clock.monotonic() >= next_report:
                    next_report = self.clock.monotonic() + 0.5
                    await self._report_finished()
                if self.clock.monotonic() >= next_compaction:
                    next_compaction = self.clock.monotonic() + self.compact_every
                    await self._compact()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("push: claim loop failed; retrying")
                await self.clock.sleep(1.0)

    async def _claim_once(self) -> None:
        if self.outage.paused:
            # The Bot API is down: claim nothing until the probe sees it answer again.
            await self.clock.wait(self.outage.up, self.poll_interval)
            return
        self._wake.clear()
        self._release_due()
        room = self._target - self._outstanding
        # Claim in batches: only once half the buffer is used up, so a busy fan-out costs a
        # few claim transactions a second instead of one per message.
        if room >= self._target // 2:
            rows = await outbox.claim(self.db, limit=room, now=self.clock.time())
            if rows:
                try:
                    # One query for the batch's languages instead of one per message.
                    await self.renderer.prepare(sorted({r.chat_id for r in rows}))
                except Exception:  # rendering falls back to reading each chat itself
                    log.exception("push: preparing the render of a batch failed")
                self._dispatch(rows)
                if len(rows) >= room:
                    await asyncio.sleep(0)
                    return
            made = await outbox.materialize(
                self.db,
                batch=self.materialize_batch,
                channel_id=self.channel_id,
                now=self.clock.time(),
            )
            if made:
                return
            if rows:
                return
        timeout = self.poll_interval
        if self._delayed:
            timeout = min(timeout, self._delayed[0][0] - self.clock.monotonic())
        if room >= self._target // 2:
            due = await outbox.next_due(self.db)
            if due is not None:
                timeout = min(timeout, due - self.clock.time())
        if timeout > 0:
            await self.clock.wait(self._wake, timeout)

    def _dispatch(self, rows: Sequence[ClaimedDelivery]) -> None:
        groups: dict[tuple[int, int, str, int], Group] = {}
        for row in rows:
            # Items (and recaps) for one chat and story share a message; refreshes of one
            # delivered group of messages (several corrections at once) re-render it once.
            group_id = (row.message_id or 0) if row.kind == "refresh" else 0
            key = (row.chat_id, row.story_id, row.kind, group_id)
            group = groups.get(key)
            if group is None:
                groups[key] = Group(row.chat_id, row.story_id, row.kind, [row])
            else:
                group.rows.append(row)
        now = self.clock.monotonic()
        for group in groups.values():
            self._outstanding += 1
            ready = self.pacer.ready_at(group.chat_id)
            if ready > now:
                self._delay(group, ready)
            else:
                self._ready.put_nowait(group)

    def _delay(self, group: Group, until: float) -> None:
        heapq.heappush(self._delayed, (until, next(self._seq), group))
        self._wake.set()

    def _release_due(self) -> None:
        now = self.clock.monotonic()
        while self._delayed and self._delayed[0][0] <= now:
            _, _, group = heapq.heappop(self._delayed)
            self._ready.put_nowait(group)

    async def _compact(self) -> None:
        """Drop sent deliveries older than `keep_sent` from the outbox, a batch at a time."""
        before = self.clock.time() - self.keep_sent
        for _ in range(20):  # bounded: at most 100,000 rows per round, in short transactions
            if await outbox.compact(self.db, sent_before=before, limit=5000) < 5000:
                return
            await asyncio.sleep(0)

    async def _report_finished(self) -> None:
        for job in await outbox.finished_jobs(self.db, now=self.clock.time()):
            counts = ", ".join(f"{k}={v}" for k, v in sorted(job.counts.items()))
            log.info(
                "push %s done: story=%d item=%s in %.1fs (%s)",
                job.kind,
                job.story_id,
                job.item_id,
                job.seconds,
                counts or "no recipients",
            )

    # ------------------------------------------------------------ sending

    async def _sender(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        while True:
            group = await self._ready.get()
            if group is None:
                return
            retry_at = self.pacer.try_acquire(group.chat_id)
            if retry_at:
                self._delay(group, retry_at)
                continue
            attempt = Attempt(group)
            self._attempts[task] = attempt
            try:
                for result in await self._process(attempt):
                    self._resolve(result)
            except asyncio.CancelledError:
                self._resolve_cancelled(attempt)
                raise
            except Exception as exc:  # a bug or a renderer failure: never lose the rows
                log.exception("push: processing a group for a chat failed")
                self._resolve(self._failure(attempt, classify(exc), kept=[]))
            finally:
                self._attempts.pop(task, None)
                self.pacer.release(group.chat_id)
                self._outstanding -= 1
                if self._outstanding <= self._target // 2:
                    self._wake.set()

    def _resolve(self, result: GroupResult) -> None:
        self.writer.add(result)

    def _wake_claims(self) -> None:
        self._wake.set()

    def _resolve_cancelled(self, attempt: Attempt) -> None:
        # Cancelled inside an HTTP request: the message may be out; leave the rows claimed
        # so the next start resends them (a possible duplicate, never a loss).
        self._resolve(attempt.result(Keep() if attempt.in_flight else Release()))

    async def _process(self, attempt: Attempt) -> list[GroupResult]:
        group = attempt.group
        try:
            if group.kind == "item":
                return await self._send_items(attempt)
            if group.kind == "recap":
                return await self._send_recap(attempt)
            return await self._refresh(attempt)
        except Released as exc:
            return [self._release(attempt, exc.delay)]
        except Exception as exc:
            failure = classify(exc)
            if failure.kind not in (FailureKind.TRANSIENT, FailureKind.AMBIGUOUS):
                log.info("push to a chat failed: %s", failure.reason)
            return [self._failure(attempt, failure, kept=[])]

    async def _load_items(
        self, ids: Sequence[int], *, fresh: bool = False
    ) -> dict[int, TickerItemRecord]:
        # A fan-out renders the same item thousands of times a second: cache it briefly.
        # A change that lands meanwhile is caught when the send is recorded (versions).
        now = time.monotonic()
        found: dict[int, TickerItemRecord] = {}
        missing = []
        for item_id in set(ids):
            cached = self._items.get(item_id)
            if cached and not fresh and cached[0] > now:
                found[item_id] = cached[1]
            else:
                missing.append(item_id)
        if missing:
            for item in await stories.items_by_ids(self.db, missing):
                found[item.id] = item
                self._items[item.id] = (now + 1.0, item)
            if len(self._items) > 10_000:
                self._items = {k: v for k, v in self._items.items() if v[0] > now}
        return found

    async def _send_items(self, attempt: Attempt) -> list[GroupResult]:
        group = attempt.group
        rows = group.rows
        items = await self._load_items([r.item_id for r in rows if r.item_id is not None])
        out: list[GroupResult] = []
        dropped = [r.id for r in rows if r.item_id not in items or items[r.item_id].is_retracted]
        if dropped:
            out.append(
                GroupResult(
                    group.chat_id,
                    group.story_id,
                    "item",
                    rest_ids=dropped,
                    outcome=Cancel("retracted"),
                )
            )
        live_rows = [r for r in rows if r.id not in set(dropped)]
        live = sorted(
            {r.item_id: items[r.item_id] for r in live_rows if r.item_id is not None}.values(),
            key=lambda i: (i.position, i.id),
        )
        by_item: dict[int, list[int]] = {}
        for r in live_rows:
            if r.item_id is not None:
                by_item.setdefault(r.item_id, []).append(r.id)
        packs = await pack(self.renderer, group.chat_id, group.story_id, live)
        try:
            for pack_items, texts in packs:
                ids = tuple(i.id for i in pack_items)
                versions = tuple(
                    (i.id, item_version(i.headline, i.body, i.corrected_at, i.retracted_at))
                    for i in pack_items
                )
                first: int | None = None
                to_subscriber = group.chat_id != self.channel_id
                markup = (
                    await self.renderer.push_keyboard(group.chat_id, group.story_id)
                    if to_subscriber
                    else None
                )
                if len(pack_items) == 1 and pack_items[0].media:
                    await self._send_media_item(
                        attempt, pack_items[0], texts, versions, markup, push=to_subscriber
                    )
                    continue
                for part, text in enumerate(texts):
                    message_id = await self._send(
                        attempt,
                        text,
                        push=to_subscriber,
                        markup=markup if part == len(texts) - 1 else None,
                    )
                    first = message_id if first is None else first
                    # The parts of one pack are one group: a correction re-renders them all.
                    attempt.sent.append(SentPart(message_id, ids, versions, first, part))
                for item_id in ids:
                    attempt.done += [(d, first) for d in by_item.get(item_id, [])]
        except Released as exc:
            out.append(self._release(attempt, exc.delay))
            return out
        except Exception as exc:
            out.append(self._failure(attempt, classify(exc), kept=dropped))
            return out
        out.append(
            GroupResult(group.chat_id, group.story_id, "item", done=attempt.done, sent=attempt.sent)
        )
        return out

    async def _send_media_item(
        self,
        attempt: Attempt,
        item: TickerItemRecord,
        texts: list[str],
        versions: tuple[tuple[int, int], ...],
        markup: InlineKeyboardMarkup | None,
        *,
        push: bool,
    ) -> int | None:
        """Send an item's attachments (caption on the first) and the rest of its text.

        Once the first message is out the item counts as delivered to the chat: a failure
        after it is recorded with the parts that went out, marked so that a refresh of the
        group sends the missing ones, instead of the whole item going out a second time."""
        plan = media.plan(item.media, texts)
        ids = (item.id,)
        rows = [r.id for r in attempt.group.rows if r.item_id == item.id]
        carrier = plan.buttons_on
        first: int | None = None
        index = 0
        try:
            for request in plan.sends:
                n = len(request.attachments)
                keyboard = markup if carrier == index + n - 1 and n == 1 else None
                message_ids = await self._send_media(attempt, request, keyboard, push=push)
                for attachment, message_id in zip(request.attachments, message_ids, strict=False):
                    first = message_id if first is None else first
                    shown = (attachment.kind.value, attachment.file_unique_id)
                    attempt.sent.append(SentPart(message_id, ids, versions, first, index, shown))
                    index += 1
                if first is not None and not any(d in rows for d, _ in attempt.done):
                    attempt.done += [(d, first) for d in rows]
            for text in plan.follow_ups:
                keyboard = markup if carrier == index else None
                message_id = await self._send(attempt, text, push=push, markup=keyboard)
                attempt.sent.append(SentPart(message_id, ids, versions, first, index))
                index += 1
        except Exception:
            if first is not None:
                # What went out stays recorded; a version no rendering has makes the store
                # queue a refresh of the group, which sends what is missing.
                incomplete = tuple((i, _INCOMPLETE) for i, _ in versions)
                attempt.sent = [
                    replace(p, versions=incomplete) if p.group == first else p for p in attempt.sent
                ]
            raise
        return first

    async def _send_media(
        self,
        attempt: Attempt,
        request: media.MediaSend,
        markup: InlineKeyboardMarkup | None,
        *,
        push: bool,
    ) -> list[int]:
        chat_id = attempt.group.chat_id
        paid = self.paid and push
        thread = (
            await self.renderer.topic(chat_id, attempt.group.story_id)
            if chat_id != self.channel_id
            else None
        )

        async def send() -> list[int]:
            return await media.send(
                self.bot, chat_id, request, markup=markup, thread=thread, paid=paid
            )

        count = len(request.attachments)
        message_ids = await self._call(attempt, chat_id, send, cost=count)
        self.stats.sent += len(message_ids)
        return message_ids

    async def _send_recap(self, attempt: Attempt) -> list[GroupResult]:
        group = attempt.group
        text = await self.renderer.render_recap(group.chat_id, group.story_id)
        message_id = await self._send(attempt, text, push=True)
        attempt.sent.append(SentPart(message_id, ()))
        attempt.done = [(r.id, None) for r in group.rows]
        return [
            GroupResult(
                group.chat_id,
                group.story_id,
                "recap",
                done=attempt.done,
                sent=attempt.sent,
                sub_ids=[r.sub_id for r in group.rows if r.sub_id is not None],
            )
        ]

    async def _refresh(self, attempt: Attempt) -> list[GroupResult]:
        group = attempt.group
        chat_id, group_id = group.chat_id, group.rows[0].message_id
        ids = [r.id for r in group.rows]
        # The chat's previous refresh may have added or deleted parts of this very group:
        # read the group only once that is recorded, or those parts would be added again.
        for _ in range(50):
            if not self.writer.refresh_pending(chat_id):
                break
            await self.clock.sleep(max(self.writer.flush_interval, 0.01))
        else:
            raise Released(1.0)
        target = (
            await outbox.refresh_target(self.db, chat_id, group_id)
            if group_id is not None
            else None
        )
        if target is None or not target.parts:
            return [
                GroupResult(
                    chat_id,
                    group.story_id,
                    "refresh",
                    rest_ids=ids,
                    outcome=Cancel("message already gone"),
                )
            ]
        items = list((await self._load_items(target.item_ids, fresh=True)).values())
        items.sort(key=lambda i: (i.position, i.id))
        if not items:
            return [
                GroupResult(
                    chat_id, group.story_id, "refresh", rest_ids=ids, outcome=Cancel("no items")
                )
            ]
        # A failure half-way is recorded with what the attempt did (_process): the retry
        # finds the parts already added or deleted and continues from there.
        if any(p.media_kind for p in target.parts) or any(i.media for i in items):
            await self._rerender_media(attempt, target, items)
        else:
            await self._rerender(attempt, target, items)
        attempt.done = [(i, None) for i in ids]
        return [
            GroupResult(
                chat_id,
                target.story_id,
                "refresh",
                done=attempt.done,
                sent=attempt.sent,
                refreshed=attempt.refreshed,
                media_changed=attempt.media_changed,
            )
        ]

    async def _rerender(
        self, attempt: Attempt, target: RefreshTarget, items: list[TickerItemRecord]
    ) -> None:
        """Make a delivered group of messages show its items as they are now.

        Part n of the new rendering goes into the group's n-th message; parts beyond the
        group's messages go out as new messages of the group, messages beyond the rendering
        are deleted (or, where Telegram refuses, edited to a short notice). Every outcome is
        kept in the attempt as it happens, so a retry continues from the recorded group.
        """
        chat_id = target.chat_id
        texts = await self.renderer.render_items(chat_id, target.story_id, items)
        retracted = all(i.is_retracted for i in items)
        # A retracted group goes (where it still can); its notice stands in for what cannot.
        keep = [] if retracted else texts
        notice = texts[0] if retracted and texts else _SURPLUS_PART
        item_ids = tuple(i.id for i in items)
        # An edit without reply_markup removes the buttons: the last part gets them again.
        markup = (
            await self.renderer.push_keyboard(chat_id, target.story_id)
            if keep and chat_id != self.channel_id
            else None
        )
        last = len(keep) - 1
        for n, part in enumerate(target.parts):
            if n < len(keep):
                await self._edit_part(
                    attempt, chat_id, part.message_id, keep[n], markup if n == last else None
                )
            elif not (
                self.clock.time() - part.sent_at < outbox.DELETE_WINDOW_SECONDS
                and await self._delete_part(attempt, chat_id, part.message_id)
            ):
                # Older than 48 hours, or Telegram refused: show the notice instead.
                await self._edit_part(attempt, chat_id, part.message_id, notice)
        # A correction that no longer fits the group's messages: the rest goes out as new
        # messages of the group, so later edits and retractions reach every part.
        for n, text in enumerate(keep[len(target.parts) :]):
            at_end = len(target.parts) + n == last
            new_id = await self._send(attempt, text, push=False, markup=markup if at_end else None)
            attempt.sent.append(
                SentPart(new_id, item_ids, group_id=target.group_id, part=target.next_part + n)
            )

    async def _rerender_media(
        self, attempt: Attempt, target: RefreshTarget, items: list[TickerItemRecord]
    ) -> None:
        """Make a delivered item with attachments show it as it is now.

        A correction edits the caption (editMessageCaption), a replaced file the media
        (editMessageMedia), the follow-up texts as text. A retraction deletes every message
        of the group (album and follow-ups); what Telegram no longer lets us delete shows the
        notice. When the attachments no longer fit the delivered messages (another number,
        a document for a photo in an album), the group is deleted and sent anew."""
        chat_id = target.chat_id
        item = next((i for i in items if i.media), items[0])
        texts = await self.renderer.render_items(chat_id, target.story_id, [item])
        if item.is_retracted:
            notice = texts[0] if texts else _SURPLUS_PART
            for part in target.parts:
                await self._remove_part(attempt, chat_id, part, notice)
            return
        plan = media.plan(item.media, texts)
        slots = plan.slots
        markup = (
            await self.renderer.push_keyboard(chat_id, target.story_id)
            if chat_id != self.channel_id
            else None
        )
        carrier = plan.buttons_on
        shown = [p for p in target.parts if p.media_kind]
        follow_ups = [p for p in target.parts if not p.media_kind]
        fits = len(shown) == len(slots) and all(
            (alone and len(slots) == 1)
            or media.album_class(old.media_kind or "") == media.album_class(a.kind)
            for old, (a, _, alone) in zip(shown, slots, strict=True)
        )
        item_ids = (item.id,)
        if not fits:
            for part in target.parts:
                await self._remove_part(attempt, chat_id, part, _SURPLUS_PART)
            index = target.next_part
            for request in plan.sends:
                n = len(request.attachments)
                keyboard = (
                    markup if carrier == index - target.next_part + n - 1 and n == 1 else None
                )
                message_ids = await self._send_media(attempt, request, keyboard, push=False)
                for attachment, message_id in zip(request.attachments, message_ids, strict=False):
                    pair = (attachment.kind.value, attachment.file_unique_id)
                    attempt.sent.append(
                        SentPart(
                            message_id, item_ids, group_id=target.group_id, part=index, media=pair
                        )
                    )
                    index += 1
            for text in plan.follow_ups:
                keyboard = markup if carrier == index - target.next_part else None
                message_id = await self._send(attempt, text, push=False, markup=keyboard)
                attempt.sent.append(
                    SentPart(message_id, item_ids, group_id=target.group_id, part=index)
                )
                index += 1
            return
        for n, (part, (attachment, caption, _)) in enumerate(zip(shown, slots, strict=True)):
            keyboard = markup if carrier == n else None
            if part.media_file != attachment.file_unique_id or part.media_kind != attachment.kind:
                await self._edit_media_part(
                    attempt, chat_id, part.message_id, attachment, caption, keyboard
                )
            elif caption or n == 0 or keyboard is not None:
                await self._edit_caption_part(attempt, chat_id, part.message_id, caption, keyboard)
        base = len(slots)
        for n, part in enumerate(follow_ups):
            if n < len(plan.follow_ups):
                keyboard = markup if carrier == base + n else None
                await self._edit_part(
                    attempt, chat_id, part.message_id, plan.follow_ups[n], keyboard
                )
            else:
                await self._remove_part(attempt, chat_id, part, _SURPLUS_PART)
        for n, text in enumerate(plan.follow_ups[len(follow_ups) :]):
            position = base + len(follow_ups) + n
            keyboard = markup if carrier == position else None
            message_id = await self._send(attempt, text, push=False, markup=keyboard)
            attempt.sent.append(
                SentPart(
                    message_id,
                    item_ids,
                    group_id=target.group_id,
                    part=target.next_part + n,
                )
            )

    async def _remove_part(
        self, attempt: Attempt, chat_id: int, part: GroupPart, notice: str
    ) -> None:
        """Delete one message of a group; where Telegram refuses, make it show `notice`."""
        if self.clock.time() - part.sent_at < outbox.DELETE_WINDOW_SECONDS and (
            await self._delete_part(attempt, chat_id, part.message_id)
        ):
            return
        if part.media_kind:
            caption, _ = split_caption(notice)  # a caption holds less than a message
            await self._edit_caption_part(attempt, chat_id, part.message_id, caption, None)
        else:
            await self._edit_part(attempt, chat_id, part.message_id, notice)

    async def _edit_caption_part(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """Edit the caption (and buttons) of one delivered attachment."""

        async def edit() -> int:
            return await media.edit_caption(self.bot, chat_id, message_id, caption, markup)

        await self._edit_with(attempt, chat_id, message_id, edit)

    async def _edit_media_part(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        attachment: Attachment,
        caption: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        """Replace the attachment of one delivered message."""

        async def edit() -> int:
            return await media.edit_media(
                self.bot, chat_id, message_id, attachment, caption, markup
            )

        if await self._edit_with(attempt, chat_id, message_id, edit):
            attempt.media_changed.append(
                (message_id, attachment.kind.value, attachment.file_unique_id)
            )

    async def _edit_with(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        edit: Callable[[], Awaitable[int]],
    ) -> bool:
        """Run an edit of one message; whether it shows the new state (False: gone)."""
        try:
            await self._call(attempt, chat_id, edit)
        except Exception as exc:
            kind = classify(exc).kind
            if kind is FailureKind.MESSAGE_GONE:
                attempt.refreshed.append((message_id, "gone"))
                return False
            if kind is not FailureKind.NOT_MODIFIED:
                raise
        else:
            self.stats.edited += 1
        attempt.refreshed.append((message_id, "corrected"))
        return True

    async def _delete_part(self, attempt: Attempt, chat_id: int, message_id: int) -> bool:
        """Delete one message of a group; False if Telegram refuses to."""
        try:
            await self._call(attempt, chat_id, lambda: self._delete(chat_id, message_id))
        except Exception as exc:
            kind = classify(exc).kind
            if kind is FailureKind.CANT_DELETE:
                return False
            if kind is not FailureKind.MESSAGE_GONE:
                raise
            # Already gone (deleted by a refresh that crashed before recording it, or by hand).
            attempt.refreshed.append((message_id, "gone"))
            return True
        self.stats.deleted += 1
        attempt.refreshed.append((message_id, "deleted"))
        return True

    async def _edit_part(
        self,
        attempt: Attempt,
        chat_id: int,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Edit one message of a group to show `text` (and `markup`'s buttons)."""
        try:
            await self._call(
                attempt, chat_id, lambda: self._edit(chat_id, message_id, text, markup)
            )
        except Exception as exc:
            kind = classify(exc).kind
            if kind is FailureKind.MESSAGE_GONE:
                attempt.refreshed.append((message_id, "gone"))
                return
            if kind is not FailureKind.NOT_MODIFIED:  # not modified: it shows the text already
                raise
        else:
            self.stats.edited += 1
        attempt.refreshed.append((message_id, "corrected"))

    async def _delete(self, chat_id: int, message_id: int) -> int:
        await self.bot.delete_message(chat_id=chat_id, message_id=message_id)
        return message_id

    async def _edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> int:
        await self.bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            link_preview_options=_NO_PREVIEW,
            reply_markup=markup,
        )
        return message_id

    async def _send(
        self,
        attempt: Attempt,
        text: str,
        *,
        push: bool,
        markup: InlineKeyboardMarkup | None = None,
    ) -> int:
        chat_id = attempt.group.chat_id

        paid = self.paid and push
        fast = self._fast_transport
        # A subscription made in a forum topic pushes to that topic.
        thread = (
            await self.renderer.topic(chat_id, attempt.group.story_id)
            if chat_id != self.channel_id
            else None
        )

        async def send() -> int:
            if fast is not None:
                payload: dict[str, object] = {
                    "chat_id": chat_id,
                    "text": text,
                    "parse_mode": "HTML",
                    "link_preview_options": {"is_disabled": True},
                }
                if paid:
                    payload["allow_paid_broadcast"] = True
                if markup is not None:
                    payload["reply_markup"] = self._markup_json(markup)
                if thread is not None:
                    payload["message_thread_id"] = thread
                result = await fast.call_json(self._send_url, payload)
                return int(result["message_id"])
            message = await self.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                allow_paid_broadcast=True if paid else None,
                reply_markup=markup,
                message_thread_id=thread,
            )
            return message.message_id

        message_id = await self._call(attempt, chat_id, send)
        self.stats.sent += 1
        return message_id

    def _markup_json(self, markup: InlineKeyboardMarkup) -> object:
        # The renderer hands out one keyboard object per story and language: serialise each
        # once, not once per message (it is a good part of a push's CPU otherwise).
        cached = self._markups.get(id(markup))
        if cached is None or cached[0] is not markup:
            if len(self._markups) > 1000:
                self._markups.clear()
            cached = self._markups[id(markup)] = (markup, markup.to_dict())
        return cached[1]

    async def _call(
        self,
        attempt: Attempt,
        chat_id: int,
        request: Callable[[], Awaitable[_R]],
        *,
        cost: int = 1,
    ) -> _R:
        """Run one Bot API call within the limits; wait out 429s (not failed attempts).

        `cost` is how many messages the call makes (an album of N makes N): that many count
        against the shared budget and the chat's pace."""
        for tries in range(20):
            if self.outage.paused:
                # Paused: the Bot API is down. Give the group back instead of failing it.
                raise Released(0.0)
            # Subsequent messages of one group respect the chat's own pace, and so do
            # replies to the same chat that took its slot while the budget was awaited.
            for _ in range(1000):
                wait = self.pacer.ready_at(chat_id) - self.clock.monotonic()
                if wait > 0:
                    await self.clock.sleep(wait)
                for _ in range(cost):
                    await self.budget.acquire(PRIORITY_PUSH)
                now = self.clock.monotonic()
                # A bot-wide 429 that came back while this send waited holds it too.
                if self.pacer.ready_at(chat_id) <= now and self.budget.paused_until <= now:
                    break
            self.pacer.sent(chat_id, count=cost)
            attempt.in_flight = True
            try:
                result = await request()
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                # A 429 is no failed attempt. It holds this chat only, unless several chats
                # got one at once: then the limit is bot-wide and every send waits.
                self.stats.retry_after += 1
                self.pacer.hold(chat_id, seconds)
                if not self.budget.flood(chat_id, seconds) or self._stopping or tries == 19:
                    raise Released(seconds) from None
            except Exception as exc:
                self.outage.failure(chat_id, exc)
                raise
            else:
                self.outage.success()
                return result
            finally:
                attempt.in_flight = False
        raise Released(1.0)

    # ------------------------------------------------------------ outcomes

    def _release(self, attempt: Attempt, delay: float) -> GroupResult:
        return attempt.result(Release(self.clock.time() + delay), subscriptions=False)

    def _failure(self, attempt: Attempt, failure: Failure, *, kept: list[int]) -> GroupResult:
        rest = attempt.rest(kept)
        if not rest:
            return attempt.result(Cancel(), kept=kept)
        history = policy.History(
            attempts=max(r.attempts for r in rest),
            timeouts=max(r.timeouts for r in rest),
            failing_since=min(
                (r.failing_since for r in rest if r.failing_since is not None), default=None
            ),
        )
        decision = policy.decide(
            replace(failure, reason=redact(failure.reason)),
            history,
            now=self.clock.time(),
            backoff=self.backoff,
            jitter=random.random(),
            paused=self.outage.paused,
        )
        self._count(failure, decision)
        return attempt.result(decision, kept=kept)

    def _count(self, failure: Failure, decision: policy.Decision) -> None:
        if failure.kind is FailureKind.AMBIGUOUS:
            self.stats.read_timeouts += 1
        elif failure.kind is FailureKind.TRANSIENT:
            self.stats.transient += 1
        match decision:
            case policy.Block():
                self.stats.blocked += 1
            case policy.Migrate():
                self.stats.migrated += 1
            case policy.DeadLetter():
                self.stats.dead_lettered += 1
            case _:
                pass
