"""atomic() on both stores: one transaction driver, savepoints, one writer, snapshot reads,
and a reader pool that serves every waiting task in turn."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.db.connection import Connection, Database, Dialect
from bot.db.models import now_iso
from bot.db.postgres import PostgresConnection, _ReaderPool
from tests.conftest_delivery import open_db

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True

INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


async def add_story(db: Database, slug: str) -> int:
    """One story row in its own transaction (or the caller's)."""
    now = now_iso()
    return await db.execute(
        "INSERT INTO stories (slug, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (slug, slug.title(), now, now),
    )


async def slugs(db: Database) -> list[str]:
    return [row["slug"] for row in await db.fetchall("SELECT slug FROM stories ORDER BY id")]


class Boom(Exception):
    pass


# ---------------------------------------------------------------- atomic()


async def test_atomic_commits_every_statement_together(db: Database) -> None:
    async with db.atomic():
        await add_story(db, "one")
        await add_story(db, "two")
    assert await slugs(db) == ["one", "two"]


async def test_atomic_rolls_back_everything_on_an_exception(db: Database) -> None:
    await add_story(db, "before")
    with pytest.raises(Boom):
        async with db.atomic():
            await add_story(db, "one")
            await add_story(db, "two")
            raise Boom
    assert await slugs(db) == ["before"]
    # The connection is usable again at once.
    await add_story(db, "after")
    assert await slugs(db) == ["before", "after"]


async def test_atomic_rolls_back_on_an_sql_error(db: Database) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.atomic():
            await add_story(db, "dup")
            await add_story(db, "dup")  # slug is UNIQUE
    assert await slugs(db) == []


async def test_atomic_rolls_back_when_the_task_is_cancelled(db: Database) -> None:
    started = asyncio.Event()

    async def writer() -> None:
        async with db.atomic():
            await add_story(db, "cancelled")
            started.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(writer())
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await slugs(db) == []
    await add_story(db, "next")  # the write lock was released
    assert await slugs(db) == ["next"]


async def test_a_failed_savepoint_keeps_the_outer_work(db: Database) -> None:
    async with db.atomic():
        await add_story(db, "outer-before")
        with pytest.raises(Boom):
            async with db.atomic():
                await add_story(db, "inner")
                async with db.atomic():
                    await add_story(db, "inner-inner")
                raise Boom
        # Inside the transaction the task sees its own writes, without the inner ones.
        assert await slugs(db) == ["outer-before"]
        await add_story(db, "outer-after")
    assert await slugs(db) == ["outer-before", "outer-after"]


async def test_a_failure_after_a_released_savepoint_undoes_it_too(db: Database) -> None:
    with pytest.raises(Boom):
        async with db.atomic():
            await add_story(db, "outer")
            async with db.atomic():
                await add_story(db, "inner")
            raise Boom
    assert await slugs(db) == []


async def test_a_failing_rollback_to_does_not_hide_the_first_error(db: Database) -> None:
    with pytest.raises(Boom) as caught:
        async with db.atomic() as conn:
            await add_story(db, "outer")
            async with db.atomic():
                # The savepoint disappears under the block (committed away): ROLLBACK TO
                # fails, and the error that ended the block must still be the one raised.
                await conn.execute("COMMIT")
                await conn.execute("BEGIN")
                raise Boom
    assert any("rolling back failed too" in note for note in caught.value.__notes__)
    assert not db.writer.in_transaction
    await add_story(db, "after")
    assert "after" in await slugs(db)


# ---------------------------------------------------------------- one writer, snapshot reads


async def test_two_tasks_writing_at_once_do_not_interleave(db: Database) -> None:
    async def write(name: str) -> None:
        async with db.atomic():
            for n in range(3):
                await add_story(db, f"{name}{n}")
                await asyncio.sleep(0.005)  # give the other task every chance to cut in

    await asyncio.gather(write("a"), write("b"))
    order = await slugs(db)
    assert order in (["a0", "a1", "a2", "b0", "b1", "b2"], ["b0", "b1", "b2", "a0", "a1", "a2"])


async def test_a_rollback_never_takes_another_tasks_write_with_it(db: Database) -> None:
    inside = asyncio.Event()

    async def failing() -> None:
        async with db.atomic():
            await add_story(db, "rolled-back")
            inside.set()
            await asyncio.sleep(0.05)  # the other task's write is waiting meanwhile
            raise Boom

    async def plain_write() -> None:
        await inside.wait()
        await add_story(db, "independent")

    results = await asyncio.gather(failing(), plain_write(), return_exceptions=True)
    assert isinstance(results[0], Boom) and results[1] is None
    assert await slugs(db) == ["independent"]


async def test_a_reader_does_not_see_uncommitted_writes(db: Database) -> None:
    written, checked = asyncio.Event(), asyncio.Event()
    seen: list[int] = []

    async def writer() -> None:
        async with db.atomic():
            await add_story(db, "pending")
            written.set()
            await asyncio.wait_for(checked.wait(), 5)

    async def reader() -> None:
        await written.wait()
        seen.append(await db.fetchval("SELECT COUNT(*) FROM stories"))
        checked.set()

    await asyncio.gather(writer(), reader())
    assert seen == [0]
    assert await db.fetchval("SELECT COUNT(*) FROM stories") == 1


async def test_reads_are_not_blocked_by_an_open_transaction(db: Database) -> None:
    await add_story(db, "committed")
    release = asyncio.Event()
    holding = asyncio.Event()

    async def long_writer() -> None:
        async with db.atomic():
            await add_story(db, "slow")
            holding.set()
            await asyncio.wait_for(release.wait(), 5)

    task = asyncio.create_task(long_writer())
    await holding.wait()
    assert await asyncio.wait_for(slugs(db), 1) == ["committed"]
    release.set()
    await task
    assert await slugs(db) == ["committed", "slow"]


async def refused_at_commit(db: Database, conn: Connection) -> None:
    """A row whose foreign key is checked only at COMMIT (deferred), pointing nowhere."""
    if db.dialect is Dialect.SQLITE:
        await conn.execute("PRAGMA defer_foreign_keys = ON")
        await conn.execute(
            "INSERT INTO page_imports (source_name, story_id, page_hash, imported_at)"
            " VALUES ('seeds/orphan.txt', 999, 'hash', ?)",
            (now_iso(),),
        )
        return
    await conn.execute(
        "CREATE TABLE orphans (story_id BIGINT REFERENCES stories (id)"
        " DEFERRABLE INITIALLY DEFERRED)"
    )
    await conn.execute("INSERT INTO orphans (story_id) VALUES (999)")


async def test_a_refused_commit_rolls_back_and_raises_its_own_error(db: Database) -> None:
    with pytest.raises(INTEGRITY_ERRORS) as caught:
        async with db.atomic() as conn:
            await add_story(db, "lost")
            await refused_at_commit(db, conn)
    assert "foreign key" in str(caught.value).lower()
    assert not db.writer.in_transaction
    assert await slugs(db) == []
    # The writer is usable again: the transaction did not stay open.
    await add_story(db, "next")
    assert await slugs(db) == ["next"]


async def test_close_waits_for_upkeep_in_progress(tmp_path: Path, store: str) -> None:
    # Upkeep (search-index merges, counter fixes) runs after the change that asked for it;
    # a shutdown in between must neither cut it off nor close the connection under it.
    db = await open_db(tmp_path, store)
    started = asyncio.Event()
    release = asyncio.Event()

    async def tidy() -> None:
        started.set()
        await release.wait()
        await add_story(db, "tidied")

    db.upkeep("tidy", tidy)
    await started.wait()
    closing = asyncio.create_task(db.close())
    # Closing takes a few round trips on loopback; a close that does not wait is done by then.
    finished, _ = await asyncio.wait({closing}, timeout=0.3)
    assert not finished, "close went on while upkeep was running"
    release.set()
    await closing
    reopened = await Database.open(tmp_path / "bot.sqlite3" if store == "sqlite" else store)
    try:
        assert await slugs(reopened) == ["tidied"]
    finally:
        await reopened.close()


# ---------------------------------------------------------------- the reader pool


class _Idle(PostgresConnection):
    """A stand-in reader: a query is one round trip to the event loop, as on a socket."""

    def __init__(self) -> None:
        pass

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        await asyncio.sleep(0)
        return []


@asynccontextmanager
async def looping_readers(pool: _ReaderPool, count: int) -> AsyncIterator[None]:
    """`count` tasks that read in a tight loop, like the renderer during a push."""
    stop = asyncio.Event()

    async def busy() -> None:
        while not stop.is_set():
            async with pool.one() as conn:
                await conn.fetchall("SELECT 1")

    tasks = [asyncio.create_task(busy()) for _ in range(count)]
    await asyncio.sleep(0)
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def test_a_read_beside_tight_loops_of_reads_gets_a_connection_in_turn() -> None:
    # Eight loops on three connections: with a queue the looping tasks took a connection
    # back before a woken waiter ran, and the other read waited for ever (the hang of the
    # PostgreSQL runs). Served in turn it waits for at most one read of each task ahead.
    pool = _ReaderPool([_Idle() for _ in range(3)])
    async with looping_readers(pool, 8):
        async with asyncio.timeout(5):
            for _ in range(50):
                async with pool.one() as conn:
                    await conn.fetchall("SELECT 1")


async def test_a_read_cancelled_while_waiting_gives_no_connection_away() -> None:
    pool = _ReaderPool([_Idle()])
    async with pool.one():
        waiting = asyncio.create_task(pool.one().__aenter__())
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    async with asyncio.timeout(5), pool.one() as conn:
        assert await conn.fetchall("SELECT 1") == []


# ---------------------------------------------------------------- pipeline()


async def test_a_pipeline_runs_its_statements_in_order_in_the_transaction(db: Database) -> None:
    now = now_iso()
    insert = "INSERT INTO stories (slug, title, created_at, updated_at) VALUES (?, ?, ?, ?)"
    async with db.atomic() as conn:
        await conn.pipeline(
            conn.executemany(insert, [("a", "A", now, now), ("b", "B", now, now)]),
            conn.execute("UPDATE stories SET title = title || '!' WHERE slug = 'a'"),
            conn.executemany(insert, [("c", "C", now, now)]),
        )
    rows = await db.fetchall("SELECT slug, title FROM stories ORDER BY id")
    assert [(r["slug"], r["title"]) for r in rows] == [("a", "A!"), ("b", "B"), ("c", "C")]


async def test_a_failing_step_raises_after_the_rest_and_the_rollback_undoes_all(
    db: Database,
) -> None:
    now = now_iso()
    insert = "INSERT INTO stories (slug, title, created_at, updated_at) VALUES (?, ?, ?, ?)"
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.atomic() as conn:
            await conn.pipeline(
                conn.executemany(insert, [("a", "A", now, now)]),
                conn.executemany(insert, [("a", "again", now, now)]),  # slug is unique
                conn.executemany(insert, [("z", "Z", now, now)]),
            )
    assert await slugs(db) == []
    await add_story(db, "after")
    assert await slugs(db) == ["after"]
