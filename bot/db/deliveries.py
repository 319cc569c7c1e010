"""The push outbox: fan-out jobs, delivery rows, sent messages, progress and dead letters.

The enqueue_* functions run inside the caller's transaction and only write one job row, so
a change and the promise to push it commit together in constant time. The engine then
materialises delivery rows batch by batch (the job's cursor moves in the same transaction),
claims them, and records what Telegram answered.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from bot.db import chats, outcomes
from bot.db.connection import Connection, Database, Dialect, Row, greatest
from bot.db.models import now_iso
from bot.db.outcomes import Outcome
from bot.db.subscriptions import DeliveryMode, hold_until
from bot.folding import mentions

# A bot may delete its own messages for 48 hours; leave an hour of margin for clocks.
DELETE_WINDOW_SECONDS = 47 * 3600

RefreshState = Literal["corrected", "deleted", "gone"]


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class ItemProgress:
    item_id: int
    story_id: int
    total: int
    delivered: int
    pending: int
    failed: int
    blocked: int
    cancelled: int
    done: bool
    retrying: int = 0  # pending after a transient failure: waiting for the next attempt
    skipped: int = 0  # left out by the subscriber's keyword filter: neither sent nor failed


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    job_id: int | None
    kind: str
    story_id: int
    item_id: int | None
    chat_id: int
    sub_id: int | None
    attempts: int
    timeouts: int
    message_id: int | None
    failing_since: float | None = None  # unix time of the first failure since the last success

    @classmethod
    def from_row(cls, row: Row) -> ClaimedDelivery:
        return cls(
            id=row["id"],
            job_id=row["job_id"],
            kind=row["kind"],
            story_id=row["story_id"],
            item_id=row["item_id"],
            chat_id=row["chat_id"],
            sub_id=row["sub_id"],
            attempts=row["attempts"],
            timeouts=row["timeouts"],
            message_id=row["message_id"],
            failing_since=row["failing_since"],
        )


@dataclass(frozen=True)
class SentPart:
    """One Telegram message that went out and the items its group shows."""

    message_id: int
    item_ids: tuple[int, ...]
    # Fingerprints of the items as rendered: a change that raced the send triggers a refresh.
    versions: tuple[tuple[int, int], ...] = ()
    # The group of messages that together show the items: its first message (None: this
    # one) and this message's place in it.
    group_id: int | None = None
    part: int = 0
    # A message showing an attachment: (kind, file_unique_id); None for a text message.
    media: tuple[str, str] | None = None

    @property
    def group(self) -> int:
        return self.message_id if self.group_id is None else self.group_id


@dataclass
class GroupResult:
    """What became of a claimed group of deliveries for one chat.

    `done`, `sent`, `refreshed` and `media_changed` record what went out; `outcome` says
    what becomes of the rest (`rest_ids`)."""

    chat_id: int
    story_id: int
    kind: str
    done: list[tuple[int, int | None]] = field(default_factory=list)  # (delivery, message)
    rest_ids: list[int] = field(default_factory=list)
    outcome: Outcome = field(default_factory=outcomes.Cancel)
    sent: list[SentPart] = field(default_factory=list)
    sub_ids: list[int] = field(default_factory=list)
    # kind 'refresh': what happened to each message of the group, (message_id, state).
    refreshed: list[tuple[int, RefreshState]] = field(default_factory=list)
    # kind 'refresh': messages whose attachment was replaced, (message_id, kind, unique id).
    media_changed: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def gives_back(self) -> bool:
        """Rows of the group are pending again (to be retried), not settled."""
        return bool(self.rest_ids) and isinstance(self.outcome, (outcomes.Release, outcomes.Retry))

    @property
    def ends_subscription(self) -> bool:
        """A final recap that went out (or never will): the subscription ends."""
        return self.kind == "recap" and (
            bool(self.done) or isinstance(self.outcome, outcomes.DeadLetter)
        )


class LateCopy(enum.Enum):
    """What a message whose send timed out, and that turned out to have gone out, became."""

    DELIVERED = "delivered"  # its rows were still owed: it is the delivery, no resend
    REDUNDANT = "redundant"  # another copy was delivered, or the item was withdrawn: delete it
    KEPT = "kept"  # a resend is in flight: both copies stay, and corrections reach both


@dataclass(frozen=True)
class GroupPart:
    message_id: int
    part: int
    sent_at: float
    media_kind: str | None = None  # the attachment the message shows; None: a text message
    media_file: str | None = None  # its file_unique_id


@dataclass(frozen=True)
class RefreshTarget:
    """A delivered group of messages: the items it shows and its parts still in the chat."""

    chat_id: int
    group_id: int
    story_id: int
    item_ids: tuple[int, ...]
    parts: tuple[GroupPart, ...]  # in order; deleted ones left out
    next_part: int  # the part number for a message added to the group


@dataclass(frozen=True)
class FinishedJob:
    id: int
    kind: str
    story_id: int
    item_id: int | None
    seconds: float
    counts: dict[str, int]


@dataclass(frozen=True)
class DeadLetter:
    delivery_id: int
    kind: str
    chat_id: int
    item_id: int | None
    attempts: int
    reason: str


def item_version(
    headline: str, body: str, corrected_at: str | None, retracted_at: str | None
) -> int:
    """A fingerprint of an item's rendered content (stable within one process)."""
    return hash((headline, body, corrected_at, retracted_at))


# ---------------------------------------------------------------- enqueue (caller's tx)


