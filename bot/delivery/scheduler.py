"""The claim loop: materialise fan-out batches, claim due deliveries, hand groups to senders.

Claimed rows are grouped per chat (items and recaps for one chat and story share a message;
refreshes of one delivered group are one group). One group per chat is out at a time (in
the queue the senders take from, waiting in a heap for its chat's slot, or being sent);
the chat's later groups wait in its line in the order they were claimed, so a reader gets
the items in the order they were posted however the sends interleave. A group whose items
go back to be retried holds its line until that is recorded; its story's items waiting
behind it are then given back too, so the next claim takes them all in one message. The
loop claims
only when half its buffer is used up, so a busy fan-out costs a few claim transactions a
second, and it also compacts the outbox and logs finished jobs.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Callable, Sequence

from bot.db import deliveries as outbox
from bot.db.connection import Database
from bot.db.deliveries import ClaimedDelivery, GroupResult
from bot.delivery.attempt import Group
from bot.delivery.clock import Clock
from bot.delivery.outage import OutageBreaker
from bot.delivery.ratelimit import ChatPacer
from bot.delivery.render import Renderer

__all__ = ["Scheduler"]

log = logging.getLogger(__name__)

# How often finished jobs are logged, in seconds.
_REPORT_EVERY = 0.5
# At most this many due deliveries name the chats of one claim. A claim of 300 held
# SQLite's write lock for 8-30 ms at a million subscribers, and an editor's change in the
# bot's process waited for it; 100 at a time is a few claims a second at 1000 msg/s.
CLAIM_BATCH = 100
# Compaction rounds: at most this many batches of _COMPACT_BATCH rows each time.
_COMPACT_ROUNDS = 20
_COMPACT_BATCH = 5000


class Scheduler:
    """Claims deliveries and queues them per chat for the senders, at the chats' pace."""

    def __init__(
        self,
        db: Database,
        renderer: Renderer,
        *,
        pacer: ChatPacer,
        outage: OutageBreaker,
        clock: Clock,
        buffer: int,
        channel_id: int | None,
        materialize_batch: int,
        poll_interval: float,
        keep_sent: float,
        compact_every: float,
        stopping: Callable[[], bool],
    ) -> None:
        self._db = db
        self._renderer = renderer
        self._pacer = pacer
        self._outage = outage
        self._clock = clock
        self._target = buffer
        self._channel_id = channel_id
        self._materialize_batch = materialize_batch
        self._poll_interval = poll_interval
        self._keep_sent = keep_sent
        self._compact_every = compact_every
        self._stopping = stopping
        # Groups claimed and not yet settled (queued, delayed or being sent).
        self.outstanding = 0
        self._ready: asyncio.Queue[Group | None] = asyncio.Queue()
        self._delayed: list[tuple[float, int, Group]] = []
        self._seq = itertools.count()
        # Chats with a group out, and the groups claimed after it (None: none yet, which
        # saves a deque per chat in a million-chat fan-out).
        self._lines: dict[int, deque[Group] | None] = {}
        # Chats whose group gave items back, until the writer has recorded it: the story
        # of those items.
        self._giving_back: dict[int, int] = {}
        self.wake = asyncio.Event()

    @property
    def idle(self) -> bool:
        """Whether no claimed group is waiting or being sent."""
        return self.outstanding == 0 and not self._delayed

    async def next_group(self) -> Group | None:
        """The next group to send; None tells a sender to end."""
        return await self._ready.get()

    def end_senders(self, count: int) -> None:
        """Tell `count` senders waiting for a group to end."""
        for _ in range(count):
            self._ready.put_nowait(None)

    def delay(self, group: Group, until: float) -> None:
        """Queue `group` again once its chat's slot comes (monotonic `until`)."""
        heapq.heappush(self._delayed, (until, next(self._seq), group))
        self.wake.set()

    def settled(self, group: Group, *, gave_back: bool = False) -> None:
        """`group`'s outcome was handed to the writer: its chat's next group may go out,
        or, if `gave_back` (items to retry), waits until the writer has recorded that."""
        self.outstanding -= 1
        if gave_back and group.kind == "item" and group.chat_id in self._lines:
            self._giving_back[group.chat_id] = group.story_id
        else:
            self._next_in_line(group.chat_id)
        if self.outstanding <= self._target // 2:
            self.wake.set()

    def recorded(self, results: Sequence[GroupResult]) -> list[Group]:
        """The writer recorded `results`: lines held for them move on. Returns the held
        story's items that waited behind, to be given back (due now) alongside."""
        if not self._giving_back:
            return []
        back: list[Group] = []
        for result in results:
            story_id = self._giving_back.pop(result.chat_id, None)
            if story_id is None or not result.gives_back:
                if story_id is not None:
                    self._giving_back[result.chat_id] = story_id
                continue
            line = self._lines.get(result.chat_id)
            if line:
                keep = deque(g for g in line if g.kind != "item" or g.story_id != story_id)
                back.extend(g for g in line if g.kind == "item" and g.story_id == story_id)
                self._lines[result.chat_id] = keep
            self._next_in_line(result.chat_id)
        self.outstanding -= len(back)
        if back:
            self.wake.set()
        return back

    def _next_in_line(self, chat_id: int) -> None:
        line = self._lines.pop(chat_id, None)
        if line:
            self._lines[chat_id] = line
            self._send_out(line.popleft())

    def take_unstarted(self) -> list[Group]:
        """Remove every group that has not started (queued, delayed or in line) and return them."""
        groups: list[Group] = [g for _, _, g in self._delayed]
        self._delayed.clear()
        for line in self._lines.values():
            if line:
                groups.extend(line)
        self._lines.clear()
        self._giving_back.clear()
        while not self._ready.empty():
            g = self._ready.get_nowait()
            if g is not None:
                groups.append(g)
        self.outstanding -= len(groups)
        return groups

    async def run(self) -> None:
        """Claim until stopped; a failing step is logged and tried again a second later."""
        next_report = next_compaction = 0.0
        clock = self._clock
        while not self._stopping():
            try:
                await self._claim_once()
                if clock.monotonic() >= next_report:
                    next_report = clock.monotonic() + _REPORT_EVERY
                    await self._report_finished()
                if clock.monotonic() >= next_compaction:
                    next_compaction = clock.monotonic() + self._compact_every
                    await self._compact()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("push: claim loop failed; retrying")
                await clock.sleep(1.0)

    async def _claim_once(self) -> None:
        if self._outage.paused:
            # The Bot API is down: claim nothing until the probe sees it answer again.
            await self._clock.wait(self._outage.up, self._poll_interval)
            return
        self.wake.clear()
        self._release_due()
        room = self._target - self.outstanding
        # Claim in batches: only once half the buffer is used up, so a busy fan-out costs a
        # few claim transactions a second instead of one per message.
        if room >= self._target // 2:
            limit = min(room, CLAIM_BATCH)
            rows = await outbox.claim(self._db, limit=limit, now=self._clock.time())
            if rows:
                try:
                    # One query for the batch's languages instead of one per message.
                    await self._renderer.prepare(sorted({r.chat_id for r in rows}))
                except Exception:  # rendering falls back to reading each chat itself
                    log.exception("push: preparing the render of a batch failed")
                self._dispatch(rows)
                if len(rows) >= limit:
                    await asyncio.sleep(0)
                    return
            made = await outbox.materialize(
                self._db,
                batch=self._materialize_batch,
                channel_id=self._channel_id,
                now=self._clock.time(),
            )
            if made or rows:
                return
        timeout = self._poll_interval
        if self._delayed:
            timeout = min(timeout, self._delayed[0][0] - self._clock.monotonic())
        if room >= self._target // 2:
            due = await outbox.next_due(self._db)
            if due is not None:
                timeout = min(timeout, due - self._clock.time())
        if timeout > 0:
            await self._clock.wait(self.wake, timeout)

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
        lines = self._lines
        for group in groups.values():
            self.outstanding += 1
            chat_id = group.chat_id
            if chat_id in lines:
                line = lines[chat_id]
                if line is None:
                    lines[chat_id] = deque((group,))
                else:
                    line.append(group)
            else:
                lines[chat_id] = None
                self._send_out(group)

    def _send_out(self, group: Group) -> None:
        ready = self._pacer.ready_at(group.chat_id)
        if ready > self._clock.monotonic():
            self.delay(group, ready)
        else:
            self._ready.put_nowait(group)

    def _release_due(self) -> None:
        now = self._clock.monotonic()
        while self._delayed and self._delayed[0][0] <= now:
            _, _, group = heapq.heappop(self._delayed)
            self._ready.put_nowait(group)

    async def _compact(self) -> None:
        """Drop sent deliveries older than `keep_sent` from the outbox, a batch at a time."""
        before = self._clock.time() - self._keep_sent
        for _ in range(_COMPACT_ROUNDS):  # bounded, in short transactions
            if await outbox.compact(self._db, sent_before=before, limit=_COMPACT_BATCH) < (
                _COMPACT_BATCH
            ):
                return
            await asyncio.sleep(0)

    async def _report_finished(self) -> None:
        for job in await outbox.finished_jobs(self._db, now=self._clock.time()):
            counts = ", ".join(f"{k}={v}" for k, v in sorted(job.counts.items()))
            log.info(
                "push %s done: story=%d item=%s in %.1fs (%s)",
                job.kind,
                job.story_id,
                job.item_id,
                job.seconds,
                counts or "no recipients",
            )
