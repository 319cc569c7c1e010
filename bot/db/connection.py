"""The store's connections: a driver-neutral interface and its SQLite backend.

SQLite (aiosqlite) is the embedded default: one writer connection behind a lock, reader
connections, WAL. `DATABASE_URL=postgresql://...` puts the store on PostgreSQL instead
(bot/db/postgres.py), behind the same interface: callers write SQL with `?` placeholders
and read rows by column name or position, whichever backend runs.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import contextvars
import itertools
import logging
import sqlite3
import time
from collections import deque
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Sequence,
)
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeAlias

import aiosqlite

from bot.db.migrations import apply_migrations, newer_migration
from bot.db.writers import ProcessWriteLock

Params = Sequence[Any] | dict[str, Any]

log = logging.getLogger(__name__)

# At most this often the WAL is copied back into the database file, by a connection of its
# own: SQLite's automatic checkpoint runs inside the COMMIT that crosses 1000 pages, and
# at a million subscribers that one commit took ~0.5 s (an editor's /edit, every ~6th).
CHECKPOINT_EVERY_S = 1.0
# A result row: read by column name (row["id"]) or position (row[0]). sqlite3.Row on
# SQLite, asyncpg.Record on PostgreSQL; both behave the same for those two uses.
Row: TypeAlias = Any


class Dialect(StrEnum):
    """Which SQL the store speaks: the few statements that differ choose by this."""

    SQLITE = "sqlite"
    POSTGRES = "postgres"


@dataclass(frozen=True)
class Result:
    """What a write statement did: rows it touched and the id of the row it inserted."""

    rowcount: int
    lastrowid: int | None = None


class Connection(abc.ABC):
    """One connection of the store, driver-neutral: `?` (or `?1`) placeholders, rows by name."""

    @abc.abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> Result:
        """Run one statement; how many rows it touched and the id of an inserted row."""

    @abc.abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params], *, counted: bool = False) -> int:
        """Run one statement for many parameter rows; rows touched in all when `counted`
        (PostgreSQL then runs them one by one), else a figure not to rely on."""

    @abc.abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row a statement returns (a query, or a write with RETURNING)."""

    async def execute_script(self, script: str) -> None:
        """Run a script of several statements without parameters (a migration)."""
        raise NotImplementedError

    async def begin(self, statement: str) -> None:
        """Open a transaction with `statement` (BEGIN, or SQLite's BEGIN IMMEDIATE)."""
        await self.execute(statement)

    @property
    @abc.abstractmethod
    def in_transaction(self) -> bool:
        """Whether a transaction is open on this connection."""

    @property
    def closed(self) -> bool:
        """Whether the connection is gone (nothing left to roll back on it)."""
        return False

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row a statement returns, or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def pipeline(self, *steps: Coroutine[Any, Any, Any]) -> list[Any]:
        """Run statements of this connection queued all at once, in the order given.

        Each step is one call of this connection (execute, executemany, fetchall), never a
        function that makes several: their statements would interleave.

        Awaited one by one, each statement of a transaction costs a turn of the event loop
        while the transaction holds the database's write lock; in a process sending a
        thousand messages a second such a turn lasts milliseconds. Queued together they run
        back to back on the driver's side (SQLite's thread, asyncpg's connection lock, both
        first come first served). Every step has finished when this returns or raises (the
        first error), so a ROLLBACK after it undoes them all."""
        tasks = [asyncio.ensure_future(step) for step in steps]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return list(results)

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any:
        """The first column of the first row, or default."""
        row = await self.fetchone(sql, params)
        return default if row is None else row[0]


# How long a statement waits for a lock another connection (or process) holds.
BUSY_TIMEOUT_S = 5.0
_BUSY_TIMEOUT_MS = int(BUSY_TIMEOUT_S * 1000)
# BEGIN IMMEDIATE tried at once (no busy handler), the usual wait restored inside: one call
# on the connection's thread. PRAGMA busy_timeout is no part of the transaction.
_BEGIN_WITHOUT_WAITING = (
    f"PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS};"
)
_LOCK_RETRY_PAUSES_S = (0.0005, 0.0005, 0.001, 0.001, 0.002)
# Between two background transactions (the push engine's) of one process: longer than the
# longest of those pauses, so that a writer of the other process finds the lock free.
BACKGROUND_GAP_S = 0.003


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorname", "") == "SQLITE_BUSY" or "locked" in str(exc)