async def _add_job(db: Database, kind: str, story_id: int, item_id: int | None) -> int:
    async with db.atomic() as conn:
        cursor = await conn.execute(
            "INSERT INTO fanout_jobs (kind, story_id, item_id, created_at) VALUES (?, ?, ?, ?)",
            (kind, story_id, item_id, time.time()),
        )
        return int(cursor.lastrowid or 0)


async def _story_of(db: Database, item_id: int) -> int:
    story_id = await db.fetchval("SELECT story_id FROM ticker_items WHERE id = ?", (item_id,))
    if story_id is None:
        raise LookupError(f"no ticker item {item_id}")
    return int(story_id)


async def enqueue_item(db: Database, story_id: int, item_id: int) -> None:
    """Promise a new item to the story's current subscribers; call in the item's transaction."""
    await _add_job(db, "item", story_id, item_id)


async def enqueue_edit(db: Database, item_id: int) -> None:
    """Re-render every delivered copy of an item after a correction (pending ones need nothing)."""
    await _add_job(db, "refresh", await _story_of(db, item_id), item_id)


async def enqueue_retraction(db: Database, item_id: int) -> None:
    """Cancel undelivered copies of a retracted item and delete or re-render delivered ones."""
    story_id = await _story_of(db, item_id)
    async with db.atomic() as conn:
        await conn.execute(
            "UPDATE fanout_jobs SET state = 'cancelled' WHERE item_id = ? AND kind = 'item'"
            " AND state = 'open'",
            (item_id,),
        )
        await conn.execute(
            "UPDATE deliveries SET status = 'cancelled', error = 'retracted'"
            " WHERE item_id = ? AND kind = 'item' AND status = 'pending'",
            (item_id,),
        )
        await _add_job(db, "refresh", story_id, item_id)


async def enqueue_final_recap(db: Database, story_id: int, now: float | None = None) -> None:
    """Send every active subscriber a final recap of the story, then end the subscription.

    Items still held for quiet hours or a digest are dropped here, not when the recap goes
    out: a recap delayed (quiet hours, an outage) must not let them slip out first."""
    now = time.time() if now is None else now
    await db.writer.execute(
        "UPDATE deliveries SET status = 'cancelled', error = 'story archived'"
        " WHERE story_id = ? AND kind = 'item' AND status = 'pending' AND next_at > ?",
        (story_id, now),
    )
    await _add_job(db, "recap", story_id, None)


# ---------------------------------------------------------------- materialise


# Every item at once, no filter, not muted: the fan-out's fast path, all inside SQLite.
_PLAIN_SUBSCRIPTION = (
    "mode = 'each' AND quiet_start IS NULL AND keywords IS NULL"
    " AND (muted_until IS NULL OR muted_until <= ?)"
)


async def materialize(
    db: Database,
    *,
    batch: int = 2000,
    channel_id: int | None = None,
    max_jobs: int = 8,
    now: float | None = None,
) -> int:
    """Turn the next batch of every open job (oldest first) into delivery rows; rows made."""
    now = time.time() if now is None else now
    made = 0
    jobs = await db.fetchall(
        "SELECT * FROM fanout_jobs WHERE state = 'open' ORDER BY id LIMIT ?", (max_jobs,)
    )
    for job in jobs:
        async with db.atomic():
            # Re-read inside the transaction: a retraction may have cancelled the job.
            current = await db.fetchone(
                "SELECT * FROM fanout_jobs WHERE id = ? AND state = 'open'", (job["id"],)
            )
            if current is None:
                continue
            if current["kind"] == "item":
                made += await _materialize_item(db, current, batch, channel_id, now)
            elif current["kind"] == "recap":
                made += await _materialize_recap(db, current, batch, channel_id, now)
            else:
                made += await _materialize_refresh(db, current, batch, now)
    return made


async def _next_upper(db: Database, story_id: int, cursor: int, batch: int) -> int | None:
    value = await db.fetchval(
        "SELECT MAX(id) FROM (SELECT id FROM subscriptions WHERE story_id = ? AND id > ?"
        " ORDER BY id LIMIT ?) AS batch",
        (story_id, cursor, batch),
    )
    return None if value is None else int(value)


async def _finish_job(db: Database, job_id: int, state: str = "done") -> None:
    await db.writer.execute("UPDATE fanout_jobs SET state = ? WHERE id = ?", (state, job_id))


