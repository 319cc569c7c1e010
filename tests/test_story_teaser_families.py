"""Family teaser boxes and media players: the links under a promotion and a clip's title
under its player line are furniture, never an item's body; a post's own headline is not.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.story import parse_story

NOW = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)

PROMOTED_EN = """Live: Rail strike halts commuter trains across the region

Commuter trains stood still on Tuesday as drivers walked out over pay and rosters.

4:10 p.m. GMT
Union and operator agree to new talks

Both sides will meet on Thursday under the mediator's chairmanship, the union said.

Don't miss our guide to getting around during the strike

What to do if your season ticket is useless this week

How bus operators are adding extra services

3:25 p.m. GMT
Stations closed in the city centre

Five central stations were closed after platforms became overcrowded, police said.
"""
PROMOTED_DE = """Hitzewelle im Süden: Kommunen öffnen Kühlräume

Die Temperaturen steigen am Wochenende auf bis zu 38 Grad, warnt der Wetterdienst.

14:20 Uhr | Freibäder verlängern Öffnungszeiten

Mehrere Städte lassen ihre Bäder bis 22 Uhr geöffnet, teilte der Städtetag mit.

Nicht verpassen: Unsere Tipps für heiße Nächte

So schützen Sie Ihr Haustier vor der Hitze

13:05 Uhr | Wasserversorger bitten um Sparsamkeit

Die Versorger bitten darum, Gärten nur abends zu gießen.
"""
PLAYERS = """Live: Wildfire forces evacuations in the hills

Crews fought the fire through the night as winds picked up again.

Nov. 4, 2026, 9:15 p.m. ET
Evacuation order widened

The county widened the order to three more canyons after the fire jumped the highway.

Watch · 2:14

Drone footage shows the fire line from above

Nov. 4, 2026, 8:40 p.m. ET
Shelters fill up

The Red Cross said its two shelters were near capacity by nightfall.

Anhören · 4:05

Der Podcast zum Brand in den Hügeln
"""
HEADLINE_ABOVE_STAMP = """Live: Storm batters the coast

The storm brought gusts of more than 120 km/h to the coast overnight.

Listen · 1:30
Ferry services cancelled
18:10
All ferries to the islands were cancelled for the rest of the day, the operator said.

Roads flooded near the harbour
17:45
Several roads near the harbour were flooded as the tide peaked.
"""


def _all_text(story_text: str) -> tuple[str, list[str]]:
    story = parse_story(story_text, now=NOW)
    bodies = [p for item in story.ticker for p in item.body]
    everything = "\n".join([story.lead, *story.body, *story.summary, *bodies])
    return everything, [item.display_headline for item in story.ticker]


def test_links_under_a_promotion_are_furniture_in_both_languages() -> None:
    english, english_heads = _all_text(PROMOTED_EN)
    assert "season ticket" not in english and "bus operators" not in english
    assert english_heads == [
        "Union and operator agree to new talks",
        "Stations closed in the city centre",
    ]
    german, german_heads = _all_text(PROMOTED_DE)
    assert "Haustier" not in german and "heiße Nächte" not in german
    assert german_heads == [
        "Freibäder verlängern Öffnungszeiten",
        "Wasserversorger bitten um Sparsamkeit",
    ]


def test_a_clips_title_under_its_player_line_is_furniture() -> None:
    text, heads = _all_text(PLAYERS)
    assert "Drone footage" not in text and "Podcast zum Brand" not in text
    assert heads == ["Evacuation order widened", "Shelters fill up"]


def test_a_posts_headline_above_its_stamp_is_kept_under_a_player_line() -> None:
    story = parse_story(HEADLINE_ABOVE_STAMP, now=NOW)
    assert [item.display_headline for item in story.ticker] == [
        "Ferry services cancelled",
        "Roads flooded near the harbour",
    ]
