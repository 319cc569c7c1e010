"""Subscriptions of chats to stories, with push mode and quiet hours."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from enum import StrEnum

from bot.db.connection import Database, Row
from bot.db.models import now_iso
from bot.localtime import zone


class DeliveryMode(StrEnum):
    """How a subscription's items go out, as stored in `subscriptions.mode`."""

    EACH = "each"
    DIGEST = "digest"


class DeliveryChoice(StrEnum):
    """What a subscriber picks under /settings: a mode, the quiet-hours switch, or off."""

    INSTANT = "instant"
    HOURLY = "hourly"
    QUIET = "quiet"
    OFF = "off"

    @classmethod
    def of(cls, mode: DeliveryMode) -> DeliveryChoice:
        """The choice an active subscription of this mode stands for."""
        return cls.HOURLY if mode is DeliveryMode.DIGEST else cls.INSTANT

    @property
    def mode(self) -> DeliveryMode | None:
        """The stored mode this choice sets; None for the quiet switch and off."""
        return {self.INSTANT: DeliveryMode.EACH, self.HOURLY: DeliveryMode.DIGEST}.get(self)


@dataclass(frozen=True)
class SubscriptionRecord:
    id: int
    chat_id: int
    story_id: int
    chat_type: str
    status: str
    mode: DeliveryMode
    quiet_start: int | None
    quiet_end: int | None
    utc_offset_min: int
    since_item_id: int
    subscribed_at: str
    timezone: str | None = None
    keywords: tuple[str, ...] = ()
    muted_until: float | None = None
    thread_id: int | None = None  # the forum topic pushes go to; None: the chat itself

    @property
    def active(self) -> bool:
        """Whether pushes go to this chat."""
        return self.status == "active"

    @classmethod
    def from_row(cls, row: Row) -> SubscriptionRecord:
        return cls(
            id=row["id"],
            chat_id=row["chat_id"],
            story_id=row["story_id"],
            chat_type=row["chat_type"],
            status=row["status"],
            mode=DeliveryMode(row["mode"]),
            quiet_start=row["quiet_start"],
            quiet_end=row["quiet_end"],
            utc_offset_min=row["utc_offset_min"],
            since_item_id=row["since_item_id"],
            subscribed_at=row["subscribed_at"],
            timezone=row["timezone"],
            keywords=tuple(row["keywords"].split("\n")) if row["keywords"] else (),
            muted_until=row["muted_until"],
            thread_id=row["thread_id"],
        )


@dataclass(frozen=True)
class SubscriberCounts:
    active: int
    blocked: int
    unsubscribed: int
    ended: int = 0


def _in_quiet(hour: int, start: int, end: int) -> bool:
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end  # the quiet period wraps around midnight