async def _materialize_item(
    db: Database, job: Row, batch: int, channel_id: int | None, now: float
) -> int:
    conn = db.writer
    job_id, story_id, item_id, cursor = job["id"], job["story_id"], job["item_id"], job["cursor"]
    item = await db.fetchone(
        "SELECT retracted_at, headline, body FROM ticker_items WHERE id = ?", (item_id,)
    )
    if item is None or item["retracted_at"] is not None:
        await _finish_job(db, job_id, "cancelled")
        return 0
    made = 0
    if channel_id is not None and not job["channel_done"]:
        cur = await conn.execute(
            "INSERT OR IGNORE INTO deliveries (job_id, kind, story_id, item_id, chat_id, next_at)"
            " VALUES (?, 'item', ?, ?, ?, ?)",
            (job_id, story_id, item_id, channel_id, now),
        )
        made += cur.rowcount
        await conn.execute("UPDATE fanout_jobs SET channel_done = 1 WHERE id = ?", (job_id,))
    upper = await _next_upper(db, story_id, cursor, batch)
    if upper is None:
        await _finish_job(db, job_id)
        return made
    where = (
        "FROM subscriptions WHERE story_id = ? AND id > ? AND id <= ? AND status = 'active'"
        " AND since_item_id < ?"
    )
    params = (story_id, cursor, upper, item_id)
    # The common case (every item, no quiet hours) stays inside SQLite: a 1M fan-out must
    # not pull a million rows through Python.
    cur = await conn.execute(
        "INSERT OR IGNORE INTO deliveries (job_id, kind, story_id, item_id, chat_id, sub_id,"
        f" next_at) SELECT ?, 'item', story_id, ?, chat_id, id, ? {where}"
        f" AND {_PLAIN_SUBSCRIPTION}",
        (job_id, item_id, now, *params, now),
    )
    made += cur.rowcount
    held = await db.fetchall(
        "SELECT id, chat_id, mode, quiet_start, quiet_end, utc_offset_min, timezone, keywords,"
        f" muted_until {where} AND NOT ({_PLAIN_SUBSCRIPTION})",
        (*params, now),
    )
    item_text = f"{item['headline']}\n{item['body']}"
    wanted = [
        r
        for r in held
        if (r["muted_until"] is None or r["muted_until"] <= now)
        and (not r["keywords"] or mentions(r["keywords"].split("\n"), item_text))
    ]
    if len(wanted) < len(held):
        # Left out by the reader's own filter or mute: no delivery, never a failure; counted.
        await conn.execute(
            "INSERT INTO job_counts (job_id, channel, state, n) VALUES (?, 0, 'skipped', ?)"
            " ON CONFLICT (job_id, channel, state) DO UPDATE SET n = n + excluded.n",
            (job_id, len(held) - len(wanted)),
        )
    held = wanted
    if held and await db.fetchval("SELECT archived_at FROM stories WHERE id = ?", (story_id,)):
        # The story ended while this item was fanned out: what would wait for quiet hours
        # or a digest is dropped, as the archive dropped what was held already.
        held = [r for r in held if r["quiet_start"] is None and r["mode"] == DeliveryMode.EACH]
    if held:
        rows = [
            (
                job_id,
                story_id,
                item_id,
                r["chat_id"],
                r["id"],
                hold_until(
                    r["mode"],
                    r["quiet_start"],
                    r["quiet_end"],
                    r["utc_offset_min"],
                    now,
                    r["timezone"],
                ),
            )
            for r in held
        ]
        await conn.executemany(
            "INSERT OR IGNORE INTO deliveries (job_id, kind, story_id, item_id, chat_id, sub_id,"
            " next_at) VALUES (?, 'item', ?, ?, ?, ?, ?)",
            rows,
        )
        made += len(rows)
    await conn.execute("UPDATE fanout_jobs SET cursor = ? WHERE id = ?", (upper, job_id))
    return made


async def _materialize_recap(
    db: Database, job: Row, batch: int, channel_id: int | None, now: float
) -> int:
    conn = db.writer
    job_id, story_id, cursor = job["id"], job["story_id"], job["cursor"]
    made = 0
    if channel_id is not None and not job["channel_done"]:
        # The channel followed the story item by item: it gets the ending too.
        cur = await conn.execute(
            "INSERT INTO deliveries (job_id, kind, story_id, chat_id, next_at)"
            " VALUES (?, 'recap', ?, ?, ?)",
            (job_id, story_id, channel_id, now),
        )
        made += cur.rowcount
        await conn.execute("UPDATE fanout_jobs SET channel_done = 1 WHERE id = ?", (job_id,))
    upper = await _next_upper(db, story_id, cursor, batch)
    if upper is None:
        await _finish_job(db, job_id)
        return made
    where = "FROM subscriptions WHERE story_id = ? AND id > ? AND id <= ? AND status = 'active'"
    params = (story_id, cursor, upper)
    cur = await conn.execute(
        "INSERT INTO deliveries (job_id, kind, story_id, chat_id, sub_id, next_at)"
        f" SELECT ?, 'recap', story_id, chat_id, id, ? {where} AND quiet_start IS NULL",
        (job_id, now, *params),
    )
    made += int(cur.rowcount)
    # The last message of a story wakes nobody: in quiet hours it waits for their end
    # (a digest does not hold it, it is one message).
    quiet = await db.fetchall(
        f"SELECT id, chat_id, quiet_start, quiet_end, utc_offset_min, timezone {where}"
        " AND quiet_start IS NOT NULL",
        params,
    )
    rows = [
        (
            job_id,
            story_id,
            r["chat_id"],
            r["id"],
            hold_until(
                DeliveryMode.EACH,
                r["quiet_start"],
                r["quiet_end"],
                r["utc_offset_min"],
                now,
                r["timezone"],
            ),
        )
        for r in quiet
    ]
    if rows:
        await conn.executemany(
            "INSERT INTO deliveries (job_id, kind, story_id, chat_id, sub_id, next_at)"
            " VALUES (?, 'recap', ?, ?, ?, ?)",
            rows,
        )
    await conn.execute("UPDATE fanout_jobs SET cursor = ? WHERE id = ?", (upper, job_id))
    return made + len(rows)


# One refresh per delivered group: a group whose refresh is still pending gets none more (it
# renders the items as they are when it runs), so several corrections at once edit once.
_ADD_REFRESH = (
    "INSERT INTO deliveries (job_id, kind, story_id, item_id, chat_id, message_id, next_at)"
    " SELECT ?, 'refresh', ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM deliveries"
    " WHERE kind = 'refresh' AND chat_id = ? AND message_id = ? AND status = 'pending')"
)


