"""Every time a reader or editor sees names its zone or is on the chat's clock (issue 13)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.fakeapi.botapi import StoredMessage
from bot.db import stories
from bot.db.models import TickerItemRecord, parse_iso
from bot.texts import Formatter, Texts
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, InProcessBot, eventually, inproc_bot
from tests.seed_page import SEED, changed_seed

pytestmark = pytest.mark.timeout(90)
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
GERMAN_ZONE = {"CET": "MEZ", "CEST": "MESZ"}


def _push(bot: InProcessBot, chat: int, words: str) -> StoredMessage | None:
    return next((m for m in bot.sent(chat) if words in (m.text or "")), None)


async def _posted_item(bot: InProcessBot, headline: str) -> TickerItemRecord:
    item = await stories.latest_item(bot.app.bot_data.db, 1)
    assert item is not None and item.headline == headline
    return item


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts(strict=True)


def _clock(iso: str, tz: ZoneInfo) -> tuple[str, str]:
    """(HH:MM, zone abbreviation) of a stored moment on a zone's clock."""
    moment = parse_iso(iso).astimezone(tz)
    return f"{moment.hour:02d}:{moment.minute:02d}", moment.tzname() or ""


def test_short_times_name_the_zone_in_both_languages(texts: Texts) -> None:
    winter, summer = "2026-01-10T13:05:00+00:00", "2026-07-10T13:05:00+00:00"
    german = Formatter(texts, "de", tz=BERLIN)
    english = Formatter(texts, "en", tz=BERLIN)
    assert german.datetime_short(winter) == "14:05 MEZ, 10.01."
    assert german.datetime_short(summer) == "15:05 MESZ, 10.07."
    assert english.datetime_short(winter) == "14:05 CET, 10 Jan"
    assert german.datetime_long(summer) == "10.07.2026, 15:05 MESZ"
    assert Formatter(texts, "en", tz=NEW_YORK).datetime_short(winter) == "08:05 EST, 10 Jan"


def test_a_page_clock_says_it_is_the_sources_and_a_resolved_stamp_is_on_the_readers(
    texts: Texts,
) -> None:
    item = TickerItemRecord(
        id=1,
        story_id=1,
        origin="imported",
        position=0,
        time="18:45",
        headline="Rutte trifft Sybiga",
        body="",
        pinned=False,
        created_by=None,
        created_at="2026-01-10T20:00:00+00:00",
        updated_at="2026-01-10T20:00:00+00:00",
        corrected_at=None,
        retracted_at=None,
    )
    assert Formatter(texts, "de", tz=BERLIN).item_time(item) == "18:45 Uhr laut Quelle"
    assert Formatter(texts, "en", tz=BERLIN).item_time(item) == "18:45 source time"
    # Where the store knows the moment the stamp stands for, the reader's clock shows it.
    placed = replace(item, published_at="2026-01-10T18:45:00+01:00")
    assert Formatter(texts, "en", tz=NEW_YORK).item_time(placed) == "12:45 EST, 10 Jan"
    assert Formatter(texts, "de", tz=BERLIN).item_time(placed) == "18:45 MEZ, 10.01."


async def test_pushes_ticker_summary_and_missed_show_times_on_each_readers_clock(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path, timezone="Europe/Berlin") as bot:
        await bot.ask(READER_DE, "/subscribe")
        await bot.ask(READER_EN, "/subscribe")
        await bot.ask(READER_EN, "/timezone America/New_York")
        await bot.ask(EDITOR_ID, "/post Gipfel beginnt\nDie Delegationen sind da.")
        de_push = await eventually(lambda: _push(bot, READER_DE, "Gipfel beginnt"), "DE push")
        en_push = await eventually(lambda: _push(bot, READER_EN, "Gipfel beginnt"), "EN push")
        item = await _posted_item(bot, "Gipfel beginnt")
        de_clock, de_zone = _clock(item.created_at, BERLIN)
        en_clock, en_zone = _clock(item.created_at, NEW_YORK)
        german = f"{de_clock} {GERMAN_ZONE.get(de_zone, de_zone)}"
        english = f"{en_clock} {en_zone}"
        assert german in (de_push.text or ""), de_push.text
        assert english in (en_push.text or ""), en_push.text

        ticker_de = await bot.ask_text(READER_DE, "/ticker")
        ticker_en = await bot.ask_text(READER_EN, "/ticker")
        assert re.search(rf"{german}, [^·]+ · Gipfel beginnt", ticker_de), ticker_de
        assert re.search(rf"{english}, [^·]+ · Gipfel beginnt", ticker_en), ticker_en

        summary = await bot.ask_text(READER_EN, "/summary")
        assert english in summary and re.search(r"As of .* E[SD]T", summary)

        await bot.ask(READER_EN, "/unsubscribe")
        await bot.ask(EDITOR_ID, "/post Gipfel vertagt\nMorgen weiter.")
        later = await _posted_item(bot, "Gipfel vertagt")
        clock, abbr = _clock(later.created_at, NEW_YORK)
        missed = await bot.ask_text(READER_EN, "/subscribe")
        assert "Missed" in missed and re.search(rf"{clock} {abbr}, [^·]+ · Gipfel vertagt", missed)