def hold_until(
    mode: str,
    quiet_start: int | None,
    quiet_end: int | None,
    utc_offset_min: int,
    now: float,
    timezone: str | None = None,
) -> float:
    """When an item that became ready at `now` may go out to a subscriber (unix seconds).

    With a `timezone` the subscriber's clock is that zone's, summer time included; without
    one it is UTC shifted by `utc_offset_min`."""
    if timezone is not None:
        return _hold_in_zone(mode, quiet_start, quiet_end, timezone, now)
    offset = utc_offset_min * 60
    local = now + offset
    if mode == DeliveryMode.DIGEST:
        # The hourly digest goes out at the next full hour of the subscriber's clock.
        local = math.floor(local / 3600) * 3600 + 3600
    if quiet_start is not None and quiet_end is not None and quiet_start != quiet_end:
        hour = int(local // 3600) % 24
        if _in_quiet(hour, quiet_start, quiet_end):
            day = math.floor(local / 86400) * 86400
            end = day + quiet_end * 3600
            if end <= local:
                end += 86400
            local = end
    return max(now, local - offset)


def _hold_in_zone(
    mode: str, quiet_start: int | None, quiet_end: int | None, timezone: str, now: float
) -> float:
    tz = zone(timezone)
    due = now
    if mode == DeliveryMode.DIGEST:
        hour = datetime.fromtimestamp(now, tz).replace(minute=0, second=0, microsecond=0)
        due = hour.timestamp() + 3600  # elapsed time: right across a clock change too
    if quiet_start is not None and quiet_end is not None and quiet_start != quiet_end:
        local = datetime.fromtimestamp(due, tz)
        if _in_quiet(local.hour, quiet_start, quiet_end):
            day = local.date()
            end = datetime.combine(day, clock_time(quiet_end), tzinfo=tz)
            if end.timestamp() <= due:
                end = datetime.combine(day + timedelta(days=1), clock_time(quiet_end), tzinfo=tz)
            due = end.timestamp()
    return max(now, due)


async def _max_item_id(db: Database) -> int:
    # The newest item of any story: every item that exists now has an id up to it and every
    # later one a higher id, which is all since_item_id needs. Read from the end of the
    # rowid tree; the story's own maximum would walk all its items (no index ends in id).
    value = await db.fetchval("SELECT COALESCE(MAX(id), 0) FROM ticker_items", (), 0)
    return int(value)


async def subscribe(
    db: Database,
    chat_id: int,
    chat_type: str,
    story_id: int,
    timezone: str | None = None,
    thread_id: int | None = None,
) -> bool:
    """Subscribe a chat to a story; True if it was not subscribed before (or had left).

    `timezone` is the chat's clock for quiet hours and digests."""
    now = now_iso()
    async with db.atomic() as conn:
        since = await _max_item_id(db)
        row = await db.fetchone(
            "SELECT status FROM subscriptions WHERE chat_id = ? AND story_id = ?",
            (chat_id, story_id),
        )
        if row is not None and row["status"] == "active":
            return False
        # A comeback starts afresh: what was published meanwhile is history, not news, and
        # delivery is "every item" again, as the confirmation says.
        await conn.execute(
            "INSERT INTO subscriptions (chat_id, story_id, chat_type, since_item_id,"
            " subscribed_at, updated_at, timezone, thread_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (chat_id, story_id) DO UPDATE SET status = 'active',"
            " chat_type = excluded.chat_type, since_item_id = excluded.since_item_id,"
            " status_reason = NULL, subscribed_at = excluded.subscribed_at,"
            " mode = 'each', quiet_start = NULL, quiet_end = NULL, keywords = NULL,"
            " muted_until = NULL,"
            " timezone = excluded.timezone, thread_id = excluded.thread_id,"
            " updated_at = excluded.updated_at",
            (chat_id, story_id, chat_type, since, now, now, timezone, thread_id),
        )
        return True


async def unsubscribe(db: Database, chat_id: int, story_id: int) -> bool:
    """End a chat's subscription and drop what still waits for it; True if it was active."""
    async with db.atomic() as conn:
        cursor = await conn.execute(
            "UPDATE subscriptions SET status = 'unsubscribed', updated_at = ?"
            " WHERE chat_id = ? AND story_id = ? AND status = 'active'",
            (now_iso(), chat_id, story_id),
        )
        changed = cursor.rowcount > 0
        if changed:
            await conn.execute(
                "UPDATE deliveries SET status = 'cancelled', error = 'unsubscribed'"
                " WHERE chat_id = ? AND story_id = ? AND status = 'pending' AND kind != 'refresh'",
                (chat_id, story_id),
            )
        return changed


async def get_subscription(db: Database, chat_id: int, story_id: int) -> SubscriptionRecord | None:
    """A chat's subscription to a story in whatever status, or None."""
    row = await db.fetchone(
        "SELECT * FROM subscriptions WHERE chat_id = ? AND story_id = ?", (chat_id, story_id)
    )
    return SubscriptionRecord.from_row(row) if row else None


async def chat_subscriptions(db: Database, chat_id: int) -> list[SubscriptionRecord]:
    """The active subscriptions of a chat, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM subscriptions WHERE chat_id = ? AND status = 'active' ORDER BY id",
        (chat_id,),
    )
    return [SubscriptionRecord.from_row(r) for r in rows]


async def _reschedule_pending(db: Database, chat_id: int, story_id: int) -> None:
    """Recompute when held deliveries go out after the subscriber changed its settings."""
    sub = await get_subscription(db, chat_id, story_id)
    if sub is None:
        return
    due = hold_until(
        sub.mode, sub.quiet_start, sub.quiet_end, sub.utc_offset_min, time.time(), sub.timezone
    )
    await db.writer.execute(
        "UPDATE deliveries SET next_at = ? WHERE chat_id = ? AND story_id = ?"
        " AND status = 'pending' AND kind = 'item' AND attempts = 0 AND timeouts = 0",
        (due, chat_id, story_id),
    )


async def _update_settings(
    db: Database, chat_id: int, story_id: int, assignments: str, params: tuple[object, ...]
) -> None:
    async with db.atomic() as conn:
        cursor = await conn.execute(
            f"UPDATE subscriptions SET {assignments}, updated_at = ?"
            " WHERE chat_id = ? AND story_id = ?",
            (*params, now_iso(), chat_id, story_id),
        )
        found = cursor.rowcount > 0
        if not found:
            raise LookupError(f"chat {chat_id} has no subscription to story {story_id}")
        await _reschedule_pending(db, chat_id, story_id)


async def set_mode(db: Database, chat_id: int, story_id: int, mode: DeliveryMode | str) -> None:
    """Choose every item ('each') or an hourly digest ('digest') for a subscription."""
    if mode not in set(DeliveryMode):
        raise ValueError(f"mode must be one of {', '.join(DeliveryMode)}")
    await _update_settings(db, chat_id, story_id, "mode = ?", (DeliveryMode(mode).value,))


async def set_quiet_hours(
    db: Database,
    chat_id: int,
    story_id: int,
    start_hour: int | None,
    end_hour: int | None,
    timezone: str | None = None,
) -> None:
    """Hold pushes from start_hour to end_hour (subscriber's clock); None, None turns it off.

    `timezone` is the clock the hours are on, kept unless the subscription has none yet."""
    if (start_hour is None) != (end_hour is None):
        raise ValueError("give both quiet hours or neither")
    for hour in (start_hour, end_hour):
        if hour is not None and not 0 <= hour <= 23:
            raise ValueError("quiet hours are whole hours from 0 to 23")
    await _update_settings(
        db,
        chat_id,
        story_id,
        "quiet_start = ?, quiet_end = ?, timezone = COALESCE(timezone, ?)",
        (start_hour, end_hour, timezone),
    )


async def set_utc_offset(db: Database, chat_id: int, story_id: int, minutes: int) -> None:
    """Set the subscriber's clock for quiet hours and digests, in minutes east of UTC."""
    if not -14 * 60 <= minutes <= 14 * 60:
        raise ValueError("a UTC offset lies between -14 and +14 hours")
    await _update_settings(db, chat_id, story_id, "utc_offset_min = ?", (minutes,))


async def set_keywords(db: Database, chat_id: int, story_id: int, keywords: Sequence[str]) -> None:
    """Push only items mentioning one of the keywords; none: every item again."""
    cleaned = [" ".join(k.split()) for k in keywords if k.strip()]
    if any("\n" in k for k in keywords):
        raise ValueError("a keyword is one line")
    stored = "\n".join(cleaned) if cleaned else None
    await _update_settings(db, chat_id, story_id, "keywords = ?", (stored,))


async def mute(db: Database, chat_id: int, story_id: int, until: float | None) -> None:
    """Skip the items added until `until` (unix seconds) for this subscriber; None unmutes."""
    await _update_settings(db, chat_id, story_id, "muted_until = ?", (until,))


async def resume(db: Database, chat_id: int, story_id: int) -> bool:
    """Undo an unsubscribe with the settings the subscription had; True if it came back."""
    async with db.atomic() as conn:
        cursor = await conn.execute(
            "UPDATE subscriptions SET status = 'active', status_reason = NULL, updated_at = ?"
            " WHERE chat_id = ? AND story_id = ? AND status = 'unsubscribed'",
            (now_iso(), chat_id, story_id),
        )
        changed = cursor.rowcount > 0
        return changed


async def topics(db: Database, chat_ids: list[int]) -> dict[tuple[int, int], int]:
    """The forum topic each (chat, story) subscription pushes to, where it has one."""
    found: dict[tuple[int, int], int] = {}
    for start in range(0, len(chat_ids), 500):
        part = chat_ids[start : start + 500]
        rows = await db.fetchall(
            "SELECT chat_id, story_id, thread_id FROM subscriptions"
            f" WHERE chat_id IN ({','.join('?' * len(part))}) AND thread_id IS NOT NULL",
            part,
        )
        found.update(((int(r["chat_id"]), int(r["story_id"])), int(r["thread_id"])) for r in rows)
    return found


async def unblock_chat(db: Database, chat_id: int) -> int:
    """The chat let the bot back in: its blocked subscriptions are active again; how many."""
    return await db.execute(
        "UPDATE subscriptions SET status = 'active', status_reason = NULL, updated_at = ?"
        " WHERE chat_id = ? AND status = 'blocked'",
        (now_iso(), chat_id),
    )


async def set_chat_timezone(db: Database, chat_id: int, chat_type: str, timezone: str) -> None:
    """Set a chat's time zone, for its subscriptions too (held pushes are rescheduled)."""
    now = now_iso()
    async with db.atomic() as conn:
        await conn.execute(
            "INSERT INTO chats (chat_id, chat_type, timezone, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
            " timezone = excluded.timezone, updated_at = excluded.updated_at",
            (chat_id, chat_type, timezone, now, now),
        )
        await conn.execute(
            "UPDATE subscriptions SET timezone = ?, updated_at = ? WHERE chat_id = ?",
            (timezone, now, chat_id),
        )
        for sub in await chat_subscriptions(db, chat_id):
            await _reschedule_pending(db, chat_id, sub.story_id)


async def counts(db: Database, story_id: int) -> SubscriberCounts:
    """How many subscriptions of a story are active, blocked, unsubscribed and ended."""
    # Kept by triggers as subscriptions change (migration 050): no recount of a million rows.
    rows = await db.fetchall(
        "SELECT status, n FROM subscription_counts WHERE story_id = ?", (story_id,)
    )
    by_status = {r["status"]: int(r["n"]) for r in rows}
    return SubscriberCounts(
        active=by_status.get("active", 0),
        blocked=by_status.get("blocked", 0),
        unsubscribed=by_status.get("unsubscribed", 0),
        ended=by_status.get("ended", 0),
    )