async def _add_refreshes(
    db: Database, job_id: int | None, todo: Iterable[tuple[int, int, int, int]], now: float
) -> int:
    """Queue refreshes of (story, item, chat, group) unless one is pending; how many queued."""
    return await db.writer.executemany(
        _ADD_REFRESH,
        [(job_id, s, i, c, g, now, c, g) for s, i, c, g in todo],
        counted=True,
    )


async def _materialize_refresh(db: Database, job: Row, batch: int, now: float) -> int:
    conn = db.writer
    job_id, item_id, cursor = job["id"], job["item_id"], job["cursor"]
    # Every message of a group lists the group's items: walking the first messages finds
    # each group that shows the item exactly once.
    rows = await db.fetchall(
        "SELECT mi.rowid AS rid, mi.chat_id, mi.message_id, sm.story_id,"
        " EXISTS (SELECT 1 FROM sent_messages p WHERE p.chat_id = sm.chat_id"
        "  AND p.group_id = sm.group_id AND p.deleted_at IS NULL) AS live"
        " FROM message_items mi JOIN sent_messages sm"
        " ON sm.chat_id = mi.chat_id AND sm.message_id = mi.message_id"
        " WHERE mi.item_id = ? AND mi.rowid > ? AND sm.group_id = sm.message_id"
        " ORDER BY mi.rowid LIMIT ?",
        (item_id, cursor, batch),
    )
    if not rows:
        await _finish_job(db, job_id)
        return 0
    todo = [(r["story_id"], item_id, r["chat_id"], r["message_id"]) for r in rows if r["live"]]
    made = await _add_refreshes(db, job_id, todo, now)
    await conn.execute("UPDATE fanout_jobs SET cursor = ? WHERE id = ?", (rows[-1]["rid"], job_id))
    return made


# ---------------------------------------------------------------- claim


_CLAIM_COLUMNS = (
    "id, job_id, kind, story_id, item_id, chat_id, sub_id, attempts, timeouts, message_id,"
    " failing_since"
)


async def recover_claimed(db: Database) -> int:
    """Return deliveries claimed by a process that died to the queue; how many (maybe sent)."""
    return await db.execute(
        "UPDATE deliveries SET status = 'pending', claimed_at = NULL WHERE status = 'claimed'"
    )


async def claim(db: Database, *, limit: int, now: float | None = None) -> list[ClaimedDelivery]:
    """Claim up to `limit` due deliveries plus every other due one of the same chats."""
    now = time.time() if now is None else now
    # Rows another replica's claim holds are skipped, not waited for (PostgreSQL); SQLite
    # has one writer, so nothing is ever held there.
    postgres = db.dialect is Dialect.POSTGRES
    skip_locked = " FOR UPDATE SKIP LOCKED" if postgres else ""
    # One statement: the first `limit` due rows name the chats, and every due row of those
    # chats (other items for the same chat go out in the same message) is claimed with
    # them; two statements held the write lock over one more turn of the event loop.
    # An earlier item of the story still waiting for its retry comes along with a due one:
    # sent alone, the later item would reach the reader first. (Items held for quiet hours
    # or a digest have no due item of their story beside them, so they stay held.)
    claimable = (
        "status = 'pending' AND (next_at <= ? OR (kind = 'item' AND EXISTS ("
        " SELECT 1 FROM deliveries later WHERE later.chat_id = deliveries.chat_id"
        " AND later.story_id = deliveries.story_id AND later.status = 'pending'"
        " AND later.kind = 'item' AND later.next_at <= ? AND later.id > deliveries.id)))"
        " AND chat_id IN ("
        " SELECT chat_id FROM deliveries WHERE status = 'pending' AND next_at <= ?"
        f" ORDER BY next_at, id LIMIT ?{skip_locked})"
    )
    if postgres:
        # The chats' other rows are locked with SKIP LOCKED as well: updated directly, a
        # row that the other replica's first pick holds was waited for while that replica
        # waited for one of ours (a deadlock PostgreSQL ends by failing one claim).
        claimable = f"id IN (SELECT id FROM deliveries WHERE {claimable}{skip_locked})"
    async with db.atomic() as conn:
        rows = await conn.fetchall(
            f"UPDATE deliveries SET status = 'claimed', claimed_at = ? WHERE {claimable}"
            f" RETURNING {_CLAIM_COLUMNS}",
            (now, now, now, now, limit),
        )
    return sorted((ClaimedDelivery.from_row(r) for r in rows), key=lambda d: d.id)


async def compact(db: Database, *, sent_before: float, limit: int = 5000) -> int:
    """Delete up to `limit` deliveries sent before `sent_before`; how many went.

    Their counts stay in job_counts and the message ids corrections need stay in
    sent_messages, so the outbox only holds what is still to do.
    """
    return await db.execute(
        "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE status = 'sent'"
        " AND sent_at < ? ORDER BY sent_at LIMIT ?)",
        (sent_before, limit),
    )


async def next_due(db: Database) -> float | None:
    """When the earliest pending delivery becomes due (unix seconds), or None."""
    value = await db.fetchval("SELECT MIN(next_at) FROM deliveries WHERE status = 'pending'", ())
    return None if value is None else float(value)


