"""/search: every word, prefix and accent-insensitive, within the story, best first."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import migrations, stories
from bot.db.connection import Database
from bot.db.models import now_iso
from tests.conftest_delivery import add_item, add_item_as_first_shipped, add_story

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True


async def _paragraph(db: Database, story: int, position: int, text: str) -> None:
    await db.execute(
        "INSERT INTO paragraphs (story_id, position, text) VALUES (?, ?, ?)",
        (story, position, text),
    )


async def _quote(db: Database, story: int, text: str, speaker: str) -> None:
    await db.execute(
        "INSERT INTO quotes (story_id, position, text, speaker) VALUES (?, 0, ?, ?)",
        (story, text, speaker),
    )


async def _items(db: Database, story: int, headlines: list[str]) -> None:
    """Many ticker items at once: one statement, where an item at a time took ~10 s of
    round trips on PostgreSQL; the index is rebuilt by the caller."""
    now = now_iso()
    await db.executemany(
        "INSERT INTO ticker_items (story_id, origin, position, headline, body, created_at,"
        " updated_at) VALUES (?, 'posted', ?, ?, '', ?, ?)",
        [(story, n + 1, headline, now, now) for n, headline in enumerate(headlines)],
    )


async def _found(db: Database, story: int, words: str, limit: int = 8) -> list[str]:
    return [hit.text for hit in await stories.search(db, story, words, limit)]


async def test_a_search_stays_in_its_story_however_busy_another_is(db: Database) -> None:
    quiet, busy = await add_story(db, "Quiet"), await add_story(db, "Busy")
    await add_item(db, quiet, "Gipfel in Genf vertagt", enqueue=False)
    await _items(db, busy, [f"Gipfel Nummer {n}" for n in range(3 * stories.SEARCH_WINDOW)])
    await stories.reindex(db, quiet)
    await stories.reindex(db, busy)
    assert await _found(db, quiet, "gipfel") == ["Gipfel in Genf vertagt"]
    assert len(await _found(db, busy, "gipfel")) == 8


async def test_page_and_quotes_are_found_behind_many_newer_items(db: Database) -> None:
    story = await add_story(db)
    await _paragraph(db, story, 0, "Die Waffenruhe hält seit Montag. Niemand rechnete damit.")
    await _quote(db, story, "Die Waffenruhe ist brüchig", "Mark Rutte")
    # Indexed after the page and the quote, as if posted one by one later.
    await _items(db, story, [f"Waffenruhe, Tag {n}" for n in range(3 * stories.SEARCH_WINDOW)])
    await stories.reindex(db, story)
    hits = await stories.search(db, story, "Waffenruhe", limit=1000)
    kinds = {hit.kind for hit in hits}
    assert kinds == {"body", "quote", "ticker"}
    assert "Die Waffenruhe hält seit Montag." in [hit.text for hit in hits]
    # What a search weighs is bounded: the newest items and the page, not every match.
    assert len(hits) <= 2 * stories.SEARCH_WINDOW
    assert "Waffenruhe, Tag 599" in [hit.text for hit in hits]


async def test_every_word_prefix_and_accents(db: Database) -> None:
    story = await add_story(db)
    for headline in (
        "Verteidigungsminister tagen in Brüssel",
        "Verteidigungsausgaben steigen",
        "Brüssel bleibt ruhig",
    ):
        await add_item(db, story, headline, enqueue=False)
    await stories.reindex(db, story)
    # Words longer than the index's prefixes are still matched in full.
    assert await _found(db, story, "Verteidigungsminister") == [
        "Verteidigungsminister tagen in Brüssel"
    ]
    assert len(await _found(db, story, "Verteidigungs")) == 2
    assert len(await _found(db, story, "verteid")) == 2
    assert await _found(db, story, "brussel verteidigungsmin") == [
        "Verteidigungsminister tagen in Brüssel"
    ]
    assert len(await _found(db, story, "BRÜSSEL")) == 2
    assert await _found(db, story, "Brüssel Paris") == []
    assert await _found(db, story, '"*) OR (x') == []  # no FTS syntax gets through
    assert await _found(db, story, "   ") == []


async def test_sharp_s_and_spelt_out_umlauts_find_what_filter_and_quotes_find(
    db: Database,
) -> None:
    story = await add_story(db)
    # A German page writes ß and ü, a Swiss one ss; readers type either, or ue for ü.
    await add_item(db, story, "Außenminister reisen nach Brüssel", enqueue=False)
    await add_item(db, story, "Grenzübergänge schliessen um Mitternacht", enqueue=False)
    await add_item(db, story, "Müller: Bündnis hält", enqueue=False)
    await stories.reindex(db, story)
    minister = ["Außenminister reisen nach Brüssel"]
    assert await _found(db, story, "aussenminister") == minister
    assert await _found(db, story, "AUSSENMINISTER") == minister  # upper case of ß
    assert await _found(db, story, "Aussenminister Bruessel") == minister
    assert await _found(db, story, "schließen") == ["Grenzübergänge schliessen um Mitternacht"]
    assert await _found(db, story, "Mueller Buendnis") == ["Müller: Bündnis hält"]
    assert await _found(db, story, "Aussenpolitik") == []


async def test_shorter_sentences_first_then_the_newest(db: Database) -> None:
    story = await add_story(db)
    await add_item(db, story, "Kiew meldet Angriffe in der Nacht auf Montag", enqueue=False)
    await add_item(db, story, "Kiew: Strom fällt aus", enqueue=False)
    await add_item(db, story, "Kiew: Lage ist ruhig", enqueue=False)
    await stories.reindex(db, story)
    assert await _found(db, story, "kiew") == [
        "Kiew: Lage ist ruhig",
        "Kiew: Strom fällt aus",
        "Kiew meldet Angriffe in der Nacht auf Montag",
    ]


async def test_upgrade_keeps_what_was_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = migrations.migration_files()
    monkeypatch.setattr(migrations, "migration_files", lambda: [m for m in shipped if m[0] < "051"])
    db = await Database.open(tmp_path / "old.sqlite3")
    try:
        story = await add_story(db)
        await _paragraph(db, story, 0, "Gespräche in Genf beginnen.")
        item = await add_item_as_first_shipped(db, story, "Genf: erste Runde vorbei")
        await db.execute(
            "INSERT INTO search_sentences (text, story_id, kind, ref) VALUES (?, ?, ?, ?)",
            ("Gespräche in Genf beginnen.", story, "body", 0),
        )
        await db.execute(
            "INSERT INTO search_sentences (text, story_id, kind, ref) VALUES (?, ?, ?, ?)",
            ("Genf: erste Runde vorbei", story, "ticker", item),
        )
    finally:
        await db.close()
    monkeypatch.setattr(migrations, "migration_files", lambda: shipped)
    db = await Database.open(tmp_path / "old.sqlite3")
    try:
        assert sorted(await _found(db, story, "genf")) == [
            "Genf: erste Runde vorbei",
            "Gespräche in Genf beginnen.",
        ]
        # The entry's sentences are found again by an editor's change.
        async with db.atomic():
            await db.execute("UPDATE ticker_items SET retracted_at = 'now' WHERE id = ?", (item,))
            await stories.reindex_entry(db, story, "ticker", item)
        assert await _found(db, story, "genf") == ["Gespräche in Genf beginnen."]
    finally:
        await db.close()
