"""Named, ordered schema migrations, each applied in the transaction that records it.

SQLite's files sit in this folder; PostgreSQL's in `postgres/`, under the same names: a
store is at the same migration level whichever dialect it speaks."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.db.connection import Connection

# pg_advisory_xact_lock key: replicas starting at once migrate one after the other.
MIGRATION_LOCK = 0x62726966  # "brif"


def migration_files(dialect: str = "sqlite") -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped for a dialect, in order of their names."""
    folder = resources.files(__package__)
    if dialect == "postgres":
        folder = folder / "postgres"
    found = [
        (entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(found)


def newer_migration(applied: set[str], dialect: str = "sqlite") -> str | None:
    """The newest applied migration this version does not ship: a newer bot wrote the store."""
    shipped = migration_files("postgres") if dialect == "postgres" else migration_files()
    unknown = sorted(applied - {name for name, _ in shipped})
    return unknown[-1] if unknown else None


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


async def apply_migrations(conn: Connection, dialect: str = "sqlite") -> list[str]:
    """Apply every migration not yet recorded; return the names applied now."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in await conn.fetchall("SELECT name FROM schema_migrations")}
    applied: list[str] = []
    # Called without an argument for SQLite: tests replace it with a list of their own.
    shipped = migration_files("postgres") if dialect == "postgres" else migration_files()
    for name, sql in shipped:
        if name in done:
            continue
        if dialect == "postgres":
            await conn.execute("BEGIN")
            await conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
        else:
            await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process opening the same store may have applied it since the check
            # above; look again now that this connection holds the lock.
            if await conn.fetchone("SELECT 1 FROM schema_migrations WHERE name = ?", (name,)):
                await conn.execute("ROLLBACK")
                continue
            if dialect == "postgres":
                # One script: PL/pgSQL bodies hold semicolons sqlite3 cannot split around.
                await conn.execute_script(sql)
            else:
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