async def work_due(db: Database, before: float) -> int:
    """Deliveries claimed or due before `before`, and fan-out jobs not yet turned into rows."""
    value = await db.fetchval(
        "SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'claimed'"
        " OR (status = 'pending' AND next_at <= ?))"
        " + (SELECT COUNT(*) FROM fanout_jobs WHERE state = 'open')",
        (before,),
        0,
    )
    return int(value or 0)


async def refresh_target(db: Database, chat_id: int, group_id: int) -> RefreshTarget | None:
    """A delivered group of messages and the items it shows, for an edit or retraction."""
    rows = await db.fetchall(
        "SELECT message_id, story_id, part, sent_at, deleted_at, media_kind, media_file"
        " FROM sent_messages WHERE chat_id = ? AND group_id = ? ORDER BY part, message_id",
        (chat_id, group_id),
    )
    if not rows:
        return None
    items = await db.fetchall(
        "SELECT DISTINCT mi.item_id FROM message_items mi JOIN sent_messages sm"
        " ON sm.chat_id = mi.chat_id AND sm.message_id = mi.message_id"
        " WHERE sm.chat_id = ? AND sm.group_id = ? ORDER BY mi.item_id",
        (chat_id, group_id),
    )
    return RefreshTarget(
        chat_id=chat_id,
        group_id=group_id,
        story_id=rows[0]["story_id"],
        item_ids=tuple(r["item_id"] for r in items),
        parts=tuple(
            GroupPart(
                r["message_id"], r["part"], float(r["sent_at"]), r["media_kind"], r["media_file"]
            )
            for r in rows
            if r["deleted_at"] is None
        ),
        next_part=max(r["part"] for r in rows) + 1,
    )


# ---------------------------------------------------------------- outcomes


async def apply_results(
    db: Database, results: Sequence[GroupResult], now: float | None = None
) -> None:
    """Record what Telegram answered for a batch of claimed groups, in one transaction."""
    now = time.time() if now is None else now
    conn = db.writer
    async with db.atomic():
        # The common outcomes are written with one statement each for the whole batch, all
        # queued at once: at 1000 messages/s every round trip to SQLite's thread counts, and
        # an editor's change waits for the transaction.
        sent = [(r, p) for r in results for p in r.sent]
        done = [(now, message_id, d) for r in results for d, message_id in r.done]
        steps: list[Coroutine[Any, Any, Any]] = []
        if sent:
            steps.append(_item_versions(conn, sent))
            steps.append(
                conn.executemany(
                    "INSERT OR IGNORE INTO sent_messages (chat_id, message_id, story_id, kind,"
                    " group_id, part, sent_at, media_kind, media_file)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            r.chat_id,
                            p.message_id,
                            r.story_id,
                            r.kind,
                            p.group,
                            p.part,
                            now,
                            p.media[0] if p.media else None,
                            p.media[1] if p.media else None,
                        )
                        for r, p in sent
                    ],
                )
            )
            steps.append(
                conn.executemany(
                    "INSERT OR IGNORE INTO message_items (chat_id, message_id, item_id)"
                    " VALUES (?, ?, ?)",
                    [(r.chat_id, p.message_id, i) for r, p in sent for i in p.item_ids],
                )
            )
        if done:
            steps.append(
                conn.executemany(
                    "UPDATE deliveries SET status = 'sent', sent_at = ?, claimed_at = NULL,"
                    " message_id = COALESCE(?, message_id), error = NULL, failing_since = NULL"
                    " WHERE id = ?",
                    done,
                )
            )
        finished = await conn.pipeline(*steps)
        if sent:
            await _refresh_if_changed(db, sent, finished[0], now)
        ended = [(now_iso(), s) for r in results if r.ends_subscription for s in r.sub_ids]
        if ended:
            await conn.executemany(
                "UPDATE subscriptions SET status = 'ended', status_reason = 'story archived',"
                " updated_at = ? WHERE id = ? AND status = 'active'",
                ended,
            )
            # Items held for quiet hours or a digest go nowhere now: dropped, not pending.
            await conn.executemany(
                "UPDATE deliveries SET status = 'cancelled', error = 'subscription ended'"
                " WHERE chat_id = ? AND story_id = ? AND status = 'pending' AND kind = 'item'",
                [(r.chat_id, r.story_id) for r in results if r.ends_subscription and r.sub_ids],
            )
        refreshed = [(r.chat_id, m, s) for r in results for m, s in r.refreshed]
        # A message found gone counts as deleted: no refresh tries it again.
        for column, states in (
            ("corrected_at", ("corrected",)),
            ("deleted_at", ("deleted", "gone")),
        ):
            rows = [(now, c, m) for c, m, s in refreshed if s in states]
            if rows:
                await conn.executemany(
                    f"UPDATE sent_messages SET {column} = ? WHERE chat_id = ? AND message_id = ?",
                    rows,
                )
        replaced = [(k, f, r.chat_id, m) for r in results for m, k, f in r.media_changed]
        if replaced:
            await conn.executemany(
                "UPDATE sent_messages SET media_kind = ?, media_file = ?"
                " WHERE chat_id = ? AND message_id = ?",
                replaced,
            )
        # What becomes of the rest of each group: one writer per outcome, each batched.
        by_outcome: dict[type[Outcome], list[GroupResult]] = {}
        for r in results:
            if r.rest_ids:
                by_outcome.setdefault(type(r.outcome), []).append(r)
        await _cancel(db, by_outcome.get(outcomes.Cancel, []))
        await _release(db, by_outcome.get(outcomes.Release, []))
        await _retry(db, by_outcome.get(outcomes.Retry, []))
        for r in by_outcome.get(outcomes.DeadLetter, []):
            await _dead_letter(db, r, now)
        for r in by_outcome.get(outcomes.Block, []):
            await _block(db, r)
        for r in by_outcome.get(outcomes.Migrate, []):
            await _migrate(db, r)
        # Keep: the rows stay claimed until the next start resends them.


