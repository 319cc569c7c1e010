"""Stories, their paragraphs, people, quotes and ticker items."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.db.connection import Database, Dialect, Row
from bot.db.models import (
    MAX_ATTACHMENTS,
    Attachment,
    MediaKind,
    PersonRecord,
    QuoteRecord,
    StoryRecord,
    TickerItemRecord,
    now_iso,
)
from bot.db.numbers import Numbered, new_id
from bot.folding import spellings
from bot.story.model import ParsedStory, TickerEntry

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"„“«»A-ZÄÖÜ0-9])")


def slugify(text: str) -> str:
    """A lowercase ASCII slug for story identifiers."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].strip("-") or "story"


def import_key(entry: TickerEntry) -> str:
    """Identity of an imported ticker item across re-imports of a changed page."""
    normalized = " ".join(entry.headline.casefold().split())
    # A relative stamp ("vor 5 Minuten") resolves to a new time on every import.
    return hashlib.sha256(f"{entry.stable_time or ''}|{normalized}".encode()).hexdigest()[:32]


def _display(entry: TickerEntry) -> str:
    return entry.display_headline or entry.headline


def _sentences(text: str) -> list[str]:
    # The index only needs rough sentence cuts; the importer's splitter is for content.
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


@dataclass
class ImportOutcome:
    story_id: int
    created: bool
    unchanged: bool
    new_item_ids: list[int] = field(default_factory=list)
    updated_item_ids: list[int] = field(default_factory=list)


async def _unique_slug(db: Database, base: str) -> str:
    slug, n = base, 2
    while await db.fetchval("SELECT 1 FROM stories WHERE slug = ?", (slug,)):
        slug, n = f"{base}-{n}", n + 1
    return slug


# `scope` tokens name the story, the kind and the entry of a sentence, so a search or a
# change finds a story's or an entry's sentences through the index (migration 051).
_INSERT_SENTENCE = (
    "INSERT INTO search_sentences (text, story_id, kind, ref, scope) VALUES (?1, ?2, ?3, ?4,"
    " 's' || ?2 || ' ' || substr(?3, 1, 1)"
    " || CASE WHEN ?3 = 'body' THEN '' ELSE ' ' || substr(?3, 1, 1) || ?4 END)"
)
_DELETE_SCOPE = (
    "DELETE FROM search_sentences WHERE rowid IN"
    " (SELECT rowid FROM search_sentences WHERE search_sentences MATCH ?)"
)


# PostgreSQL: the words go in as the sentence's folded tokens (array_to_tsvector takes them
# as they are), so both dialects find the same sentences for the same words.
_INSERT_SENTENCE_PG = (
    "INSERT INTO search_sentences (text, story_id, kind, ref, words)"
    " VALUES (?, ?, ?, ?, array_to_tsvector(CAST(? AS TEXT[])))"
)
# PostgreSQL keeps a lexeme up to 2047 bytes; a prefix search reads the first few letters.
_LEXEME_MAX = 200


def _index_words(text: str) -> list[str]:
    return sorted({t[:_LEXEME_MAX] for t in _TOKEN.findall(_fold(text))})


async def _insert_sentences(db: Database, rows: list[tuple[str, int, str, int]]) -> None:
    if db.dialect is Dialect.POSTGRES:
        await db.writer.executemany(
            _INSERT_SENTENCE_PG, [(*row, _index_words(row[0])) for row in rows]
        )
    else:
        await db.writer.executemany(_INSERT_SENTENCE, rows)


async def _reindex(db: Database, story_id: int) -> None:
    """Rebuild the search index of one story; runs inside the caller's transaction."""
    if db.dialect is Dialect.POSTGRES:
        await db.writer.execute("DELETE FROM search_sentences WHERE story_id = ?", (story_id,))
    else:
        await db.writer.execute(_DELETE_SCOPE, (f'scope : "s{story_id}"',))
    rows: list[tuple[str, int, str, int]] = []
    story = await db.fetchone("SELECT lead FROM stories WHERE id = ?", (story_id,))
    if story and story["lead"]:
        rows += [(s, story_id, "body", -1) for s in _sentences(story["lead"])]
    for p in await db.fetchall(
        "SELECT position, text FROM paragraphs WHERE story_id = ? ORDER BY position", (story_id,)
    ):
        rows += [(s, story_id, "body", p["position"]) for s in _sentences(p["text"])]
    for q in await db.fetchall(
        "SELECT id, text FROM quotes WHERE story_id = ? AND deleted_at IS NULL", (story_id,)
    ):
        rows.append((q["text"], story_id, "quote", q["id"]))
    for t in await db.fetchall(
        "SELECT id, headline, body FROM ticker_items WHERE story_id = ? AND retracted_at IS NULL",
        (story_id,),
    ):
        rows += _ticker_rows(story_id, t)
    await _insert_sentences(db, rows)
    db.upkeep("search-merge", lambda: merge_search_segments(db))


