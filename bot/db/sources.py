"""Followed sources, their fetch state, and the ticker items their entries became."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from bot.db import stories
from bot.db.connection import Database, Dialect, Row
from bot.db.models import now_iso
from bot.db.numbers import Numbered, new_id


@dataclass(frozen=True)
class SourceRecord:
    id: int
    url: str
    story_id: int
    format: str | None
    title: str
    created_by: int | None
    started_story: bool
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    last_fetch_at: str | None
    last_change_at: str | None
    next_fetch_at: float
    failures: int
    last_error: str | None
    last_error_at: str | None

    @classmethod
    def from_row(cls, row: Row) -> SourceRecord:
        return cls(
            id=row["id"],
            url=row["url"],
            story_id=row["story_id"],
            format=row["format"],
            title=row["title"],
            created_by=row["created_by"],
            started_story=bool(row["started_story"]),
            etag=row["etag"],
            last_modified=row["last_modified"],
            body_hash=row["body_hash"],
            last_fetch_at=row["last_fetch_at"],
            last_change_at=row["last_change_at"],
            next_fetch_at=float(row["next_fetch_at"]),
            failures=int(row["failures"]),
            last_error=row["last_error"],
            last_error_at=row["last_error_at"],
        )


@dataclass(frozen=True)
class KnownEntry:
    item_id: int
    content_hash: str
    retracted: bool


def import_key(url: str, entry_key: str) -> str:
    """A ticker item's import key for a source entry: the same URL and entry, the same item."""
    return "f:" + hashlib.sha256(f"{url}\x1f{entry_key}".encode()).hexdigest()[:32]


async def add_source(
    db: Database,
    *,
    url: str,
    story_id: int,
    title: str,
    source_format: str,
    created_by: int | None,
    started_story: bool,
    next_fetch_at: float,
) -> int:
    """A new followed source; run inside db.atomic() with its first entries."""
    return await db.execute(
        "INSERT INTO sources (id, url, story_id, title, format, created_by, started_story,"
        f" next_fetch_at, created_at) VALUES ({new_id(db, Numbered.SOURCES)},"
        " ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            url,
            story_id,
            title,
            source_format,
            created_by,
            int(started_story),
            next_fetch_at,
            now_iso(),
        ),
    )


async def get_source(db: Database, source_id: int) -> SourceRecord | None:
    """One source by id."""
    row = await db.fetchone("SELECT * FROM sources WHERE id = ?", (source_id,))
    return SourceRecord.from_row(row) if row else None


async def find_source(db: Database, story_id: int, url: str) -> SourceRecord | None:
    """The source of this URL on this story, if it is followed already."""
    row = await db.fetchone("SELECT * FROM sources WHERE story_id = ? AND url = ?", (story_id, url))
    return SourceRecord.from_row(row) if row else None


async def list_sources(db: Database) -> list[SourceRecord]:
    """Every followed source in the order they were added."""
    rows = await db.fetchall("SELECT * FROM sources ORDER BY id")
    return [SourceRecord.from_row(r) for r in rows]


async def urls_followed(db: Database) -> set[str]:
    """URLs followed on any story."""
    return {r["url"] for r in await db.fetchall("SELECT DISTINCT url FROM sources")}


async def due_sources(db: Database, now: float, limit: int) -> list[SourceRecord]:
    """Sources of live stories whose next fetch is due, longest waiting first."""
    rows = await db.fetchall(
        "SELECT s.* FROM sources s JOIN stories t ON t.id = s.story_id"
        " WHERE s.next_fetch_at <= ? AND t.archived_at IS NULL"
        " ORDER BY s.next_fetch_at LIMIT ?",
        (now, limit),
    )
    return [SourceRecord.from_row(r) for r in rows]


async def next_due_at(db: Database) -> float | None:
    """When the next source of a live story is due (epoch seconds), or None."""
    value = await db.fetchval(
        "SELECT MIN(s.next_fetch_at) FROM sources s JOIN stories t ON t.id = s.story_id"
        " WHERE t.archived_at IS NULL"
    )
    return float(value) if value is not None else None


async def delete_source(db: Database, source_id: int) -> None:
    """Stop following; the items the source brought stay in the story; its number stays used."""
    await db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
    if db.dialect is Dialect.SQLITE:
        # SQLite would number the next source one above the highest row left, giving the
        # deleted source's number (still in editors' chats and /audit) to another one.
        await db.execute(
            "INSERT INTO issued_numbers (table_name, highest) VALUES (?, ?)"
            " ON CONFLICT (table_name) DO UPDATE SET highest = MAX(highest, excluded.highest)",
            (str(Numbered.SOURCES), source_id),
        )


async def record_success(
    db: Database,
    source_id: int,
    *,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None,
    changed: bool,
    next_fetch_at: float,
    source_format: str | None = None,
    title: str | None = None,
) -> None:
    """A good fetch: validators kept, errors cleared, the next fetch scheduled."""
    now = now_iso()
    await db.execute(
        "UPDATE sources SET etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),"
        " body_hash = COALESCE(?, body_hash), last_fetch_at = ?,"
        " last_change_at = CASE WHEN ? THEN ? ELSE last_change_at END,"
        " format = COALESCE(?, format), title = COALESCE(NULLIF(?, ''), title),"
        " next_fetch_at = ?, failures = 0, last_error = NULL, last_error_at = NULL"
        " WHERE id = ?",
        (
            etag,
            last_modified,
            body_hash,
            now,
            int(changed),
            now,
            source_format,
            title,
            next_fetch_at,
            source_id,
        ),
    )


