"""Family navigation: an outlet's menu or breadcrumb above the headline is never the title,
whatever its sections are called; a post's stamp line with a bar stays an item."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.story import parse_story
from bot.story.model import ParsedStory

NOW = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)

MENU_EN = """Home | World | UK | Politics | Business | Climate
News > UK > Scotland
Storm Elin: trains cancelled as gales hit west coast – live
Rail services across the west were cancelled on Tuesday as Storm Elin brought gusts of up to 90mph.
10.42pm GMT
Ferry crossings suspended until Wednesday
All ferry crossings from Oban have been suspended, the operator said.
9.58pm GMT
Power cuts hit 40,000 homes
About 40,000 homes were without power on Tuesday evening, the network operator said.
"""
MENU_DE = """Regional · Hamburg · Schleswig-Holstein · Niedersachsen
Nachrichten › Norddeutschland › Unwetter
Sturmtief Elin: Fähren fallen aus
Das Sturmtief hat den Norden erreicht. Bahnen und Fähren stehen still.
22:47 Uhr | Deichverband warnt vor Sturmflut
Der Deichverband rechnet in der Nacht mit einer schweren Sturmflut.
21:40 Uhr | Fähren fallen aus
Die Reederei hat alle Fahrten zu den Inseln gestrichen, teilte das Unternehmen mit.
"""


def _shown(story: ParsedStory) -> str:
    items = [part for t in story.ticker for part in (t.display_headline, *t.body)]
    return "\n".join([story.title, story.lead, *story.body, *story.summary, *items])


@pytest.mark.parametrize(
    ("page", "title", "menu_words", "headlines"),
    [
        (
            MENU_EN,
            "Storm Elin: trains cancelled as gales hit west coast – live",
            ("Politics", "Climate", "Scotland"),
            ["Ferry crossings suspended until Wednesday", "Power cuts hit 40,000 homes"],
        ),
        (
            MENU_DE,
            "Sturmtief Elin: Fähren fallen aus",
            ("Regional", "Niedersachsen", "Norddeutschland"),
            ["Deichverband warnt vor Sturmflut", "Fähren fallen aus"],
        ),
    ],
    ids=["en", "de"],
)
def test_a_menu_of_any_sections_is_not_the_title(
    page: str, title: str, menu_words: tuple[str, ...], headlines: list[str]
) -> None:
    story = parse_story(page, now=NOW)
    assert story.title == title
    shown = _shown(story)
    assert not any(word in shown for word in menu_words)
    assert [t.display_headline for t in story.ticker] == headlines
