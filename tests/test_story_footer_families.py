"""Families of furniture seen on outlets' pages the importer had not met: footers, credits
after a photographer's name, media lines with a bar, bylines without "Von"/"By", calls to
action at a line's end. None of it is shown to a reader."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.story import parse_story
from bot.story.model import ParsedStory

NOW = datetime(2026, 12, 4, 23, 40, tzinfo=UTC)

PAGE_DE = """Murgang in Valsura: Dorf teilweise evakuiert

Nach heftigen Niederschlägen ist oberhalb von Valsura ein Murgang niedergegangen.

Simon Tanner, Chur, Nadja Flury

23:14 Uhr

Kantonsstrasse bleibt gesperrt

Die Strasse bleibt bis mindestens Freitag gesperrt, teilte der Kanton mit.

Ein Bagger räumt in der Nacht die verschüttete Kantonsstrasse bei Valsura.

Gian Ehrenzeller / Keystone

22:40 Uhr

Bahn stellt Betrieb ein

Die Bahn hat den Betrieb zwischen Disentis und Ilanz eingestellt.

Eine Böe erfasst Passanten am Hafen von Valsura. (Quelle: Jan Fenske/dpa)

Video | Murgang in Valsura: Luftaufnahmen zeigen das Ausmass

Sondersendung: Radio Rätia, heute 23:30 Uhr

Die Zeitung auf WhatsApp: Erhalten Sie die wichtigsten Nachrichten aufs Handy. Jetzt abonnieren

Passend zum Artikel

Naturgefahren: Warum Murgänge häufiger werden

Neue Zürcher Zeitung AG. Alle Rechte vorbehalten.

Impressum

Datenschutz

AGB
"""
PAGE_EN = """Ice storm leaves 140,000 without power

Freezing rain brought down trees and power lines across the south on Thursday.

Listen | 5 minutes

11:34 p.m. AT

Power may be out until Sunday

The utility said crews from three provinces were on their way.

A crew works on a downed line near St. Caron. (Marc-André Losier/CBC)

Watch | Ice storm snaps power poles near St. Caron

10:58 p.m. AT

Warming centres open

Six warming centres opened across the region, officials said.

Listen to the Morning Show podcast: Episode 418, 38:15

Watch the full report on The National at 10 p.m. on CBC TV.

Stay informed with the News app. Download now.

With files from Information Morning and The Canadian Press

Catherine Ashdown and Ben Okafor

Terms & Conditions

Privacy Policy

Help Centre
"""


def _everything(story: ParsedStory) -> str:
    items = [part for t in story.ticker for part in (t.headline, t.display_headline, *t.body)]
    return "\n".join(
        [story.title, story.lead, *story.body, *story.summary, *items]
        + [q.text for q in story.quotes]
        + [p.name for p in story.people]
    )


@pytest.mark.parametrize(
    ("page", "title", "headlines", "furniture"),
    [
        (
            PAGE_DE,
            "Murgang in Valsura: Dorf teilweise evakuiert",
            ["Kantonsstrasse bleibt gesperrt", "Bahn stellt Betrieb ein"],
            (
                "Tanner",
                "Bagger",
                "Keystone",
                "Böe",
                "Luftaufnahmen",
                "Radio Rätia",
                "WhatsApp",
                "Passend",
                "Naturgefahren",
                "Rechte",
                "Impressum",
                "Datenschutz",
                "AGB",
            ),
        ),
        (
            PAGE_EN,
            "Ice storm leaves 140,000 without power",
            ["Power may be out until Sunday", "Warming centres open"],
            (
                "Listen",
                "Losier",
                "snaps power poles",
                "podcast",
                "full report",
                "Download",
                "files from",
                "Ashdown",
                "Terms",
                "Privacy",
                "Help Centre",
            ),
        ),
    ],
    ids=["de", "en"],
)
def test_an_outlets_furniture_is_nowhere_in_the_import(
    page: str, title: str, headlines: list[str], furniture: tuple[str, ...]
) -> None:
    story = parse_story(page, now=NOW)
    assert story.title == title
    assert [t.display_headline for t in story.ticker] == headlines
    shown = _everything(story)
    assert [word for word in furniture if word in shown] == []


AUTHORS_ABOVE_STAMPS = """Politics latest: Housing Secretary resigns

