"""The store on PostgreSQL (asyncpg), behind the same interface as SQLite.

Callers keep writing SQLite-flavoured SQL with `?` placeholders; `to_postgres` rewrites it
once per statement text (placeholders to `$n`, INSERT OR IGNORE to ON CONFLICT DO
NOTHING), and parameters are coerced to the types PostgreSQL inferred for them (SQLite
is loosely typed: a flag passed as 1 where PostgreSQL wants a boolean). The few
statements whose meaning differs choose by `db.dialect` where they are written.

One process keeps one writer connection behind a lock (as with SQLite: one transaction
of this process at a time, nested blocks are savepoints), a few reader connections for
reads outside a transaction, and a dedicated connection for the replicas' lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.db.connection import (
    Connection,
    Database,
    DatabaseUnusable,
    Dialect,
    Params,
    Result,
    Row,
    _background,
    _tx_depth,
    _WriteLock,
)
from bot.db.migrations import apply_migrations, newer_migration
from bot.logs import url_secrets

# Named for the setting: the URL itself may carry a password and is never shown.
SETTING = "DATABASE_URL"
_READERS = 3
_BACKGROUND_READERS = 2
_STATEMENTS_KEPT = 256
_CONNECT_TIMEOUT = 10.0


# ---------------------------------------------------------------- SQL translation


@dataclass(frozen=True)
class Translated:
    """A statement rewritten for PostgreSQL and how to order its parameters."""

    sql: str
    names: tuple[str, ...] = ()  # for named parameters: the name of $1, $2, ...
    # The table of an `INSERT INTO t (…) VALUES` without RETURNING (lower case), else None:
    # such an insert into a table with an id gets `RETURNING id` for its lastrowid.
    insert_into: str | None = None


_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_INSERT_VALUES = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\s*\([^)]*\)\s*VALUES\b", re.IGNORECASE)


@lru_cache(maxsize=2048)
def to_postgres(sql: str, named: bool = False) -> Translated:
    """Rewrite an SQLite statement for PostgreSQL: `?`, `?NNN` (or `:name`) to `$n`.

    String literals, quoted identifiers and comments are copied untouched, and a `::`
    cast is not a parameter."""
    out: list[str] = []
    names: list[str] = []
    sequence = 0
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == c:
                    if end + 1 < n and sql[end + 1] == c:  # a doubled quote stays inside
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif c == "?":
            end = i + 1
            while end < n and sql[end].isdigit():
                end += 1
            if end > i + 1:
                out.append("$" + sql[i + 1 : end])
            else:
                sequence += 1
                out.append(f"${sequence}")
            i = end
        elif c == ":" and sql.startswith("::", i):
            out.append("::")
            i += 2
        elif named and c == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            end = i + 1
            while end < n and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            name = sql[i + 1 : end]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = end
        else:
            out.append(c)
            i += 1
    text = "".join(out)
    if _INSERT_OR_IGNORE.match(text):
        text = _INSERT_OR_IGNORE.sub("INSERT INTO", text, count=1).rstrip().rstrip(";")
        text += " ON CONFLICT DO NOTHING"
    insert = _INSERT_VALUES.match(text)
    if insert is None or "RETURNING" in text.upper():
        return Translated(text, tuple(names))
    return Translated(text, tuple(names), insert.group(1).lower())


def _positional(translated: Translated, params: Params) -> Sequence[Any]:
    if isinstance(params, dict):
        return [params[name] for name in translated.names]
    return params


# ---------------------------------------------------------------- parameter coercion


def _as_text(value: Any) -> Any:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _as_bool(value: Any) -> Any:
    return bool(value) if isinstance(value, (int, float)) else value


def _as_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _as_float(value: Any) -> Any:
    return float(value) if isinstance(value, int) else value


def _same(value: Any) -> Any:
    return value


_COERCE: dict[str, Callable[[Any], Any]] = {
    "text": _as_text,
    "varchar": _as_text,
    "bpchar": _as_text,
    "bool": _as_bool,
    "int2": _as_int,
    "int4": _as_int,
    "int8": _as_int,
    "float4": _as_float,
    "float8": _as_float,
    "numeric": _as_float,
}


@dataclass
class _Prepared:
    statement: asyncpg.prepared_stmt.PreparedStatement
    coerce: tuple[Callable[[Any], Any], ...]

    def args(self, params: Sequence[Any]) -> list[Any]:
        return [f(v) for f, v in zip(self.coerce, params, strict=False)]


def _rowcount(status: str | None) -> int:
    """Rows touched, from a command tag such as 'INSERT 0 5' or 'UPDATE 3'."""
    if not status:
        return 0
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


# ---------------------------------------------------------------- connections


class PostgresConnection(Connection):
    """One asyncpg connection behind the neutral interface, with its prepared statements."""

    def __init__(self, raw: asyncpg.Connection, id_tables: frozenset[str]) -> None:
        self.raw = raw
        self._id_tables = id_tables
        self._prepared: OrderedDict[str, _Prepared] = OrderedDict()
        # asyncpg refuses a second operation on a connection while one runs.
        self._busy = asyncio.Lock()

    async def _prepare(self, sql: str) -> _Prepared:
        found = self._prepared.get(sql)
        if found is not None:
            self._prepared.move_to_end(sql)
            return found
        statement = await self.raw.prepare(sql)
        coerce = tuple(_COERCE.get(t.name, _same) for t in statement.get_parameters())
        found = self._prepared[sql] = _Prepared(statement, coerce)
        if len(self._prepared) > _STATEMENTS_KEPT:
            self._prepared.popitem(last=False)
        return found

    async def execute(self, sql: str, params: Params = ()) -> Result:
        translated = to_postgres(sql, isinstance(params, dict))
        text = translated.sql
        wants_id = translated.insert_into in self._id_tables
        if wants_id:
            text += " RETURNING id"
        async with self._busy:
            if not params and not wants_id:
                # Transaction control and DDL: the simple protocol, nothing to prepare.
                return Result(rowcount=_rowcount(await self.raw.execute(text)))
            prepared = await self._prepare(text)
            rows = await prepared.statement.fetch(*prepared.args(_positional(translated, params)))
            count = _rowcount(prepared.statement.get_statusmsg())
        lastrowid = int(rows[-1][0]) if wants_id and rows else None
        return Result(rowcount=count, lastrowid=lastrowid)

    async def executemany(self, sql: str, rows: Iterable[Params], *, counted: bool = False) -> int:
        rows = list(rows)
        if not rows:
            return 0
        translated = to_postgres(sql, isinstance(rows[0], dict))
        async with self._busy:
            prepared = await self._prepare(translated.sql)
            if counted:
                # asyncpg's pipelined executemany reports no command tags: one by one.
                total = 0
                for row in rows:
                    await prepared.statement.fetch(*prepared.args(_positional(translated, row)))
                    total += _rowcount(prepared.statement.get_statusmsg())
                return total
            await prepared.statement.executemany(
                [prepared.args(_positional(translated, row)) for row in rows]
            )
        return len(rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        translated = to_postgres(sql, isinstance(params, dict))
        async with self._busy:
            prepared = await self._prepare(translated.sql)
            return list(
                await prepared.statement.fetch(*prepared.args(_positional(translated, params)))
            )

    async def execute_script(self, script: str) -> None:
        async with self._busy:
            await self.raw.execute(script)

    @property
    def in_transaction(self) -> bool:
        return bool(self.raw.is_in_transaction())

    @property
    def closed(self) -> bool:
        return bool(self.raw.is_closed())


class _ReaderPool:
    """A few reader connections, handed out first come, first served.

    A connection given back goes straight to the task that has waited longest. With an
    asyncio.Queue a task reading in a tight loop takes it back before the woken waiter
    runs (that one finds the queue empty and queues again at the back), so eight busy
    readers on three connections starved every other read, and a writer's read-back hung.
    """

    def __init__(self, conns: list[PostgresConnection]) -> None:
        self.conns = conns
        self._idle: deque[PostgresConnection] = deque(conns)
        self._waiting: deque[asyncio.Future[PostgresConnection]] = deque()
        self.as_connection: Connection = _PooledReader(self)

    @asynccontextmanager
    async def one(self) -> AsyncIterator[PostgresConnection]:
        conn = await self._acquire()
        try:
            yield conn
        finally:
            self._release(conn)

    async def _acquire(self) -> PostgresConnection:
        if self._idle and not self._waiting:
            return self._idle.popleft()
        future: asyncio.Future[PostgresConnection] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release(future.result())  # handed over just as we were cancelled
            elif future in self._waiting:
                self._waiting.remove(future)
            raise

    def _release(self, conn: PostgresConnection) -> None:
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(conn)
                return
        self._idle.append(conn)


class _PooledReader(Connection):
    """The readers as one Connection: each call runs on whichever reader is idle."""

    def __init__(self, pool: _ReaderPool) -> None:
        self._pool = pool

    @property
    def in_transaction(self) -> bool:
        return False  # reads outside a transaction only: each call on its own connection

    async def execute(self, sql: str, params: Params = ()) -> Result:
        async with self._pool.one() as conn:
            return await conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params], *, counted: bool = False) -> int:
        async with self._pool.one() as conn:
            return await conn.executemany(sql, rows, counted=counted)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._pool.one() as conn:
            return await conn.fetchall(sql, params)


# ---------------------------------------------------------------- errors without secrets


def _scrub(text: str, url: str) -> str:
    """An error text with the URL and its password taken out."""
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    return text


def _where(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
        database = parts.path.lstrip("/") or "(default)"
    except ValueError:
        return "the server"
    return f"{host}:{port}/{database}"


def _why_unreachable(url: str, exc: BaseException) -> str:
    if isinstance(exc, asyncpg.InvalidPasswordError):
        reason = "the server refused the user name or password"
    elif isinstance(exc, asyncpg.InvalidCatalogNameError):
        reason = "the database does not exist on the server"
    elif isinstance(exc, (OSError, TimeoutError)):
        reason = f"cannot reach the PostgreSQL server at {_where(url)} ({type(exc).__name__})"
    elif isinstance(exc, asyncpg.PostgresError):
        reason = f"PostgreSQL refused the connection ({exc.sqlstate}: {exc})"
    else:
        reason = f"is not a usable PostgreSQL URL ({type(exc).__name__}: {exc})"
    return _scrub(reason, url)


# ---------------------------------------------------------------- the store


class PostgresDatabase(Database):
    """The store on a PostgreSQL server, shared by every replica of the bot."""

    dialect = Dialect.POSTGRES

    def __init__(self, url: str) -> None:
        self._url = url
        self.path = SETTING  # what messages name: never the URL, which may hold a password
        self._writer: PostgresConnection | None = None
        self._readers: _ReaderPool | None = None
        self._background: _ReaderPool | None = None
        self._write_lock = _WriteLock()

    async def _connect(self, id_tables: frozenset[str]) -> PostgresConnection:
        raw = await asyncpg.connect(self._url, timeout=_CONNECT_TIMEOUT)
        return PostgresConnection(raw, id_tables)

    @property
    def url(self) -> str:
        """DATABASE_URL itself, for a connection of its own; a secret, never to be shown."""
        return self._url

    @classmethod
    async def open_url(cls, url: str) -> PostgresDatabase:
        """Connect, migrate, and open the readers; DatabaseUnusable names DATABASE_URL."""
        db = cls(url)
        try:
            db._writer = await db._connect(frozenset())
            await _refuse_newer(db._writer)
            await apply_migrations(db._writer, "postgres")
            id_tables = frozenset(
                r[0]
                for r in await db._writer.fetchall(
                    "SELECT table_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND column_name = 'id'"
                    " AND is_identity = 'YES'"
                )
            )
            db._writer._id_tables = id_tables
            db._readers = _ReaderPool([await db._connect(id_tables) for _ in range(_READERS)])
            db._background = _ReaderPool(
                [await db._connect(id_tables) for _ in range(_BACKGROUND_READERS)]
            )
        except BaseException as exc:
            await db.close()
            if isinstance(exc, DatabaseUnusable):
                raise
            if isinstance(exc, Exception):  # a cancellation (a BaseException) goes on as is
                raise DatabaseUnusable(SETTING, _why_unreachable(url, exc)) from None
            raise
        return db

    async def close(self) -> None:
        """Close every connection once background upkeep is done; safe to call twice."""
        await self.upkeep_settled()
        conns: list[PostgresConnection] = []
        for pool in (self._background, self._readers):
            if pool is not None:
                conns += pool.conns
        if self._writer is not None:
            conns.append(self._writer)
        for conn in conns:
            with contextlib.suppress(Exception):
                await conn.raw.close(timeout=5)
        self._background = self._readers = self._writer = None

    @property
    def writer(self) -> PostgresConnection:
        if self._writer is None:
            raise RuntimeError("database is not open")
        return self._writer

    def _read_conn(self) -> Connection:
        if _tx_depth.get() > 0 or self._readers is None:
            return self.writer
        if _background.get() and self._background is not None:
            return self._background.as_connection
        return self._readers.as_connection


async def _refuse_newer(conn: PostgresConnection) -> None:
    """Refuse a database that a newer version of the bot migrated."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return
    applied = {r[0] for r in await conn.fetchall("SELECT name FROM schema_migrations")}
    newer = newer_migration(applied, "postgres")
    if newer is not None:
        raise DatabaseUnusable(
            SETTING, f"was written by a newer version of the bot (migration {newer})"
        )