# FTS5 merges its index segments inside the write that crosses its threshold; at 100,000
# items that made one editor's commit in ten take 30–400 ms. Migration 096 turns that off
# and the segments are merged here instead, after the change, in steps of bounded work.
SEARCH_MERGE_PAGES = 4
SEARCH_MERGE_MAX_STEPS = 10_000


async def merge_search_segments(db: Database) -> int:
    """Merge the search index's segments in small transactions until none is due; steps."""
    if db.dialect is not Dialect.SQLITE:
        return 0  # FTS5's segments are SQLite's own
    for step in range(SEARCH_MERGE_MAX_STEPS):
        async with db.atomic() as conn:
            before = await conn.fetchval("SELECT total_changes()")
            await conn.execute(
                "INSERT INTO search_sentences (search_sentences, rank) VALUES ('merge', ?)",
                (SEARCH_MERGE_PAGES,),
            )
            # FTS5's documented signal: fewer than 2 changes means there was nothing to merge.
            if await conn.fetchval("SELECT total_changes()") - before < 2:
                return step
    return SEARCH_MERGE_MAX_STEPS


def _ticker_rows(story_id: int, item: Row) -> list[tuple[str, int, str, int]]:
    sentences = [item["headline"], *_sentences(item["body"])]
    return [(s, story_id, "ticker", item["id"]) for s in sentences]


async def reindex_entry(db: Database, story_id: int, kind: str, ref: int) -> None:
    """Refresh one ticker item's or quote's sentences in the search index (caller's tx).

    Editors change one entry at a time; rebuilding a story of 10,000 items for each would
    put a full index rewrite on every /post."""
    if kind not in ("ticker", "quote"):
        raise ValueError(f"unknown index entry kind {kind!r}")
    if db.dialect is Dialect.POSTGRES:
        await db.writer.execute(
            "DELETE FROM search_sentences WHERE kind = ? AND ref = ?", (kind, ref)
        )
    else:
        await db.writer.execute(_DELETE_SCOPE, (f'scope : "{kind[0]}{ref}"',))
    rows: list[tuple[str, int, str, int]] = []
    if kind == "ticker":
        item = await db.fetchone(
            "SELECT id, headline, body FROM ticker_items WHERE id = ? AND retracted_at IS NULL",
            (ref,),
        )
        rows = _ticker_rows(story_id, item) if item else []
    elif kind == "quote":
        quote = await db.fetchone(
            "SELECT text FROM quotes WHERE id = ? AND deleted_at IS NULL", (ref,)
        )
        rows = [(quote["text"], story_id, "quote", ref)] if quote else []
    else:
        raise ValueError(f"unknown index entry kind {kind!r}")
    await _insert_sentences(db, rows)
    db.upkeep("search-merge", lambda: merge_search_segments(db))


def chronological(entries: tuple[TickerEntry, ...]) -> list[TickerEntry]:
    """Ticker entries oldest first: live blogs list the newest item at the top."""
    times = [e.time for e in entries if e.time]
    ascending = len(times) >= 2 and times == sorted(times) and times[0] != times[-1]
    return list(entries) if ascending else list(reversed(entries))


