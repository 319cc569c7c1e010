"""The store: migrations, pragmas, atomic() with savepoints, one writer, snapshot reads."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.db import connection, migrations
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


# ---------------------------------------------------------------- atomic() on SQLite
# (both stores: tests/test_db_transactions.py)


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


async def test_a_write_tries_a_lock_held_elsewhere_until_it_is_free_then_goes_through(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process (the push engine's) holds SQLite's write lock: the write keeps
    # trying, in short steps, and commits once the lock is free.
    writer = db.writer
    assert isinstance(writer, SqliteConnection)
    tries = 0
    script = writer.raw.executescript

    async def counted(sql: str) -> Any:
        nonlocal tries
        tries += 1
        return await script(sql)

    monkeypatch.setattr(writer.raw, "executescript", counted)
    holder = sqlite3.connect(db.path, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")
    task = asyncio.create_task(add_story(db, "waited"))
    for _ in range(2000):  # until the write has tried the held lock a few times (bounded)
        if tries >= 3:
            break
        await asyncio.sleep(0.005)
    assert tries >= 3 and not task.done()
    holder.execute("ROLLBACK")
    holder.close()
    await asyncio.wait_for(task, 5)
    assert await slugs(db) == ["waited"]
    async with db.atomic():  # the usual wait is back for every other statement
        assert await db.fetchval("PRAGMA busy_timeout") == 5000


async def test_a_lock_held_past_the_busy_timeout_fails_the_write_and_nothing_else(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(db.path, isolation_level=None, timeout=10)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await add_story(db, "refused")
    holder.execute("ROLLBACK")
    holder.close()
    assert not db.writer.in_transaction
    await add_story(db, "after")
    assert await slugs(db) == ["after"]
    async with db.atomic():
        assert await db.fetchval("PRAGMA busy_timeout") == 5000


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
