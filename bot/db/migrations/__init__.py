"""Named, ordered schema migrations, each applied in the transaction that records it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from importlib import resources

import aiosqlite


def migration_files() -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped with the package, in order of their names."""
    folder = resources.files(__package__)
    found = [
        (entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(found)


def split_statements(script: str) -> list[str]:
    """Split an SQL script into complete statements (triggers with inner semicolons stay whole)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError(f"incomplete SQL statement at end of migration: {buffer[:80]!r}")
    return statements


async def apply_migrations(conn: aiosqlite.Connection) -> list[str]:
    """Apply every migration not yet recorded; return the names applied now."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    async with conn.execute("SELECT name FROM schema_migrations") as cursor:
        done = {row[0] for row in await cursor.fetchall()}
    applied: list[str] = []
    for name, sql in migration_files():
        if name in done:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process opening the same file may have applied it since the check
            # above; look again now that this connection holds the write lock.
            async with conn.execute(
                "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
            ) as cursor:
                if await cursor.fetchone() is not None:
                    await conn.execute("ROLLBACK")
                    continue
            for statement in split_statements(sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        applied.append(name)
    return applied