async def record_late_copy(
    db: Database,
    chat_id: int,
    story_id: int,
    copy: SentPart,
    delivery_ids: Sequence[int],
    now: float | None = None,
) -> LateCopy:
    """Record a message whose answer came after the read timeout; say what it became."""
    now = time.time() if now is None else now
    async with db.atomic() as conn:
        # Recorded in any case: a correction or retraction of its items must reach it too.
        await apply_results(db, [GroupResult(chat_id, story_id, "item", sent=[copy])], now)
        marks = ",".join("?" * len(delivery_ids))
        # Rows waiting for their resend, or given up after a second timeout: this copy is
        # their delivery, and the resend (or the dead letter) is off.
        owed = await conn.fetchall(
            "UPDATE deliveries SET status = 'sent', sent_at = ?, claimed_at = NULL,"
            " message_id = ?, error = NULL, failing_since = NULL"
            f" WHERE id IN ({marks}) AND status IN ('pending', 'failed') RETURNING id",
            [now, copy.message_id, *delivery_ids],
        )
        if owed:
            await conn.execute(
                f"DELETE FROM dead_letters WHERE delivery_id IN ({','.join('?' * len(owed))})",
                [r["id"] for r in owed],
            )
        if len(owed) == len(delivery_ids):
            return LateCopy.DELIVERED
        states = await conn.fetchall(
            f"SELECT status FROM deliveries WHERE id IN ({marks})", list(delivery_ids)
        )
        if not owed and all(r["status"] in ("sent", "cancelled") for r in states):
            return LateCopy.REDUNDANT
        return LateCopy.KEPT


async def _cancel(db: Database, results: list[GroupResult]) -> None:
    """Nothing left to send: the rows are cancelled with the reason."""
    rows = [(_as(r, outcomes.Cancel).reason, i) for r in results for i in r.rest_ids]
    if rows:
        await db.writer.executemany(
            "UPDATE deliveries SET status = 'cancelled', claimed_at = NULL, error = ? WHERE id = ?",
            rows,
        )


async def _release(db: Database, results: list[GroupResult]) -> None:
    """Given back without a failed attempt: pending again, due no earlier than asked."""
    rows = [(_as(r, outcomes.Release).next_at, i) for r in results for i in r.rest_ids]
    if rows:
        await db.writer.executemany(
            "UPDATE deliveries SET status = 'pending', claimed_at = NULL,"
            f" next_at = {greatest(db)}(next_at, ?) WHERE id = ? AND status = 'claimed'",
            rows,
        )


async def _retry(db: Database, results: list[GroupResult]) -> None:
    """A failure to try again: pending at the policy's time, its counters advanced."""
    rows = []
    for r in results:
        retry = _as(r, outcomes.Retry)
        for i in r.rest_ids:
            rows.append(
                (
                    retry.next_at,
                    int(retry.counts_attempt),
                    int(retry.counts_timeout),
                    retry.reason,
                    retry.failing_since,
                    i,
                )
            )
    if rows:
        await db.writer.executemany(
            "UPDATE deliveries SET status = 'pending', claimed_at = NULL, next_at = ?,"
            " attempts = attempts + ?, timeouts = timeouts + ?, error = ?,"
            " failing_since = COALESCE(failing_since, ?) WHERE id = ?",
            rows,
        )


async def _block(db: Database, result: GroupResult) -> None:
    """A 403 or a chat that is gone: the chat's subscriptions end and its pushes stop."""
    block = _as(result, outcomes.Block)
    if block.topic_only:
        await _block_subscription(db, result.chat_id, result.story_id, block.reason or "blocked")
    else:
        await _block_chat(db, result.chat_id, block.reason or "blocked")


async def _block_subscription(db: Database, chat_id: int, story_id: int, reason: str) -> None:
    conn = db.writer
    await conn.execute(
        "UPDATE subscriptions SET status = 'blocked', status_reason = ?, updated_at = ?"
        " WHERE chat_id = ? AND story_id = ? AND status = 'active'",
        (reason, now_iso(), chat_id, story_id),
    )
    # What is still owed to that topic is counted as blocked; the chat's other stories go on.
    await conn.execute(
        "UPDATE deliveries SET status = 'blocked', claimed_at = NULL, error = ?"
        " WHERE chat_id = ? AND story_id = ? AND status IN ('pending', 'claimed')",
        (reason, chat_id, story_id),
    )


async def _migrate(db: Database, result: GroupResult) -> None:
    """The group became a supergroup: its subscriptions move and the rest is resent there."""
    new_chat_id = _as(result, outcomes.Migrate).new_chat_id
    if new_chat_id is not None:
        await move_chat(db, result.chat_id, new_chat_id, result.rest_ids)


_O = TypeVar("_O")


def _as(result: GroupResult, kind: type[_O]) -> _O:
    outcome = result.outcome
    assert isinstance(outcome, kind)
    return outcome