class SqliteConnection(Connection):
    """An aiosqlite connection behind the neutral interface."""

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    async def execute(self, sql: str, params: Params = ()) -> Result:
        cursor = await self.raw.execute(sql, params)
        return Result(rowcount=cursor.rowcount, lastrowid=cursor.lastrowid)

    async def executemany(self, sql: str, rows: Iterable[Params], *, counted: bool = False) -> int:
        cursor = await self.raw.executemany(sql, rows)
        return max(0, cursor.rowcount)

    async def begin(self, statement: str) -> None:
        """Open a transaction; BEGIN IMMEDIATE waits for the write lock in short steps.

        SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries. With
        the push engine in a process of its own, whose transactions take the lock 3 ms at
        a time dozens of times a second, an editor's write kept waking into a held lock and
        slept on: 18, 33, 53 ms for a lock that was free most of that time. Tried here
        without the busy handler, every half to two milliseconds, the loop free meanwhile.
        """
        if statement != "BEGIN IMMEDIATE":
            await self.raw.execute(statement)
            return
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        pauses = iter(_LOCK_RETRY_PAUSES_S)
        while True:
            try:
                await self.raw.executescript(_BEGIN_WITHOUT_WAITING)
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    await self.raw.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
                    raise
            await asyncio.sleep(next(pauses, _LOCK_RETRY_PAUSES_S[-1]))

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        # Executed and stepped to the end in one call on the connection's thread: a cursor
        # left open across an await keeps its read transaction open, and every other task's
        # query on the shared reader would run in that old snapshot, missing fresh commits.
        return list(await self.raw.execute_fetchall(sql, params))


# Depth of atomic() blocks in the current task: 0 outside a transaction.
_tx_depth: contextvars.ContextVar[int] = contextvars.ContextVar("tx_depth", default=0)
_savepoint_ids = itertools.count(1)
# Set for background work (the push engine's tasks): its reads go through a connection of
# their own, so a reader's command never waits in line behind a push's steady reads.
_background: contextvars.ContextVar[bool] = contextvars.ContextVar("background", default=False)


async def _connect(path: str, *, readonly: bool) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            await _enable_wal(conn)
            # NORMAL is durable across application crashes in WAL mode; only power loss can
            # drop the last commits, which the outbox tolerates (resent, never lost silently).
            await conn.execute("PRAGMA synchronous = NORMAL")
        else:
            await conn.execute("PRAGMA query_only = ON")
    except BaseException:
        # Not a database, unreadable...: close it, or its worker thread keeps the process alive.
        await conn.close()
        raise
    return conn


async def _enable_wal(conn: aiosqlite.Connection) -> None:
    # Two processes creating the same file at once (the bot and `python -m bot import`):
    # SQLite refuses one mode switch with "database is locked" without waiting for the
    # busy timeout; the other finishes within milliseconds, so try again briefly.
    deadline = asyncio.get_running_loop().time() + 5
    while True:
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.02)


class DatabaseUnusable(sqlite3.DatabaseError):
    """The database file cannot be used; the message names the file and says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _why_unusable(path: str, exc: BaseException) -> str:
    target = Path(path)
    text = str(exc)
    if isinstance(exc, OSError):
        return f"cannot create its folder ({exc.strerror or exc})"
    if target.is_dir():
        return "is a folder, not a database file"
    if "locked" in text:
        return "is locked by another process (is another bot running on it?)"
    if "not a database" in text or "malformed" in text:
        return f"is not a usable SQLite database ({text}): corrupted, or another kind of file"
    if "readonly" in text or "read-only" in text:
        return "is not writable (check the permissions of the file and its folder)"
    if "unable to open" in text:
        parent = target.parent
        if not parent.is_dir():
            return f"cannot be created: {parent} is not a folder"
        return "cannot be opened or created (check the permissions of the file and its folder)"
    return text


def _refuse_foreign(path: str) -> None:
    """Refuse, before changing a byte of it, a file that is not this bot's database."""
    target = Path(path)
    if path == ":memory:" or not target.is_file() or target.stat().st_size == 0:
        return
    conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        if tables and "schema_migrations" not in tables:
            shown = ", ".join(sorted(tables)[:5])
            raise DatabaseUnusable(
                path, f"belongs to another program (tables: {shown}); use a new file for the bot"
            )
        if "schema_migrations" in tables:
            applied = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            newer = newer_migration(applied)
            if newer is not None:
                raise DatabaseUnusable(
                    path, f"was written by a newer version of the bot (migration {newer})"
                )
    finally:
        conn.close()


