"""An imported item keeps its printed stamp and the moment it stands for, and readers see it.

The moment is stored only where the page allows one (a relative stamp, a clock with its
zone); a clock without a zone stays the source's clock, and the import time is never
shown as the time of the news.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.db import stories
from bot.db.connection import Database
from bot.db.models import TickerItemRecord, parse_iso
from bot.services.stories import StoryService
from bot.texts import Formatter, Texts

GERMAN_PAGE = """Sturmflut an der Nordsee: Deiche halten

Die Küste bereitet sich auf eine zweite Flut vor. Mehrere Inseln sind abgeschnitten.

vor 12 Minuten
Fähren nach Amrum fallen aus

Die Reederei stellt den Verkehr bis zum Abend ein, teilte ein Sprecher mit.

21:40 Uhr | Pegel in Husum steigt

Der Pegel stieg am Abend auf 3,10 Meter über dem mittleren Hochwasser.
"""
ENGLISH_PAGE = """Live updates: Storm surge closes the coast road

Officials closed the coast road overnight as the storm surge rose above the sea wall.

Dec 2, 7:10 p.m. ET
Coast road closed in both directions

State police closed the coast road between the two bridges, the governor said.

Dec 2, 6:45 p.m. ET
Ferries halted at the harbor

The ferry operator stopped all crossings until further notice, a spokesperson said.

15 minutes ago
Shelters open in three towns

Volunteers opened shelters in three towns along the coast for families who left.
"""


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[StoryService]:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        yield StoryService(db)
    finally:
        await db.close()


async def _imported(service: StoryService, page: str, name: str) -> dict[str, TickerItemRecord]:
    outcome = await service.import_page(page.encode(), source_name=f"upload/{name}")
    items = await stories.ticker_page(service.db, outcome.story_id, offset=0, limit=10)
    return {item.headline: item for item in items}


async def test_stamps_and_resolved_moments_are_stored_as_the_page_allows(
    service: StoryService,
) -> None:
    before = datetime.now(UTC)
    german = await _imported(service, GERMAN_PAGE, "sturmflut.txt")
    english = await _imported(service, ENGLISH_PAGE, "surge.txt")
    after = datetime.now(UTC)

    ferries = german["Fähren nach Amrum fallen aus"]
    assert ferries.stamp == "vor 12 Minuten" and ferries.published_at is not None
    moment = parse_iso(ferries.published_at)
    # Resolved against the import time, to the minute the page allows.
    assert before - timedelta(minutes=13) <= moment <= after - timedelta(minutes=11)

    husum = german["Pegel in Husum steigt"]
    assert (husum.stamp, husum.time) == ("21:40 Uhr", "21:40")
    assert husum.published_at is None  # no zone printed: no moment, and not the import's

    harbor = english["Ferries halted at the harbor"]
    assert harbor.stamp == "Dec 2, 6:45 p.m. ET"
    assert harbor.published_at is not None
    placed = parse_iso(harbor.published_at)
    assert (placed.utcoffset(), placed.month, placed.day, placed.hour, placed.minute) == (
        timedelta(hours=-5),
        12,
        2,
        18,
        45,
    )
    shelters = english["Shelters open in three towns"]
    assert shelters.stamp == "15 minutes ago" and shelters.published_at is not None


async def test_readers_see_the_page_time_on_their_clock_or_marked_as_the_sources(
    service: StoryService,
) -> None:
    texts = Texts(strict=True)
    german = await _imported(service, GERMAN_PAGE, "sturmflut.txt")
    english = await _imported(service, ENGLISH_PAGE, "surge.txt")
    berlin = Formatter(texts, "de", tz=ZoneInfo("Europe/Berlin"))
    new_york = Formatter(texts, "en", tz=ZoneInfo("America/New_York"))

    harbor = english["Ferries halted at the harbor"]
    # 18:45 in New York is 00:45 the next day in Berlin: each reader's own clock and zone.
    assert berlin.item_time(harbor) == "00:45 MEZ, 03.12."
    assert new_york.item_time(harbor) == "18:45 EST, 2 Dec"

    husum = german["Pegel in Husum steigt"]
    assert berlin.item_time(husum) == "21:40 Uhr laut Quelle"
    assert new_york.item_time(husum) == "21:40 source time"

    ferries = german["Fähren nach Amrum fallen aus"]
    assert ferries.published_at is not None
    shown = berlin.item_time(ferries)
    assert shown == berlin.datetime_short(ferries.published_at)
    assert ferries.created_at != ferries.published_at