async def test_an_imported_items_printed_clock_says_it_is_the_sources(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, seeds_poll_seconds=0.2) as bot:
        await bot.ask(READER_DE, "/subscribe")
        await bot.ask(READER_EN, "/subscribe")
        (tmp_path / "seeds" / SEED.name).write_text(changed_seed(), encoding="utf-8")
        de_push = await eventually(lambda: _push(bot, READER_DE, "Rutte trifft"), "DE push")
        en_push = await eventually(lambda: _push(bot, READER_EN, "Rutte trifft"), "EN push")
        assert "18:45 Uhr laut Quelle · Rutte trifft" in (de_push.text or "")
        assert "18:45 source time · Rutte trifft" in (en_push.text or "")
        ticker = await bot.ask_text(READER_EN, "/ticker")
        assert "18:45 source time · Rutte trifft" in ticker
        assert not re.search(r"(^|\n)\d\d:\d\d · ", ticker)  # no bare clock anywhere


async def test_editors_and_muted_readers_see_their_zone(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, timezone="Europe/Berlin") as bot:
        await bot.ask(READER_EN, "/subscribe")
        await bot.ask(READER_EN, "/timezone Asia/Tokyo")
        await bot.ask(EDITOR_ID, "/post Abstimmung läuft\nErgebnis am Abend.")
        push = await eventually(lambda: _push(bot, READER_EN, "Abstimmung läuft"), "the push")
        answer = await bot.press(READER_EN, push, "pu:h:1")
        tokyo = ZoneInfo("Asia/Tokyo")
        in_an_hour = datetime.now(UTC) + timedelta(hours=1)
        until = in_an_hour.astimezone(tokyo)
        assert "JST" in answer["text"] and f"{until.hour:02d}:" in answer["text"]
        view = (await bot.ask_messages(READER_EN, "/settings"))[-1]
        assert "Muted until" in (view.text or "") and "JST" in (view.text or "")
        # The way back is in /settings too, not only under the push that muted.
        answer = await bot.press(READER_EN, view, "pu:um:1")
        assert "Unmuted" in answer["text"]
        assert "Muted until" not in (bot.current(view).text or "")
        assert "pu:um:1" not in bot.current(view).callback_data
        assert "st:1:instant" in bot.current(view).callback_data  # still the settings view

        audit = await bot.ask_text(EDITOR_ID, "/audit")
        item = await _posted_item(bot, "Abstimmung läuft")
        clock, abbr = _clock(item.created_at, BERLIN)
        assert f"{clock} {GERMAN_ZONE.get(abbr, abbr)}" in audit  # the editor's German clock
        await bot.ask(EDITOR_ID, "/language en")
        await bot.ask(EDITOR_ID, "/timezone Europe/London")
        audit = await bot.ask_text(EDITOR_ID, "/audit")
        clock, abbr = _clock(item.created_at, ZoneInfo("Europe/London"))
        assert f"{clock} {abbr}" in audit


def test_an_outage_line_in_stats_names_the_editors_zone(texts: Texts) -> None:
    since = "2026-01-10T13:05:00+00:00"
    german = Formatter(texts, "de", tz=BERLIN).stats(
        active=1, blocked=0, items=[], paused_since=since
    )
    english = Formatter(texts, "en", tz=NEW_YORK).stats(
        active=1, blocked=0, items=[], paused_since=since
    )
    assert "14:05 MEZ, 10.01." in german
    assert "08:05 EST, 10 Jan" in english