async def save_import(
    db: Database,
    parsed: ParsedStory,
    *,
    source_name: str,
    page_hash: str,
    story_id: int | None = None,
) -> ImportOutcome:
    """Create or update the story a page source feeds (or story_id); run inside db.atomic()."""
    now = now_iso()
    conn = db.writer
    previous = await db.fetchone(
        "SELECT p.story_id, p.page_hash, s.archived_at FROM page_imports p"
        " JOIN stories s ON s.id = p.story_id WHERE p.source_name = ?",
        (source_name,),
    )
    if previous is not None:
        same_target = story_id is None or story_id == previous["story_id"]
        if same_target and previous["page_hash"] == page_hash:
            return ImportOutcome(story_id=previous["story_id"], created=False, unchanged=True)
        # A changed page of an archived story is a new development: it starts a new story.
        if story_id is None and previous["archived_at"] is None:
            story_id = previous["story_id"]
    summary_json = json.dumps(list(parsed.summary), ensure_ascii=False)
    if story_id is None:
        slug = await _unique_slug(db, slugify(parsed.title))
        cursor = await conn.execute(
            "INSERT INTO stories (id, slug, title, lead, language, summary_json, created_at,"
            f" updated_at) VALUES ({new_id(db, Numbered.STORIES)}, ?, ?, ?, ?, ?, ?, ?)",
            (slug, parsed.title, parsed.lead, parsed.language, summary_json, now, now),
        )
        story_id = int(cursor.lastrowid or 0)
        created = True
    else:
        created = False
        await conn.execute(
            "UPDATE stories SET title = ?, lead = ?, language = ?, summary_json = ?,"
            " updated_at = ? WHERE id = ?",
            (parsed.title, parsed.lead, parsed.language, summary_json, now, story_id),
        )
    await conn.execute(
        "INSERT INTO page_imports (source_name, story_id, page_hash, imported_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (source_name) DO UPDATE SET"
        " story_id = excluded.story_id, page_hash = excluded.page_hash,"
        " imported_at = excluded.imported_at",
        (source_name, story_id, page_hash, now),
    )
    await conn.execute("DELETE FROM paragraphs WHERE story_id = ?", (story_id,))
    await conn.executemany(
        "INSERT INTO paragraphs (story_id, position, text) VALUES (?, ?, ?)",
        [(story_id, i, text) for i, text in enumerate(parsed.body)],
    )
    await conn.execute("DELETE FROM people WHERE story_id = ?", (story_id,))
    await conn.executemany(
        "INSERT OR IGNORE INTO people (story_id, position, name, role) VALUES (?, ?, ?, ?)",
        [(story_id, i, p.name, p.role) for i, p in enumerate(parsed.people)],
    )
    await _replace_imported_quotes(db, story_id, parsed)
    outcome = ImportOutcome(story_id=story_id, created=created, unchanged=False)
    await _merge_ticker(db, story_id, parsed, now, outcome)
    await _reindex(db, story_id)
    return outcome


def _quote_key(text: str) -> str:
    return " ".join(text.casefold().split())


async def _replace_imported_quotes(db: Database, story_id: int, parsed: ParsedStory) -> None:
    """Bring the page's quotes in, keeping each known quote's number.

    Editors note numbers for /setspeaker and /delquote: a quote still on the page keeps
    its row (and id), an editor's fix of its attribution or deletion survives, a quote
    gone from the page is hidden (its number is never reused), one that returns shows
    again under its old number."""
    conn = db.writer
    known: dict[str, Row | None] = {}
    for stored in await db.fetchall(
        "SELECT id, text, edited_at, deleted_at FROM quotes"
        " WHERE story_id = ? AND origin = 'imported' ORDER BY id",
        (story_id,),
    ):
        known.setdefault(_quote_key(stored["text"]), stored)
    now = now_iso()
    new_rows: list[tuple[int, int, str, str | None, str | None, int]] = []
    for position, quote in enumerate(parsed.quotes):
        row = known.pop(_quote_key(quote.text), None)
        if row is None:
            new_rows.append(
                (story_id, position, quote.text, quote.speaker, quote.role, int(quote.fragment))
            )
        elif row["edited_at"] is not None:
            # The editors' word on who said it (or that it goes) wins over the page. An
            # editor's /delquote stamps deleted_at and edited_at alike; a quote hidden
            # because the page had dropped it shows again.
            deleted_by_editor = (
                row["deleted_at"] is not None and row["deleted_at"] == row["edited_at"]
            )
            await conn.execute(
                "UPDATE quotes SET position = ?, fragment = ?, deleted_at = ? WHERE id = ?",
                (
                    position,
                    int(quote.fragment),
                    row["deleted_at"] if deleted_by_editor else None,
                    row["id"],
                ),
            )
        else:
            await conn.execute(
                "UPDATE quotes SET position = ?, text = ?, speaker = ?, role = ?, fragment = ?,"
                " deleted_at = NULL WHERE id = ?",
                (position, quote.text, quote.speaker, quote.role, int(quote.fragment), row["id"]),
            )
    await conn.executemany(
        "INSERT INTO quotes (id, story_id, position, text, speaker, role, fragment, origin)"
        f" VALUES ({new_id(db, Numbered.QUOTES)}, ?, ?, ?, ?, ?, ?, 'imported')",
        new_rows,
    )
    gone = [row["id"] for row in known.values() if row is not None and row["deleted_at"] is None]
    await conn.executemany(
        "UPDATE quotes SET deleted_at = ? WHERE id = ?", [(now, quote_id) for quote_id in gone]
    )