async def _item_versions(conn: Connection, sent: list[tuple[GroupResult, SentPart]]) -> list[Row]:
    """The items just-sent messages show, as they are now (see _refresh_if_changed)."""
    wanted = sorted({item_id for _, p in sent for item_id, _ in p.versions})
    if not wanted:
        return []
    return await conn.fetchall(
        "SELECT id, headline, body, corrected_at, retracted_at FROM ticker_items"
        f" WHERE id IN ({','.join('?' * len(wanted))})",
        wanted,
    )


async def _refresh_if_changed(
    db: Database, sent: list[tuple[GroupResult, SentPart]], rows: list[Row], now: float
) -> None:
    """Queue a re-render of just-sent messages whose items changed while they were in flight."""
    wanted = {item_id: v for _, p in sent for item_id, v in p.versions}
    changed = {
        r["id"]
        for r in rows
        if item_version(r["headline"], r["body"], r["corrected_at"], r["retracted_at"])
        != wanted[r["id"]]
    }
    if not changed:
        return
    # One refresh per group (a split item's parts all carry its version): it re-renders all.
    todo = {
        (r.chat_id, p.group): (r.story_id, min(changed & set(p.item_ids)), r.chat_id, p.group)
        for r, p in sent
        if changed & set(p.item_ids)
    }
    await _add_refreshes(db, None, todo.values(), now)


async def _rows(db: Database, ids: Iterable[int]) -> list[Row]:
    ids = list(ids)
    out: list[Row] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        out += await db.fetchall(
            f"SELECT id, kind, item_id, chat_id, attempts, timeouts FROM deliveries"
            f" WHERE id IN ({marks})",
            part,
        )
    return out


async def _dead_letter(db: Database, res: GroupResult, now: float) -> None:
    """Give up on the rows: failed, with a dead letter each for the editors."""
    conn = db.writer
    letter = _as(res, outcomes.DeadLetter)
    rows = await _rows(db, res.rest_ids)
    reason = letter.reason or "failed"
    attempt, timeout = int(letter.counts_attempt), int(letter.counts_timeout)
    await conn.executemany(
        "UPDATE deliveries SET status = 'failed', claimed_at = NULL, error = ?,"
        " attempts = attempts + ?, timeouts = timeouts + ? WHERE id = ?",
        [(reason, attempt, timeout, r["id"]) for r in rows],
    )
    await conn.executemany(
        "INSERT INTO dead_letters (delivery_id, kind, chat_id, item_id, attempts, reason,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r["id"],
                r["kind"],
                r["chat_id"],
                r["item_id"],
                r["attempts"] + attempt,
                reason,
                now_iso(),
            )
            for r in rows
        ],
    )


async def block_chat(db: Database, chat_id: int, reason: str) -> None:
    """The chat blocked the bot or removed it: end its pushes now, before any wasted send."""
    async with db.atomic():
        await _block_chat(db, chat_id, reason)


async def _block_chat(db: Database, chat_id: int, reason: str) -> None:
    conn = db.writer
    await conn.execute(
        "UPDATE subscriptions SET status = 'blocked', status_reason = ?, updated_at = ?"
        " WHERE chat_id = ? AND status = 'active'",
        (reason, now_iso(), chat_id),
    )
    # Everything still owed to a chat that is gone is counted as blocked, never retried.
    await conn.execute(
        "UPDATE deliveries SET status = 'blocked', claimed_at = NULL, error = ?"
        " WHERE chat_id = ? AND status IN ('pending', 'claimed')",
        (reason, chat_id),
    )


async def move_chat(
    db: Database, old_chat_id: int, new_chat_id: int, resend: Sequence[int]
) -> None:
    """Carry a migrated group's subscriptions and pending deliveries over to its new id."""
    async with db.atomic() as conn:
        # A supergroup that already subscribed on its own keeps its row; the old one goes.
        await conn.execute(
            "DELETE FROM subscriptions WHERE chat_id = ? AND story_id IN"
            " (SELECT story_id FROM subscriptions WHERE chat_id = ?)",
            (old_chat_id, new_chat_id),
        )
        await conn.execute(
            "UPDATE subscriptions SET chat_id = ?, chat_type = 'supergroup', updated_at = ?"
            " WHERE chat_id = ?",
            (new_chat_id, now_iso(), old_chat_id),
        )
        await conn.execute(
            "DELETE FROM deliveries WHERE chat_id = ? AND kind = 'item'"
            " AND status IN ('pending', 'claimed')"
            " AND item_id IN (SELECT item_id FROM deliveries WHERE chat_id = ? AND kind = 'item'"
            "  UNION SELECT item_id FROM message_items WHERE chat_id = ?)",
            (old_chat_id, new_chat_id, new_chat_id),
        )
        await conn.execute(
            "UPDATE deliveries SET chat_id = ? WHERE chat_id = ?"
            " AND status IN ('pending', 'claimed') AND kind != 'refresh'",
            (new_chat_id, old_chat_id),
        )
        await conn.executemany(
            "UPDATE deliveries SET status = 'pending', claimed_at = NULL, next_at = ?"
            " WHERE id = ? AND status = 'claimed'",
            [(time.time(), i) for i in resend],
        )
        await chats.move_chat(db, old_chat_id, new_chat_id)


# ---------------------------------------------------------------- progress