The Government lost a second reading vote for the first time since 1986.

Catherine Ashdown

11:41pm GMT

Harrow resigns as Housing Secretary

Daniel Harrow has published his resignation letter on social media.

Watch: Moment Harrow leaves the Commons after the vote

01:12

Ben Okafor

10:52pm GMT

Rebels celebrate in the bar

The rebels gathered after the vote, one MP said.

Catherine Ashdown

9:58pm GMT

Labour: the Government is falling apart

The opposition leader called for an election.

Show comments (1,204)
"""


def test_authors_above_stamps_and_a_clips_length_are_no_posts() -> None:
    story = parse_story(AUTHORS_ABOVE_STAMPS, now=NOW)
    assert [(t.time, t.display_headline) for t in story.ticker] == [
        ("23:41", "Harrow resigns as Housing Secretary"),
        ("22:52", "Rebels celebrate in the bar"),
        ("21:58", "Labour: the Government is falling apart"),
    ]
    shown = _everything(story)
    assert [w for w in ("Ashdown", "Okafor", "01:12", "comments") if w in shown] == []


MORE_FURNITURE_DE = """Stichwahl in Hohenstadt: Knappes Rennen

Die Wahllokale haben geschlossen, die Auszählung läuft.

22:47 Uhr – Aydın liegt vorn

Nach Auszählung von 80 Prozent der Bezirke liegt Aydın mit 51 Prozent vorn.

jwi/dfa

Video

Stichwahl in Hohenstadt: Die Kandidaten im Porträt

02:31

20:25 Uhr – Auszählung verzögert sich

Wegen einer Computerpanne verzögert sich die Auszählung, hieß es aus der Stadtverwaltung.

dpa/Hauke Steffens

Sie haben einen Fehler entdeckt? Jetzt melden

Ältere Einträge anzeigen

Folgen

Hast du Fragen oder Anmerkungen? Schreib uns!

04.12.2025, 22:14 Uhr · 4 Min. Lesezeit

(seb)
"""
MORE_FURNITURE_EN = """Senate passes stopgap funding bill

The Senate voted late on Friday to keep the government open.

10:58 p.m. ET

Bill heads to the president

The measure passed 72-27 and now goes to the White House.

Share & Save

Data: Congressional Budget Office; Chart: Axios Visuals

9:47 p.m. ET

Senate clears procedural hurdle

The Senate voted 64-35 to end debate on the stopgap.

— With assistance from Lena Ortiz

Have a confidential tip for our reporters? Get in touch

Get the morning briefing in your inbox. Subscribe for free.

Up Next

Open this photo in gallery:

Estimated reading time: 5 min

Comments are closed on this article

Your Privacy Choices
"""


@pytest.mark.parametrize(
    ("page", "headlines", "furniture"),
    [
        (
            MORE_FURNITURE_DE,
            ["Aydın liegt vorn", "Auszählung verzögert sich"],
            (
                "jwi",
                "Porträt",
                "02:31",
                "Steffens",
                "Fehler",
                "Einträge",
                "seb",
                "Folgen",
                "Schreib",
                "Lesezeit",
            ),
        ),
        (
            MORE_FURNITURE_EN,
            ["Bill heads to the president", "Senate clears procedural hurdle"],
            (
                "Save",
                "Chart",
                "assistance",
                "tip",
                "inbox",
                "Up Next",
                "Privacy",
                "gallery",
                "reading time",
                "closed",
            ),
        ),
    ],
    ids=["de", "en"],
)
def test_credits_clips_buttons_and_calls_to_action_are_nowhere(
    page: str, headlines: list[str], furniture: tuple[str, ...]
) -> None:
    story = parse_story(page, now=NOW)
    assert [t.display_headline for t in story.ticker] == headlines
    shown = _everything(story)
    assert [word for word in furniture if word in shown] == []