async def _merge_ticker(
    db: Database, story_id: int, parsed: ParsedStory, now: str, outcome: ImportOutcome
) -> None:
    conn = db.writer
    known = {
        row["import_key"]: row
        for row in await db.fetchall(
            "SELECT id, import_key, body, corrected_at FROM ticker_items"
            " WHERE story_id = ? AND import_key IS NOT NULL",
            (story_id,),
        )
    }
    position = await next_item_position(db, story_id)
    inserted: set[str] = set()
    for entry in chronological(parsed.ticker):
        key = import_key(entry)
        if key in inserted:
            continue  # the page prints the same post twice (time and headline): one item
        body = "\n\n".join(entry.body)
        row = known.get(key)
        if row is None:
            inserted.add(key)
            item_id = await insert_item(
                db,
                story_id,
                origin="imported",
                headline=_display(entry),
                body=body,
                position=position,
                key=key,
                time=entry.time,
                now=now,
                stamp=entry.stamp,
                published_at=entry.published_at,
            )
            position += 1
            outcome.new_item_ids.append(item_id)
        elif row["body"] != body and row["corrected_at"] is None:
            # The page updated an item's text: keep it current, but an editor's
            # correction made in the chat wins over the page.
            await conn.execute(
                "UPDATE ticker_items SET body = ?, updated_at = ? WHERE id = ?",
                (body, now, row["id"]),
            )
            outcome.updated_item_ids.append(row["id"])


async def create_story(db: Database, title: str, language: str) -> int:
    """A new empty story made by an editor; returns its id."""
    now = now_iso()
    slug = await _unique_slug(db, slugify(title))
    return await db.execute(
        "INSERT INTO stories (id, slug, title, language, created_at, updated_at)"
        f" VALUES ({new_id(db, Numbered.STORIES)}, ?, ?, ?, ?, ?)",
        (slug, title, language, now, now),
    )


async def story_for_file(db: Database, file_name: str) -> int | None:
    """The live story last fed by a page of this file name, from any source."""
    value = await db.fetchval(
        "SELECT p.story_id FROM page_imports p JOIN stories s ON s.id = p.story_id"
        " WHERE s.archived_at IS NULL AND (p.source_name = 'seeds/' || ?"
        " OR p.source_name = 'upload/' || ?) ORDER BY p.imported_at DESC LIMIT 1",
        (file_name, file_name),
    )
    return int(value) if value is not None else None


async def get_story(db: Database, story_id: int) -> StoryRecord | None:
    """One story by id, archived or not."""
    row = await db.fetchone("SELECT * FROM stories WHERE id = ?", (story_id,))
    return StoryRecord.from_row(row) if row else None


async def list_stories(db: Database, *, include_archived: bool = False) -> list[StoryRecord]:
    """Stories in order of creation."""
    where = "" if include_archived else "WHERE archived_at IS NULL"
    rows = await db.fetchall(f"SELECT * FROM stories {where} ORDER BY id")
    return [StoryRecord.from_row(r) for r in rows]


async def paragraphs(db: Database, story_id: int) -> list[str]:
    """Body paragraphs in reading order."""
    rows = await db.fetchall(
        "SELECT text FROM paragraphs WHERE story_id = ? ORDER BY position", (story_id,)
    )
    return [r["text"] for r in rows]


async def people(db: Database, story_id: int) -> list[PersonRecord]:
    """People of a story in order of appearance."""
    rows = await db.fetchall(
        "SELECT name, role FROM people WHERE story_id = ? ORDER BY position", (story_id,)
    )
    return [PersonRecord(name=r["name"], role=r["role"]) for r in rows]


