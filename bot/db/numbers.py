"""Numbers readers and editors see (updates, stories, quotes, sources): never issued twice.

SQLite numbers a new row one above the highest id in its table. After a restore of an
older copy it would give out again the numbers issued after the backup, which pushes,
buttons and editors' commands (/retract 12) still carry. A restore records the replaced
database's highest numbers in issued_numbers (migration 140), and the store's inserts
number new rows above them. PostgreSQL's identity sequences never go back by themselves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from bot.db.connection import Database, Dialect
from bot.db.migrations import migration_files, split_statements

# The migration that creates issued_numbers: a restore of an older copy runs it early.
FLOORS_MIGRATION = "140_issued_numbers"


class Numbered(StrEnum):
    """The tables whose ids are shown as numbers."""

    STORIES = "stories"
    ITEMS = "ticker_items"
    QUOTES = "quotes"
    SOURCES = "sources"


# NULL while no restore left a floor for the table, and SQLite then numbers the row as it
# always did; a floor above the rows puts the new one just above it.
_SQLITE_NEW_ID = {
    table: (
        f"(SELECT MAX(n.highest, (SELECT COALESCE(MAX(id), 0) FROM {table})) + 1"
        f" FROM issued_numbers n WHERE n.table_name = '{table}')"
    )
    for table in Numbered
}


def new_id(db: Database, table: Numbered) -> str:
    """The SQL value for a new row's id: above the table's rows and any restore's floor."""
    # PostgreSQL: the identity sequence, as replicas inserting side by side need.
    return "DEFAULT" if db.dialect is Dialect.POSTGRES else _SQLITE_NEW_ID[table]


def _highest(conn: sqlite3.Connection) -> dict[Numbered, int]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    floors: dict[str, int] = {}
    if "issued_numbers" in tables:
        floors = dict(conn.execute("SELECT table_name, highest FROM issued_numbers").fetchall())
    highest: dict[Numbered, int] = {}
    for table in Numbered:
        top = 0
        if table in tables:
            top = conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
        highest[table] = max(int(top), int(floors.get(table, 0)))
    return highest


def highest_issued(path: Path) -> dict[Numbered, int]:
    """The highest number of each kind an SQLite file has issued (rows or floor); read only."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _highest(conn)
    finally:
        conn.close()


def raise_floors(path: Path, issued: Mapping[Numbered, int]) -> dict[Numbered, int]:
    """Make an SQLite file number new rows above `issued`; returns each kind's next number."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in split_statements(dict(migration_files())[FLOORS_MIGRATION]):
                conn.execute(statement)
            conn.executemany(
                "INSERT INTO issued_numbers (table_name, highest) VALUES (?, ?)"
                " ON CONFLICT (table_name) DO UPDATE"
                " SET highest = MAX(highest, excluded.highest)",
                [(str(table), highest) for table, highest in issued.items()],
            )
            following = {table: highest + 1 for table, highest in _highest(conn).items()}
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()
    return following
