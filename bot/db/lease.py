"""Which replica runs the push engine and the seeds/follow pollers: a lease on the store.

On PostgreSQL the lease is a session advisory lock, held on a connection of its own. The
server frees it the moment that connection ends: at once when the holder's process dies
(its sockets are closed by the kernel), within ~15 s when its machine is lost (TCP
keepalives on the lease's connection). A standby replica asks every second and takes
over. On SQLite one process owns the file (a file lock), so the lease is always held.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from bot.db.connection import Database, Dialect

log = logging.getLogger(__name__)

# pg_try_advisory_lock's key: any constant no other program on the database uses.
LEASE_KEY = 0x6272_6965_6662_6F74 & 0x7FFF_FFFF_FFFF_FFFF  # "briefbot"
RETRY_EVERY_S = 1.0
CHECK_EVERY_S = 1.0
# The server ends a lease connection whose peer stopped answering after
# idle + interval * count seconds: the machine holding the lease was lost.
_KEEPALIVE = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}


class Lease:
    """The right to run the singleton work; `lost` is set when it ends under the holder."""

    def __init__(self) -> None:
        self.lost = asyncio.Event()
        self.held = False

    async def acquire(self) -> None:
        """Wait until this process holds the lease."""
        self.held = True

    async def release(self) -> None:
        """Give the lease up (another replica may take it at once); safe to call twice."""
        self.held = False


class AdvisoryLease(Lease):
    """A PostgreSQL session advisory lock on a dedicated connection."""

    def __init__(
        self,
        url: str,
        *,
        key: int = LEASE_KEY,
        retry_every: float = RETRY_EVERY_S,
        check_every: float = CHECK_EVERY_S,
    ) -> None:
        super().__init__()
        self._url = url
        self._key = key
        self._retry_every = retry_every
        self._check_every = check_every
        self._conn: asyncpg.Connection | None = None
        self._watch: asyncio.Task[None] | None = None

    async def acquire(self) -> None:
        """Ask every `retry_every` seconds until the lock is ours; then watch the connection."""
        while True:
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(
                        self._url,
                        timeout=10,
                        server_settings={"application_name": "briefing-bot lease", **_KEEPALIVE},
                    )
                if await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key):
                    break
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                # Never the URL: it holds the password.
                log.warning("lease: cannot ask the database (%s); trying again", type(exc).__name__)
                await self._drop_connection()
            await asyncio.sleep(self._retry_every)
        self.held = True
        self._watch = asyncio.create_task(self._watch_connection(), name="lease-watch")

    async def _watch_connection(self) -> None:
        # The lock lives as long as the connection: a connection that stops answering
        # (server restarted, network gone) means another replica may hold it by now.
        while True:
            await asyncio.sleep(self._check_every)
            try:
                assert self._conn is not None
                await asyncio.wait_for(self._conn.fetchval("SELECT 1"), 5 * self._check_every)
            except Exception as exc:  # TimeoutError among them
                log.error("lease: the connection holding it failed (%s)", type(exc).__name__)
                self.held = False
                self.lost.set()
                return

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def release(self) -> None:
        """Close the lease's connection: the server frees the lock with it."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watch
            self._watch = None
        self.held = False
        await self._drop_connection()


def lease_for(db: Database) -> Lease:
    """The lease that fits the store: an advisory lock on PostgreSQL, always held on SQLite."""
    if db.dialect is Dialect.POSTGRES:
        from bot.db.postgres import PostgresDatabase

        assert isinstance(db, PostgresDatabase)
        return AdvisoryLease(db.url)
    return Lease()