async def quotes(db: Database, story_id: int) -> list[QuoteRecord]:
    """Live quotes: full statements first, then fragments, each in reading order."""
    rows = await db.fetchall(
        "SELECT * FROM quotes WHERE story_id = ? AND deleted_at IS NULL"
        " ORDER BY fragment, position, id",
        (story_id,),
    )
    return [QuoteRecord.from_row(r) for r in rows]


async def quote_speakers(db: Database, story_id: int) -> list[str]:
    """Every speaker with a live quote in the story."""
    rows = await db.fetchall(
        "SELECT DISTINCT speaker FROM quotes"
        " WHERE story_id = ? AND deleted_at IS NULL AND speaker IS NOT NULL",
        (story_id,),
    )
    return [r["speaker"] for r in rows]


async def quotes_for_reading(
    db: Database,
    story_id: int,
    *,
    speakers: list[str] | None,
    statements: int,
    fragments: int,
) -> tuple[list[QuoteRecord], int]:
    """The first statements and fragments (of some speakers), and how many more there are."""
    where = "story_id = ? AND deleted_at IS NULL"
    params: list[object] = [story_id]
    if speakers is not None:
        where += f" AND speaker IN ({','.join('?' * len(speakers))})"
        params += speakers
    shown: list[QuoteRecord] = []
    more = 0
    for fragment, limit in ((0, statements), (1, fragments)):
        rows = await db.fetchall(
            f"SELECT * FROM quotes WHERE {where} AND fragment = ? ORDER BY position, id LIMIT ?",
            (*params, fragment, limit),
        )
        shown += [QuoteRecord.from_row(r) for r in rows]
        if len(rows) == limit:
            total = await db.fetchval(
                f"SELECT COUNT(*) FROM quotes WHERE {where} AND fragment = ?",
                (*params, fragment),
                0,
            )
            more += int(total) - limit
    return shown, more


async def get_quote(db: Database, quote_id: int) -> QuoteRecord | None:
    """One live quote by id."""
    row = await db.fetchone("SELECT * FROM quotes WHERE id = ? AND deleted_at IS NULL", (quote_id,))
    return QuoteRecord.from_row(row) if row else None


async def get_item(db: Database, item_id: int) -> TickerItemRecord | None:
    """One ticker item by id, retracted or not."""
    row = await db.fetchone("SELECT * FROM ticker_items WHERE id = ?", (item_id,))
    return (await with_media(db, [TickerItemRecord.from_row(row)]))[0] if row else None


async def items_by_ids(db: Database, item_ids: list[int]) -> list[TickerItemRecord]:
    """Ticker items by id, oldest first."""
    if not item_ids:
        return []
    marks = ",".join("?" * len(item_ids))
    rows = await db.fetchall(
        f"SELECT * FROM ticker_items WHERE id IN ({marks}) ORDER BY position, id", item_ids
    )
    return await with_media(db, [TickerItemRecord.from_row(r) for r in rows])


async def count_items(db: Database, story_id: int) -> int:
    """Live (not retracted) ticker items of a story."""
    # Kept by triggers as items are added and retracted (migration 050), not recounted.
    return int(
        await db.fetchval("SELECT live FROM story_item_counts WHERE story_id = ?", (story_id,), 0)
    )


async def ticker_page(
    db: Database, story_id: int, *, offset: int, limit: int
) -> list[TickerItemRecord]:
    """Live ticker items, pinned first, then newest first."""
    rows = await db.fetchall(
        "SELECT * FROM ticker_items WHERE story_id = ? AND retracted_at IS NULL"
        " ORDER BY pinned DESC, position DESC LIMIT ? OFFSET ?",
        (story_id, limit, offset),
    )
    return await with_media(db, [TickerItemRecord.from_row(r) for r in rows])


async def latest_item(db: Database, story_id: int) -> TickerItemRecord | None:
    """The newest live ticker item."""
    rows = await db.fetchall(
        "SELECT * FROM ticker_items WHERE story_id = ? AND retracted_at IS NULL"
        " ORDER BY position DESC LIMIT 1",
        (story_id,),
    )
    return (await with_media(db, [TickerItemRecord.from_row(rows[0])]))[0] if rows else None