async def record_failure(db: Database, source_id: int, *, error: str, next_fetch_at: float) -> None:
    """A failed fetch or an unreadable answer: the last good state stays, the error is shown."""
    now = now_iso()
    await db.execute(
        "UPDATE sources SET last_fetch_at = ?, last_error = ?, last_error_at = ?,"
        " failures = failures + 1, next_fetch_at = ? WHERE id = ?",
        (now, error[:300], now, next_fetch_at, source_id),
    )


async def known_entries(db: Database, source_id: int) -> dict[str, KnownEntry]:
    """Every entry of a source already stored, by its key."""
    rows = await db.fetchall(
        "SELECT si.entry_key, si.item_id, si.content_hash, t.retracted_at FROM source_items si"
        " JOIN ticker_items t ON t.id = si.item_id WHERE si.source_id = ?",
        (source_id,),
    )
    return {
        r["entry_key"]: KnownEntry(
            item_id=int(r["item_id"]),
            content_hash=r["content_hash"],
            retracted=r["retracted_at"] is not None,
        )
        for r in rows
    }


async def add_entry_item(
    db: Database,
    *,
    source: SourceRecord,
    entry_key: str,
    headline: str,
    body: str,
    clock: str | None,
    published: str | None,
    content_hash: str,
) -> tuple[int, bool]:
    """Store an entry as a ticker item (caller's tx): (item id, whether the item is new).

    An item this URL brought before (followed again after /unfollow) is linked, not doubled."""
    conn = db.writer
    key = import_key(source.url, entry_key)
    existing = await db.fetchval(
        "SELECT id FROM ticker_items WHERE story_id = ? AND import_key = ?",
        (source.story_id, key),
    )
    created = existing is None
    if existing is None:
        item_id = await stories.insert_item(
            db,
            source.story_id,
            origin="imported",
            headline=headline,
            body=body,
            key=key,
            time=clock,
        )
    else:
        item_id = int(existing)
    await conn.execute(
        "INSERT INTO source_items (source_id, entry_key, item_id, content_hash, published)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (source_id, entry_key) DO UPDATE SET"
        " item_id = excluded.item_id, content_hash = excluded.content_hash",
        (source.id, entry_key, item_id, content_hash, published),
    )
    return item_id, created


async def set_entry_hash(db: Database, source_id: int, entry_key: str, content_hash: str) -> None:
    """Remember what the source now says about an entry."""
    await db.execute(
        "UPDATE source_items SET content_hash = ? WHERE source_id = ? AND entry_key = ?",
        (content_hash, source_id, entry_key),
    )


async def apply_reading(
    db: Database,
    story_id: int,
    *,
    summary: list[str],
    lead: str,
    quotes: list[tuple[str, str | None, str | None, bool]],
    people: list[tuple[str, str | None]],
    replace_summary: bool,
) -> list[int]:
    """Add the importer's quotes and people to a story (caller's tx); ids of new quotes.

    The summary and lead are replaced only for a story the source started: an editor's
    story keeps its own."""
    conn = db.writer
    if replace_summary and summary:
        await conn.execute(
            "UPDATE stories SET summary_json = ?, lead = CASE WHEN ? <> '' THEN ? ELSE lead END,"
            " updated_at = ? WHERE id = ?",
            (json.dumps(summary, ensure_ascii=False), lead, lead, now_iso(), story_id),
        )
    known = {
        r["text"]
        for r in await db.fetchall("SELECT text FROM quotes WHERE story_id = ?", (story_id,))
    }
    position = int(
        await db.fetchval(
            "SELECT COALESCE(MAX(position), 0) FROM quotes WHERE story_id = ?", (story_id,), 0
        )
    )
    added: list[int] = []
    for text, speaker, role, fragment in quotes:
        if text in known:
            continue
        known.add(text)
        position += 1
        cursor = await conn.execute(
            "INSERT INTO quotes (id, story_id, position, text, speaker, role, fragment,"
            f" origin) VALUES ({new_id(db, Numbered.QUOTES)}, ?, ?, ?, ?, ?, ?, 'imported')",
            (story_id, position, text, speaker, role, int(fragment)),
        )
        added.append(int(cursor.lastrowid or 0))
    start = int(
        await db.fetchval(
            "SELECT COALESCE(MAX(position), 0) FROM people WHERE story_id = ?", (story_id,), 0
        )
    )
    await conn.executemany(
        "INSERT INTO people (story_id, position, name, role) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (story_id, name) DO UPDATE SET role = COALESCE(people.role, excluded.role)",
        [(story_id, start + i + 1, name, role) for i, (name, role) in enumerate(people)],
    )
    return added


async def note_error(db: Database, source_id: int, error: str) -> None:
    """A good fetch with a caveat (a limit reached): shown in /sources like an error."""
    await db.execute(
        "UPDATE sources SET last_error = ?, last_error_at = ? WHERE id = ?",
        (error[:300], now_iso(), source_id),
    )
