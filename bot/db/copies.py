"""Whole-file copies of the SQLite store and what a copy holds, for backup and restore.

The file handling (names, locks, fsync, moving into place) lives in `bot.backup`; the
SQL lives here with the rest of the store's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def copy_database(source: Path, target: Path, *, read_only: bool = False) -> bool:
    """Copy `source` to `target` in one step; True when the copy passes SQLite's quick check.

    One step is one read transaction, which in WAL mode never blocks the bot's writer (a
    copy in steps would restart on every write it meets). The copy is left in rollback
    journal mode: in WAL mode later writes would go to a file beside it, which is not
    moved with it.
    """
    origin = _read_only(source) if read_only else sqlite3.connect(source, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            origin.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            return bool(copy.execute("PRAGMA quick_check").fetchone()[0] == "ok")
        finally:
            copy.close()
    finally:
        origin.close()


@dataclass(frozen=True)
class Contents:
    """What a database file holds, as far as a restore cares."""

    integrity: str  # "ok", or SQLite's first complaint
    tables: frozenset[str]
    migrations: frozenset[str]  # empty when there is no schema_migrations table


def read_contents(path: Path) -> Contents:
    """Integrity verdict, tables and applied migrations of the database at `path`."""
    conn = _read_only(path)
    try:
        verdict = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        if verdict != "ok":
            return Contents(verdict, frozenset(), frozenset())
        tables = frozenset(r[0] for r in conn.execute("SELECT name FROM sqlite_master"))
        applied: frozenset[str] = frozenset()
        if "schema_migrations" in tables:
            applied = frozenset(r[0] for r in conn.execute("SELECT name FROM schema_migrations"))
        return Contents(verdict, tables, applied)
    finally:
        conn.close()