async def _begin(conn: Connection, statement: str) -> None:
    """BEGIN that a cancellation cannot leave half done: the statement runs on (SQLite
    waits out a busy lock in the connection's thread) and would open a transaction that
    nobody owns once the write lock is released."""
    begin = asyncio.ensure_future(conn.begin(statement))
    try:
        await asyncio.shield(begin)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await begin
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
        raise


async def _undo(conn: Connection, cause: BaseException, *statements: str) -> None:
    """Roll back after `cause`; a failure here is noted on the cause, never raised instead."""
    try:
        for statement in statements:
            if conn.closed or not conn.in_transaction:
                break
            await asyncio.shield(conn.execute(statement))
    except Exception as exc:
        cause.add_note(f"rolling back failed too: {exc}")


class _WriteLock:
    """The writer's lock; when it is free again, a reader-facing task gets it before
    background work, so an editor's change waits for one push transaction, not a queue."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())

    @asynccontextmanager
    async def held(self, *, background: bool) -> AsyncIterator[None]:
        await self._acquire(background)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, background: bool) -> None:
        if not self._held and not any(self._waiting):
            self._held = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._waiting[1 if background else 0]
        queue.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # handed over just as we were cancelled: pass it on
            elif future in queue:
                queue.remove(future)
            raise

    def _release(self) -> None:
        for queue in self._waiting:
            while queue:
                future = queue.popleft()
                if not future.done():
                    future.set_result(None)  # handed over: it stays held
                    return
        self._held = False


def greatest(db: Database) -> str:
    """The two-argument maximum: SQLite's scalar MAX, PostgreSQL's GREATEST."""
    return "GREATEST" if db.dialect is Dialect.POSTGRES else "MAX"


def distinct_from(db: Database) -> str:
    """NULL-safe inequality: SQLite's IS NOT (older SQLite lacks IS DISTINCT FROM)."""
    return "IS DISTINCT FROM" if db.dialect is Dialect.POSTGRES else "IS NOT"


def is_postgres_url(target: Path | str) -> bool:
    """Whether a store target names a PostgreSQL server rather than a SQLite file."""
    # Schemes are case-insensitive (RFC 3986), as the DATABASE_URL setting's check takes them.
    return isinstance(target, str) and target.lower().startswith(("postgresql://", "postgres://"))


