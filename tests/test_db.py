"""The store: migrations, pragmas, atomic() with savepoints, one writer, snapshot reads."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import migrations
from bot.db.connection import Database, SqliteConnection
from bot.db.migrations import apply_migrations, migration_files
from bot.db.models import now_iso


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "data" / "bot.sqlite3")
    try:
        yield database
    finally:
        await database.close()


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


# ---------------------------------------------------------------- migrations


async def test_migrations_are_applied_in_order_and_recorded(db: Database) -> None:
    names = [name for name, _ in migration_files()]
    assert names == sorted(names) and len(names) >= 2
    recorded = await db.fetchall("SELECT name, applied_at FROM schema_migrations ORDER BY name")
    assert [row["name"] for row in recorded] == names
    assert all(row["applied_at"] for row in recorded)
    # The schema the migrations promise is there.
    tables = {
        row["name"]
        for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {"stories", "ticker_items", "quotes", "fanout_jobs", "deliveries"} <= tables


async def test_reopening_applies_nothing_and_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    first = await Database.open(path)
    await add_story(first, "kept")
    before = await first.fetchall("SELECT name, applied_at FROM schema_migrations")
    await first.close()

    again = await Database.open(path)
    try:
        assert await apply_migrations(again.writer) == []
        after = await again.fetchall("SELECT name, applied_at FROM schema_migrations")
        assert [tuple(r) for r in after] == [tuple(r) for r in before]
        assert await slugs(again) == ["kept"]
    finally:
        await again.close()


async def test_a_failing_migration_leaves_no_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bot.sqlite3"
    await (await Database.open(path)).close()
    broken = "CREATE TABLE half_done (id INTEGER);\nCREATE TABLE oops (;\n"
    shipped = migration_files()
    monkeypatch.setattr(migrations, "migration_files", lambda: [*shipped, ("999_broken", broken)])
    with pytest.raises(sqlite3.DatabaseError, match="syntax error"):
        await Database.open(path)
    monkeypatch.undo()

    db = await Database.open(path)
    try:
        assert not await db.fetchval("SELECT 1 FROM sqlite_master WHERE name = 'half_done'")
        assert not await db.fetchval("SELECT 1 FROM schema_migrations WHERE name = '999_broken'")
    finally:
        await db.close()


async def test_two_processes_creating_one_database_at_once_both_start(tmp_path: Path) -> None:
    # The bot and `python -m bot import` started together on a fresh file: each opener has
    # its own connection thread, so this races for real.
    for attempt in range(8):
        path = tmp_path / f"race{attempt}.sqlite3"
        opened = await asyncio.gather(*(Database.open(path) for _ in range(3)))
        for db in opened:
            assert await db.fetchval("PRAGMA journal_mode") == "wal"
            assert await db.fetchval("SELECT COUNT(*) FROM schema_migrations") == len(
                migration_files()
            )
            await db.close()


async def test_a_file_that_is_not_a_database_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("just some notes, not SQLite\n" * 100, encoding="utf-8")
    with pytest.raises(sqlite3.DatabaseError):
        await Database.open(path)
    assert path.read_text(encoding="utf-8").startswith("just some notes")


# ---------------------------------------------------------------- pragmas


async def test_writer_uses_wal_foreign_keys_and_a_busy_timeout(db: Database) -> None:
    assert await db.fetchval("PRAGMA journal_mode") == "wal"
    async with db.atomic():  # reads inside a transaction go through the writer
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA busy_timeout") >= 1000
    assert Path(db.path).with_name(Path(db.path).name + "-wal").exists()


async def test_reader_has_foreign_keys_busy_timeout_and_cannot_write(db: Database) -> None:
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA busy_timeout") >= 1000
    assert await db.fetchval("PRAGMA query_only") == 1


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("INSERT INTO paragraphs (story_id, position, text) VALUES (999, 0, 'x')")
    story_id = await add_story(db, "parent")
    await db.execute(
        "INSERT INTO paragraphs (story_id, position, text) VALUES (?, 0, 'x')", (story_id,)
    )
    await db.execute("DELETE FROM stories WHERE id = ?", (story_id,))
    assert await db.fetchval("SELECT COUNT(*) FROM paragraphs") == 0  # ON DELETE CASCADE


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
    with pytest.raises(sqlite3.IntegrityError):
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


async def orphan_item(conn: object) -> None:
    """A page import of a story that does not exist: refused only at COMMIT (deferred)."""
    assert isinstance(conn, SqliteConnection)
    await conn.execute("PRAGMA defer_foreign_keys = ON")
    await conn.execute(
        "INSERT INTO page_imports (source_name, story_id, page_hash, imported_at)"
        " VALUES ('seeds/orphan.txt', 999, 'hash', ?)",
        (now_iso(),),
    )


async def test_a_refused_commit_rolls_back_and_raises_its_own_error(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with db.atomic() as conn:
            await add_story(db, "lost")
            await orphan_item(conn)
    assert not db.writer.in_transaction
    assert await slugs(db) == []
    # The writer is usable again: the transaction did not stay open.
    await add_story(db, "next")
    assert await slugs(db) == ["next"]


async def test_a_failing_rollback_to_does_not_hide_the_first_error(db: Database) -> None:
    with pytest.raises(Boom) as caught:
        async with db.atomic() as conn:
            await add_story(db, "outer")
            async with db.atomic():
                # The savepoint disappears under the block (committed away): ROLLBACK TO
                # fails, and the error that ended the block must still be the one raised.
                await conn.execute("COMMIT")
                await conn.execute("BEGIN IMMEDIATE")
                raise Boom
    assert any("rolling back failed too" in note for note in caught.value.__notes__)
    assert not db.writer.in_transaction
    await add_story(db, "after")
    assert "after" in await slugs(db)


async def test_cancelled_while_waiting_for_the_lock_leaves_no_transaction(
    db: Database,
) -> None:
    holder = sqlite3.connect(db.path, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")
    entered = asyncio.Event()

    async def write() -> None:
        async with db.atomic():
            entered.set()

    task = asyncio.create_task(write())
    await asyncio.sleep(0.2)  # the BEGIN is now waiting out the busy lock in its thread
    task.cancel()
    holder.execute("ROLLBACK")
    holder.close()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not entered.is_set()
    assert not db.writer.in_transaction
    await add_story(db, "after")
    assert await slugs(db) == ["after"]


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
