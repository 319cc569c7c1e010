"""The store's side of health checks and metrics: cheap counts, and a write probe."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.db.connection import Database


@dataclass(frozen=True)
class StoreFigures:
    """What /metrics reads from the database at scrape time."""

    outbox_pending: int
    oldest_open_push_s: float
    subscribers: dict[str, int]
    failing_sources: int


async def store_figures(db: Database, *, now: float | None = None) -> StoreFigures:
    """Outbox depth and age, subscribers by status, failing followed sources."""
    pending = await db.fetchval(
        "SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'claimed')", default=0
    )
    oldest = await db.fetchval("SELECT MIN(created_at) FROM fanout_jobs WHERE state = 'open'")
    rows = await db.fetchall("SELECT status, COUNT(*) AS n FROM subscriptions GROUP BY status")
    failing = await db.fetchval(
        "SELECT COUNT(*) FROM sources WHERE last_error IS NOT NULL", default=0
    )
    current = time.time() if now is None else now
    return StoreFigures(
        outbox_pending=int(pending),
        oldest_open_push_s=max(0.0, current - float(oldest)) if oldest is not None else 0.0,
        subscribers={str(row["status"]): int(row["n"]) for row in rows},
        failing_sources=int(failing),
    )


async def probe_writable(db: Database) -> None:
    """Take the write lock and write in a transaction that is rolled back: raises if not."""

    class _Probe(Exception):
        pass

    try:
        async with db.atomic() as conn:
            await conn.execute("CREATE TEMP TABLE IF NOT EXISTS health_probe (at REAL)")
            await conn.execute("INSERT INTO health_probe VALUES (?)", (time.time(),))
            raise _Probe
    except _Probe:
        return