class Database(abc.ABC):
    """The bot's store: writes serialised through atomic(), reads on a separate snapshot."""

    dialect: Dialect
    # Background tasks tidying up after changes, by key (see upkeep()).
    _upkeep: dict[str, asyncio.Task[None]]
    # The file, or DATABASE_URL for PostgreSQL: what messages name (never a URL's password).
    path: str

    @classmethod
    async def open(cls, target: Path | str) -> Database:
        """Open and migrate the store: a SQLite file, or a postgresql:// URL.

        Raises DatabaseUnusable, naming the file (or DATABASE_URL) and the reason."""
        if is_postgres_url(target):
            from bot.db.postgres import PostgresDatabase

            return await PostgresDatabase.open_url(str(target))
        return await SqliteDatabase.open_file(target)

    @abc.abstractmethod
    async def close(self) -> None:
        """Close every connection; safe to call twice."""

    @property
    @abc.abstractmethod
    def writer(self) -> Connection:
        """The connection writes go through (inside atomic(): the caller's transaction)."""

    @abc.abstractmethod
    def _read_conn(self) -> Connection:
        """The connection a read outside a transaction goes through."""

    # The statement that opens a transaction: SQLite takes its write lock at once
    # (IMMEDIATE), so a transaction never fails half way for want of it.
    _begin_statement = "BEGIN"
    _write_lock: _WriteLock
    # The pause between two background transactions of this process (see atomic).
    _background_gap_s = 0.0
    _background_free_at = 0.0
    _background_turn_lock: asyncio.Lock | None = None

    def _after_commit(self) -> None:
        """Hook run after each committed outermost transaction (SQLite: a checkpoint)."""
        return None

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[Connection]:
        """Run a block as one transaction (savepoint when nested); roll back on any error.

        One driver for both backends: one transaction of this process at a time (the write
        lock, reader-facing tasks first), nested blocks are savepoints. A failed COMMIT or
        RELEASE rolls back too, and the error that ended the block is the one raised, even
        when rolling back fails as well."""
        depth = _tx_depth.get()
        conn = self.writer
        if depth > 0:
            name = f"sp{next(_savepoint_ids)}"
            await conn.execute(f"SAVEPOINT {name}")
            token = _tx_depth.set(depth + 1)
            try:
                try:
                    yield conn
                finally:
                    _tx_depth.reset(token)
                await conn.execute(f"RELEASE SAVEPOINT {name}")
            except BaseException as exc:
                await _undo(conn, exc, f"ROLLBACK TO SAVEPOINT {name}", f"RELEASE SAVEPOINT {name}")
                raise
            return
        background = _background.get()
        async with contextlib.AsyncExitStack() as turn:
            if background and self._background_gap_s:
                await turn.enter_async_context(self._background_turn())
            async with self._write_lock.held(background=background), self._across_processes():
                await _begin(conn, self._begin_statement)
                token = _tx_depth.set(1)
                try:
                    try:
                        yield conn
                    finally:
                        _tx_depth.reset(token)
                    await conn.execute("COMMIT")
                except BaseException as exc:
                    # A COMMIT refused (deferred constraint, disk full, busy) leaves an SQLite
                    # transaction open: without this ROLLBACK the next BEGIN would fail.
                    # PostgreSQL ends it itself; then there is nothing left to undo.
                    await _undo(conn, exc, "ROLLBACK")
                    raise
        self._after_commit()

    def _across_processes(self) -> contextlib.AbstractAsyncContextManager[None]:
        """The lock the bot's processes share for writing, if the store needs one."""
        return contextlib.nullcontext()

    @asynccontextmanager
    async def _background_turn(self) -> AsyncIterator[None]:
        """One background transaction at a time, each a pause after the last one ended.

        The push engine's transactions come back to back (claim, results, materialise).
        The shared flock wakes a writer waiting in another process, but does not hand the
        lock over: this process, asking again at once, could take it first every time;
        and a writer outside the bot's processes only polls SQLite's lock."""
        if self._background_turn_lock is None:
            self._background_turn_lock = asyncio.Lock()
        async with self._background_turn_lock:
            pause = self._background_free_at - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            try:
                yield
            finally:
                self._background_free_at = time.monotonic() + self._background_gap_s

    @staticmethod
    @contextmanager
    def background_reads() -> Iterator[None]:
        """Tasks started inside this block read through the background connection."""
        token = _background.set(True)
        try:
            yield
        finally:
            _background.reset(token)

    def upkeep(self, key: str, work: Callable[[], Awaitable[object]]) -> None:
        """Run `work` soon as background work of its own (one run per key at a time).

        For tidying a change leaves behind, off the transaction of the change: the task has a
        fresh context (not the caller's transaction) and its writes queue behind readers'."""
        tasks = self.__dict__.setdefault("_upkeep", {})
        running = tasks.get(key)
        if running is not None and not running.done():
            return

        async def background() -> None:
            with self.background_reads():
                try:
                    await work()
                except Exception as exc:
                    log.warning("%s failed (the next change tries again): %s", key, exc)

        tasks[key] = asyncio.create_task(background(), name=key, context=contextvars.Context())

    async def upkeep_settled(self) -> None:
        """Wait for background upkeep in progress, if any."""
        tasks: dict[str, asyncio.Task[None]] = self.__dict__.get("_upkeep", {})
        while tasks:
            _, task = tasks.popitem()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write in its own transaction (or the caller's); lastrowid or rowcount."""
        async with self.atomic() as conn:
            result = await conn.execute(sql, params)
            if sql.lstrip()[:6].upper() == "INSERT":
                return int(result.lastrowid or 0)
            return int(result.rowcount or 0)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one write statement for many parameter rows in one transaction."""
        async with self.atomic() as conn:
            await conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Rows of a query, read from a consistent snapshot."""
        return await self._read_conn().fetchall(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = (), default: Any = None) -> Any:
        """The first column of the first row, or default."""
        row = await self.fetchone(sql, params)
        return default if row is None else row[0]


class SqliteDatabase(Database):
    """The embedded store: one SQLite file, one writer connection, two reader connections."""

    dialect = Dialect.SQLITE
    _begin_statement = "BEGIN IMMEDIATE"
    _background_gap_s = BACKGROUND_GAP_S

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._writer: SqliteConnection | None = None
        self._reader: SqliteConnection | None = None
        self._background_reader: SqliteConnection | None = None
        self._checkpointer: SqliteConnection | None = None
        self._checkpoint: asyncio.Task[None] | None = None
        self._checkpoint_started = -CHECKPOINT_EVERY_S
        self.checkpoint_every_s = CHECKPOINT_EVERY_S
        self._write_lock = _WriteLock()
        self._process_lock = (
            None if self.path == ":memory:" else ProcessWriteLock(self.path + "-writers")
        )

    @classmethod
    async def open_file(cls, path: Path | str) -> SqliteDatabase:
        """Open (creating folders and schema as needed) and migrate the database.

        Raises DatabaseUnusable, naming the file and the reason, when it cannot be used."""
        db = cls(path)
        try:
            if db.path != ":memory:":
                Path(db.path).parent.mkdir(parents=True, exist_ok=True)
            await asyncio.to_thread(_refuse_foreign, db.path)
            db._writer = SqliteConnection(await _connect(db.path, readonly=False))
            await apply_migrations(db._writer)
            if db.path != ":memory:":
                db._reader = SqliteConnection(await _connect(db.path, readonly=True))
                db._background_reader = SqliteConnection(await _connect(db.path, readonly=True))
                db._checkpointer = SqliteConnection(await _connect(db.path, readonly=False))
                await db._writer.raw.execute("PRAGMA wal_autocheckpoint = 0")
        except BaseException as exc:
            await db.close()
            if isinstance(exc, (sqlite3.Error, OSError)) and not isinstance(exc, DatabaseUnusable):
                raise DatabaseUnusable(db.path, _why_unusable(db.path, exc)) from None
            raise
        return db

    async def close(self) -> None:
        """Close every connection; safe to call twice."""
        await self.upkeep_settled()
        await self.checkpoint_settled()
        for conn in (self._checkpointer, self._background_reader, self._reader, self._writer):
            if conn is not None:
                await conn.raw.close()
        self._checkpointer = self._background_reader = self._reader = self._writer = None
        if self._process_lock is not None:
            self._process_lock.close()

    async def checkpoint_settled(self) -> None:
        """Wait for a background checkpoint in progress, if any."""
        if self._checkpoint is not None:
            with contextlib.suppress(Exception):
                await self._checkpoint
            self._checkpoint = None

    def _across_processes(self) -> contextlib.AbstractAsyncContextManager[None]:
        if self._process_lock is None:
            return contextlib.nullcontext()
        return self._process_lock.held()

    def _after_commit(self) -> None:
        if self._checkpointer is None or (self._checkpoint and not self._checkpoint.done()):
            return
        now = time.monotonic()
        if now - self._checkpoint_started < self.checkpoint_every_s:
            return
        self._checkpoint_started = now
        self._checkpoint = asyncio.create_task(self._copy_back(self._checkpointer.raw))

    @staticmethod
    async def _copy_back(conn: aiosqlite.Connection) -> None:
        # PASSIVE: never waits for, nor blocks, a writer or a reader; frames a reader still
        # needs are copied by a later run.
        try:
            await conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("checkpoint failed (the next commit tries again): %s", exc)

    @property
    def writer(self) -> SqliteConnection:
        if self._writer is None:
            raise RuntimeError("database is not open")
        return self._writer

    def _read_conn(self) -> SqliteConnection:
        # Inside a transaction, read through the writer so the task sees its own writes.
        if _tx_depth.get() > 0 or self._reader is None:
            return self.writer
        if _background.get() and self._background_reader is not None:
            return self._background_reader
        return self._reader