async def pinned_items(db: Database, story_id: int) -> list[TickerItemRecord]:
    """Pinned live items, newest first."""
    rows = await db.fetchall(
        "SELECT * FROM ticker_items WHERE story_id = ? AND pinned = 1 AND retracted_at IS NULL"
        " ORDER BY position DESC",
        (story_id,),
    )
    return await with_media(db, [TickerItemRecord.from_row(r) for r in rows])


async def last_update(db: Database, story_id: int) -> str | None:
    """When editors last changed what readers see (posts, corrections, retractions, the
    summary or title); None for a story that only holds what pages brought.

    The moment a page was imported is not the time of its news, so it never counts."""
    value = await db.fetchval(
        "SELECT MAX(t) FROM (SELECT edited_at AS t FROM stories WHERE id = ?"
        " UNION ALL SELECT MAX(updated_at) FROM ticker_items"
        " WHERE story_id = ? AND origin = 'posted'"
        " UNION ALL SELECT MAX(corrected_at) FROM ticker_items WHERE story_id = ?"
        " UNION ALL SELECT MAX(retracted_at) FROM ticker_items WHERE story_id = ?) AS changes",
        (story_id, story_id, story_id, story_id),
    )
    return str(value) if value else None


async def set_short_title(db: Database, story_id: int, short_title: str | None) -> None:
    """Set the title that heads a story's pushes and confirmations (caller's transaction)."""
    now = now_iso()
    await db.execute(
        "UPDATE stories SET short_title = ?, edited_at = ?, updated_at = ? WHERE id = ?",
        (short_title, now, now, story_id),
    )


async def next_item_position(db: Database, story_id: int) -> int:
    """The position a new ticker item of this story takes."""
    return int(
        await db.fetchval(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM ticker_items WHERE story_id = ?",
            (story_id,),
            1,
        )
    )


async def insert_item(
    db: Database,
    story_id: int,
    *,
    origin: str,
    headline: str,
    body: str,
    position: int | None = None,
    key: str | None = None,
    time: str | None = None,
    created_by: int | None = None,
    now: str | None = None,
    stamp: str | None = None,
    published_at: str | None = None,
) -> int:
    """Add a ticker item (caller's transaction); the story's next position unless given.

    `stamp` is the page's stamp as printed, `published_at` the moment it resolves to
    (None where the page gives none).
    """
    now = now or now_iso()
    if position is None:
        position = await next_item_position(db, story_id)
    cursor = await db.writer.execute(
        "INSERT INTO ticker_items (id, story_id, origin, import_key, position, time,"
        " headline, body, created_by, created_at, updated_at, stamp, published_at)"
        f" VALUES ({new_id(db, Numbered.ITEMS)}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            story_id, origin, key, position, time, headline, body, created_by, now, now,
            stamp, published_at,
        ),
    )  # fmt: skip
    return int(cursor.lastrowid or 0)