async def finished_jobs(db: Database, now: float | None = None) -> list[FinishedJob]:
    """Jobs whose every delivery has reached an end since the last call; marks them logged."""
    now = time.time() if now is None else now
    jobs = await db.fetchall(
        "SELECT * FROM fanout_jobs WHERE state != 'open' AND logged = 0 ORDER BY id LIMIT 50"
    )
    out: list[FinishedJob] = []
    for job in jobs:
        # Counters kept by triggers (migration 050): the same cost whatever the history.
        rows = await db.fetchall(
            "SELECT state AS status, SUM(n) AS n FROM job_counts WHERE job_id = ? AND n > 0"
            " GROUP BY state",
            (job["id"],),
        )
        if any(r["status"] == "open" for r in rows):
            continue
        await db.execute(
            "UPDATE fanout_jobs SET logged = 1, finished_at = ? WHERE id = ?", (now, job["id"])
        )
        out.append(
            FinishedJob(
                id=job["id"],
                kind=job["kind"],
                story_id=job["story_id"],
                item_id=job["item_id"],
                seconds=now - float(job["created_at"]),
                counts={r["status"]: int(r["n"]) for r in rows},
            )
        )
    return out


async def item_progress(db: Database, item_id: int) -> ItemProgress:
    """How far the push of one item got: delivered, pending, failed and blocked subscribers."""
    # Counters kept by triggers (migration 050): constant cost at any audience and history.
    jobs = await db.fetchall(
        "SELECT id, story_id, state, subscribers_at_start FROM fanout_jobs"
        " WHERE item_id = ? AND kind = 'item'",
        (item_id,),
    )
    story_id = jobs[0]["story_id"] if jobs else await _story_of(db, item_id)
    by_status: dict[str, int] = {}
    unmaterialised = retrying = 0
    for job in jobs:
        made = 0
        for r in await db.fetchall(
            "SELECT state, n FROM job_counts WHERE job_id = ? AND channel = 0", (job["id"],)
        ):
            by_status[r["state"]] = by_status.get(r["state"], 0) + int(r["n"])
            made += int(r["n"])
        # Only deliveries failing right now carry failing_since (a partial index).
        retrying += int(
            await db.fetchval(
                "SELECT COUNT(*) FROM deliveries WHERE job_id = ? AND failing_since IS NOT NULL"
                " AND status IN ('pending', 'claimed') AND sub_id IS NOT NULL",
                (job["id"],),
                0,
            )
        )
        if job["state"] == "open":
            # Subscribers who left before their batch was made are in the estimate until
            # the job is done; the figure is exact from then on.
            unmaterialised += max(0, int(job["subscribers_at_start"] or 0) - made)
    pending = by_status.get("open", 0) + unmaterialised
    delivered = by_status.get("sent", 0)
    failed = by_status.get("failed", 0)
    blocked = by_status.get("blocked", 0)
    cancelled = by_status.get("cancelled", 0)
    return ItemProgress(
        item_id=item_id,
        story_id=story_id,
        total=pending + delivered + failed + blocked + cancelled,
        delivered=delivered,
        pending=pending,
        failed=failed,
        blocked=blocked,
        cancelled=cancelled,
        # An item that was never pushed (no job) has nothing left to do.
        done=pending == 0 and all(j["state"] != "open" for j in jobs),
        retrying=retrying,
        skipped=by_status.get("skipped", 0),
    )


async def recent_items_progress(db: Database, story_id: int, limit: int = 5) -> list[ItemProgress]:
    """Progress of the story's most recently pushed items, newest first."""
    rows = await db.fetchall(
        "SELECT DISTINCT item_id FROM fanout_jobs WHERE story_id = ? AND kind = 'item'"
        " ORDER BY item_id DESC LIMIT ?",
        (story_id, limit),
    )
    return [await item_progress(db, r["item_id"]) for r in rows]


async def requeue_dead_letters(
    db: Database, story_id: int, item_id: int | None = None, now: float | None = None
) -> int:
    """Send a story's dead letters (or one item's) again, from a fresh deadline; how many.

    Deliveries to chats that are gone or have unsubscribed since stay where they are.
    Runs in the caller's transaction when there is one.
    """
    now = time.time() if now is None else now
    where = (
        "status = 'failed' AND story_id = ?"
        " AND (sub_id IS NULL OR sub_id IN (SELECT id FROM subscriptions WHERE status = 'active'))"
    )
    params: tuple[int, ...] = (story_id,)
    if item_id is not None:
        where += " AND item_id = ?"
        params = (story_id, item_id)
    async with db.atomic() as conn:
        rows = await conn.fetchall(
            "UPDATE deliveries SET status = 'pending', next_at = ?, attempts = 0, timeouts = 0,"
            f" failing_since = NULL, error = NULL WHERE {where} RETURNING id",
            (now, *params),
        )
        ids = [int(r[0]) for r in rows]
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            await conn.execute(
                f"DELETE FROM dead_letters WHERE delivery_id IN ({','.join('?' * len(part))})",
                part,
            )
    return len(ids)


async def dead_letters(db: Database, limit: int = 50) -> list[DeadLetter]:
    """The newest deliveries given up on, with their reasons."""
    rows = await db.fetchall("SELECT * FROM dead_letters ORDER BY id DESC LIMIT ?", (limit,))
    return [
        DeadLetter(
            delivery_id=r["delivery_id"],
            kind=r["kind"],
            chat_id=r["chat_id"],
            item_id=r["item_id"],
            attempts=r["attempts"],
            reason=r["reason"],
        )
        for r in rows
    ]