async def with_media(db: Database, items: list[TickerItemRecord]) -> list[TickerItemRecord]:
    """The items with their attachments read in (one query, none when no item has any)."""
    ids = [item.id for item in items if item.media_count]
    if not ids:
        return items
    found: dict[int, list[Attachment]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        for r in await db.fetchall(
            f"SELECT item_id, kind, file_id, file_unique_id FROM item_media"
            f" WHERE item_id IN ({marks}) ORDER BY item_id, position",
            part,
        ):
            found.setdefault(r["item_id"], []).append(
                Attachment(MediaKind(r["kind"]), r["file_id"], r["file_unique_id"])
            )
    return [
        replace(item, media=tuple(found.get(item.id, ()))) if item.media_count else item
        for item in items
    ]


async def set_media(db: Database, item_id: int, media: Sequence[Attachment]) -> None:
    """Give an item these attachments, replacing any it had (caller's transaction)."""
    if len(media) > MAX_ATTACHMENTS:
        raise ValueError(f"at most {MAX_ATTACHMENTS} attachments per item")
    conn = db.writer
    await conn.execute("DELETE FROM item_media WHERE item_id = ?", (item_id,))
    await conn.executemany(
        "INSERT INTO item_media (item_id, position, kind, file_id, file_unique_id)"
        " VALUES (?, ?, ?, ?, ?)",
        [(item_id, n, a.kind.value, a.file_id, a.file_unique_id) for n, a in enumerate(media)],
    )
    await conn.execute(
        "UPDATE ticker_items SET media_count = ? WHERE id = ?", (len(media), item_id)
    )


async def remember_sources(
    db: Database, item_id: int, chat_id: int, message_ids: Sequence[int]
) -> None:
    """Note the editor's messages the item's attachments came from, in order (caller's tx)."""
    await db.writer.executemany(
        "INSERT INTO media_sources (chat_id, message_id, item_id, position) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id, message_id) DO UPDATE SET item_id = excluded.item_id,"
        " position = excluded.position",
        [(chat_id, m, item_id, n) for n, m in enumerate(message_ids)],
    )


async def item_for_source(db: Database, chat_id: int, message_id: int) -> tuple[int, int] | None:
    """(item id, attachment position) an editor's message brought, or None."""
    row = await db.fetchone(
        "SELECT item_id, position FROM media_sources WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return None if row is None else (int(row["item_id"]), int(row["position"]))


async def correct_item(db: Database, item_id: int, headline: str, body: str) -> None:
    """Replace an item's text as an editor's correction (caller's transaction)."""
    now = now_iso()
    await db.execute(
        "UPDATE ticker_items SET headline = ?, body = ?, corrected_at = ?, updated_at = ?"
        " WHERE id = ?",
        (headline, body, now, now, item_id),
    )


async def retract_item(db: Database, item_id: int) -> None:
    """Mark an item retracted and unpinned (caller's transaction)."""
    now = now_iso()
    await db.execute(
        "UPDATE ticker_items SET retracted_at = ?, pinned = 0, updated_at = ? WHERE id = ?",
        (now, now, item_id),
    )


async def set_item_pinned(db: Database, item_id: int, pinned: bool) -> None:
    """Pin or unpin an item (caller's transaction)."""
    await db.execute("UPDATE ticker_items SET pinned = ? WHERE id = ?", (int(pinned), item_id))


async def touch_story(db: Database, story_id: int, now: str | None = None) -> None:
    """Record that a story changed now (caller's transaction)."""
    await db.execute("UPDATE stories SET updated_at = ? WHERE id = ?", (now or now_iso(), story_id))


async def set_editor_summary(db: Database, story_id: int, text: str | None) -> None:
    """Set the editor's summary, or clear it with None (caller's transaction)."""
    now = now_iso()
    await db.execute(
        "UPDATE stories SET editor_summary = ?, edited_at = ?, updated_at = ? WHERE id = ?",
        (text, now, now, story_id),
    )


async def archive_story(db: Database, story_id: int) -> None:
    """Mark a story archived (caller's transaction)."""
    now = now_iso()
    await db.execute(
        "UPDATE stories SET archived_at = ?, updated_at = ? WHERE id = ?", (now, now, story_id)
    )


async def insert_editor_quote(
    db: Database, story_id: int, text: str, speaker: str, role: str | None, *, fragment: bool
) -> int:
    """Add an editor's quote after the story's last one (caller's transaction); its id."""
    position = int(
        await db.fetchval(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM quotes WHERE story_id = ?",
            (story_id,),
            1,
        )
    )
    cursor = await db.writer.execute(
        "INSERT INTO quotes (id, story_id, position, text, speaker, role, fragment, origin)"
        f" VALUES ({new_id(db, Numbered.QUOTES)}, ?, ?, ?, ?, ?, ?, 'editor')",
        (story_id, position, text, speaker, role, int(fragment)),
    )
    return int(cursor.lastrowid or 0)


async def delete_quote(db: Database, quote_id: int) -> None:
    """Hide a quote from readers, kept for the audit trail (caller's transaction)."""
    now = now_iso()
    await db.execute(
        "UPDATE quotes SET deleted_at = ?, edited_at = ? WHERE id = ?", (now, now, quote_id)
    )


async def set_quote_speaker(db: Database, quote_id: int, speaker: str, role: str | None) -> None:
    """Fix who said a quote (caller's transaction)."""
    await db.execute(
        "UPDATE quotes SET speaker = ?, role = ?, edited_at = ? WHERE id = ?",
        (speaker, role, now_iso(), quote_id),
    )


@dataclass(frozen=True)
class SearchHit:
    kind: str
    ref: int
    text: str


# A search ranks at most this many of the story's newest matching sentences, plus as many
# of its page and quotes in reading order: their cost is set by this, not by the matches.
SEARCH_WINDOW = 200
# The longest prefix the index keeps (migration 051): a longer word is looked up by its
# first PREFIX_MAX characters and checked in full on the few candidates.
PREFIX_MAX = 8
_TOKEN = re.compile(r"[^\W_]+")
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    """Lowercase without diacritics, as the index's tokenizer (remove_diacritics 2) sees it."""
    lowered = text.lower()
    return lowered if lowered.isascii() else _MARKS.sub("", unicodedata.normalize("NFD", lowered))


def _query_words(words: str) -> list[str]:
    return list(dict.fromkeys(_TOKEN.findall(_fold(words))))[:12]


def _prefixes(word: str) -> list[str]:
    return list(dict.fromkeys(spelling[:PREFIX_MAX] for spelling in spellings(word)))


async def _search_sqlite(db: Database, story_id: int, wanted: list[str]) -> list[Row]:
    # Quoted prefix terms: user text can never inject FTS syntax.
    terms = " AND ".join("(" + " OR ".join(f'"{p}"*' for p in _prefixes(w)) + ")" for w in wanted)
    story = f'text : ({terms}) AND scope : "s{story_id}"'
    # Newest first and a LIMIT inside FTS5: it stops after SEARCH_WINDOW matches instead of
    # ranking them all (bm25 would read every match of every term to weigh one).
    return await db.fetchall(
        "SELECT rowid, kind, ref, text FROM (SELECT rowid, kind, ref, text"
        " FROM search_sentences WHERE search_sentences MATCH ?1 ORDER BY rowid DESC LIMIT ?2)"
        " UNION SELECT rowid, kind, ref, text FROM (SELECT rowid, kind, ref, text"
        " FROM search_sentences WHERE search_sentences MATCH ?3 ORDER BY rowid LIMIT ?2)",
        (story, SEARCH_WINDOW, f'{story} AND scope : ("b" OR "q")'),
    )


async def _search_postgres(db: Database, story_id: int, wanted: list[str]) -> list[Row]:
    # Quoted prefix lexemes cast straight to tsquery: the words are letters and digits
    # only (_TOKEN), so user text can never inject tsquery syntax.
    terms = " & ".join("(" + " | ".join(f"'{p}':*" for p in _prefixes(w)) + ")" for w in wanted)
    # The story's newest matches, and its page and quotes in reading order, each bounded.
    return await db.fetchall(
        "SELECT rowid, kind, ref, text FROM (SELECT rowid, kind, ref, text"
        " FROM search_sentences WHERE story_id = ?1 AND words @@ CAST(?2 AS tsquery)"
        " ORDER BY rowid DESC LIMIT ?3) AS newest"
        " UNION SELECT rowid, kind, ref, text FROM (SELECT rowid, kind, ref, text"
        " FROM search_sentences WHERE story_id = ?1 AND words @@ CAST(?2 AS tsquery)"
        " AND kind IN ('body', 'quote') ORDER BY rowid LIMIT ?3) AS reading",
        (story_id, terms, SEARCH_WINDOW),
    )


async def search(db: Database, story_id: int, words: str, limit: int = 8) -> list[SearchHit]:
    """Sentences matching every word (prefix, accent-insensitive), best first."""
    wanted = _query_words(words)
    if not wanted:
        return []
    if db.dialect is Dialect.POSTGRES:
        rows = await _search_postgres(db, story_id, wanted)
    else:
        rows = await _search_sqlite(db, story_id, wanted)
    long_words = [w for w in wanted if len(w) > PREFIX_MAX]
    ranked: list[tuple[int, int, SearchHit]] = []
    for r in rows:
        if long_words:
            tokens = _TOKEN.findall(_fold(r["text"]))
            if not all(any(t.startswith(spellings(w)) for t in tokens) for w in long_words):
                continue  # only the first PREFIX_MAX characters of a long word matched
        # Every candidate has every word: bm25 would rank it by how short it is; the
        # newest wins a tie.
        hit = SearchHit(kind=r["kind"], ref=int(r["ref"]), text=r["text"])
        ranked.append((len(r["text"]), -int(r["rowid"]), hit))
    ranked.sort(key=lambda entry: entry[:2])
    return [entry[2] for entry in ranked[:limit]]


async def reindex(db: Database, story_id: int) -> None:
    """Rebuild one story's search index in its own transaction (or the caller's)."""
    async with db.atomic():
        await _reindex(db, story_id)
