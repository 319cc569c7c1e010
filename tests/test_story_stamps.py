"""Every common way outlets print a post's time, kept as printed and resolved where it can be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.db.stories import import_key
from bot.story import parse_story
from bot.story.headline import display_headline
from bot.story.stamps import parse_stamp

NOW = datetime(2025, 3, 12, 23, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "clock", "rest"),
    [
        ("21:40 Uhr | Fähren fallen aus", "21:40", "Fähren fallen aus"),  # the evening
        ("23:59 Uhr: Letzte Meldung", "23:59", "Letzte Meldung"),
        ("20:05", "20:05", ""),
        ("22:31:05", "22:31", ""),  # seconds
        ("11:06 PM EDT", "23:06", ""),  # 12-hour with a zone
        ("9:45 a.m. ET – Markets open", "09:45", "Markets open"),
        ("10.30pm GMT", "22:30", ""),
        ("23:41 GMT", "23:41", ""),
        ("12.03.2025 • 23:18 Uhr", "23:18", ""),  # date before
        ("Sonntag, 23.11.2025, 22:41 Uhr", "22:41", ""),
        ("Thursday 20 November 2025 23:58 GMT", "23:58", ""),
        ("22:41 Uhr · Polizei: Weniger Schlägereien", "22:41", "Polizei: Weniger Schlägereien"),
        ("+++ 21:40 Uhr: Fähren fallen aus +++", "21:40", "Fähren fallen aus"),
        ("– 20:15 – Zwei Zelte geschlossen", "20:15", "Zwei Zelte geschlossen"),
        ("#12 · 21:40 Neue Angriffe", "21:40", "Neue Angriffe"),  # numbered posts
        ("21.30 Uhr | ARBEITGEBER FORDERN REFORMEN", "21:30", "ARBEITGEBER FORDERN REFORMEN"),
        ("Heute, 23:26 Uhr • Anna Berger", "23:26", "Anna Berger"),  # a day word
        ("Yesterday, 9:12 pm", "21:12", ""),
        ("Donnerstag, 22.49 Uhr", "22:49", ""),  # a weekday alone
        ("11:34 p.m. AT | Power may be out until Sunday", "23:34", "Power may be out until Sunday"),
        ("11:34 p.m. at the station", "23:34", "at the station"),  # "at" is a zone in capitals
    ],
)
def test_clock_stamps(line: str, clock: str, rest: str) -> None:
    stamp = parse_stamp(line)
    assert stamp is not None
    assert (stamp.clock, stamp.rest) == (clock, rest)


def test_stamp_and_author_on_one_line() -> None:
    stamp = parse_stamp("23:52 , Holly Brennan")
    assert stamp is not None
    assert (stamp.clock, stamp.rest, stamp.author) == ("23:52", "", "Holly Brennan")


@pytest.mark.parametrize(
    ("line", "minutes"),
    [
        ("vor 5 Minuten", 5),
        ("Vor 12 Min.", 12),
        ("vor 1 Stunde", 60),
        ("vor 1 Std. 5 Min.", 65),
        ("12 minutes ago", 12),
        ("2h ago", 120),
        ("3 hr ago", 180),
        ("1 hr 5 min ago", 65),
    ],
)
def test_relative_stamps_resolve_against_the_import_time(line: str, minutes: int) -> None:
    stamp = parse_stamp(line)
    assert stamp is not None and stamp.relative
    assert stamp.moment(NOW) == NOW - timedelta(minutes=minutes)
    assert stamp.time_of_day(NOW) == (NOW - timedelta(minutes=minutes)).strftime("%H:%M")


@pytest.mark.parametrize(
    "line",
    [
        "20.000 Menschen kamen.",
        "2025 war ein Jahr.",
        "18.45 Euro",
        "10 am Morgen",
        "4 h",
        "Donnerstag, 22 Menschen wurden verletzt.",
        "Heute 20 Grad.",
    ],
)
def test_numbers_are_no_stamps(line: str) -> None:
    assert parse_stamp(line) is None


def test_a_printed_date_and_zone_go_into_the_resolved_time() -> None:
    stamp = parse_stamp("11:06 PM EDT, October 8, 2025")
    assert stamp is not None
    moment = stamp.moment(NOW)
    assert moment == datetime(2025, 10, 8, 23, 6, tzinfo=timezone(timedelta(hours=-4)))


def test_a_later_time_without_a_date_was_yesterday() -> None:
    stamp = parse_stamp("23:52 GMT")
    assert stamp is not None
    assert stamp.moment(NOW) == datetime(2025, 3, 11, 23, 52, tzinfo=UTC)


PAGE = """Sturm über Hamburg
Orkanböen haben am Abend weite Teile Norddeutschlands getroffen, mehrere Menschen wurden verletzt.
vor 12 Minuten
Bahn stellt Verkehr ein
Die Bahn hat den Fernverkehr nördlich von Hannover bis auf Weiteres eingestellt.
21:40 Uhr
FEUERWEHR WARNT VOR GLATTEIS
Die Feuerwehr rechnet mit einer langen Nacht und warnt vor glatten Straßen.
"""


def test_items_keep_the_printed_stamp_and_get_a_resolved_time() -> None:
    story = parse_story(PAGE, now=NOW)
    first, second = story.ticker
    assert (first.stamp, first.time, first.published_at) == (
        "vor 12 Minuten",
        "23:28",
        "2025-03-12T23:28+00:00",
    )
    assert (second.stamp, second.time) == ("21:40 Uhr", "21:40")
    assert second.display_headline == "Feuerwehr warnt vor Glatteis"


def test_an_item_without_a_stamp_gets_no_time() -> None:
    lead = "Ein Absatz mit genug Wörtern für einen Vorspann. " * 3
    page = f"Titel der Seite\n{lead}\nMinute für Minute\nNEUE MELDUNG AUS BERLIN\nDer Text.\n"
    story = parse_story(page, now=NOW)
    assert [(t.time, t.stamp, t.published_at) for t in story.ticker] == [(None, None, None)]


@pytest.mark.parametrize(
    ("caps", "readable"),
    [
        ("FEUERWEHR WARNT VOR GLATTEIS", "Feuerwehr warnt vor Glatteis"),
        ("WIESNWIRTE KLAGEN ÜBER DEN REGEN", "Wiesnwirte klagen über den Regen"),
        ("ARBEITGEBER FORDERN REFORMEN", "Arbeitgeber fordern Reformen"),
        ("STURM LEGT DEN VERKEHR LAHM", "Sturm legt den Verkehr lahm"),
    ],
)
def test_german_all_caps_headlines_capitalise_nouns(caps: str, readable: str) -> None:
    assert display_headline(caps, "", "de") == readable


def test_proper_nouns_keep_the_spelling_of_the_story() -> None:
    text = "Gestern traf Ursula von der Leyen in Brüssel ein."
    assert display_headline("URSULA VON DER LEYEN IN BRÜSSEL", text, "de") == (
        "Ursula von der Leyen in Brüssel"
    )


def test_a_relative_stamp_does_not_change_an_items_identity() -> None:
    earlier = parse_story(PAGE, now=NOW)
    later = parse_story(PAGE.replace("vor 12 Minuten", "vor 42 Minuten"), now=NOW)
    assert earlier.ticker[0].time != later.ticker[0].time
    assert import_key(earlier.ticker[0]) == import_key(later.ticker[0])
    assert import_key(earlier.ticker[1]) == import_key(later.ticker[1])


def test_a_regions_zone_takes_the_offset_its_date_has_and_a_bare_clock_names_no_moment() -> None:
    summer = datetime(2026, 7, 2, 23, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    july = parse_stamp("July 2, 6:45 p.m. ET")
    december = parse_stamp("Dec 2, 9:10 a.m. PT")
    bare = parse_stamp("21:40 Uhr")
    assert july is not None and december is not None and bare is not None
    assert _iso(july.moment(summer)) == "2026-07-02T18:45:00-04:00"
    assert _iso(december.moment(winter)) == "2026-12-02T09:10:00-08:00"
    assert bare.moment(winter) is None  # the page's zone is unknown: no moment at all
    assert bare.time_of_day(winter) == "21:40"  # the printed clock stays


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


_DAY_POSTS = [
    ("23:05 Uhr", "Feuer erreicht Bundesstraße", "Die B101 ist gesperrt, die Flammen sind nah."),
    ("22:41 Uhr", "Zweites Dorf wird geräumt", "Die Bewohner müssen gehen, teilte der Kreis mit."),
    ("22:30 Uhr", "Löschhubschrauber im Einsatz", "Die Bundeswehr schickt zwei Hubschrauber."),
    ("22:10 Uhr", "Rauch zieht bis Berlin", "In Teilen Berlins riecht es nach Rauch."),
]


def _day_page(dated: int) -> str:
    head = "Waldbrand in Brandenburg: Dörfer evakuiert\n\nSeit dem Nachmittag brennt ein Wald.\n"
    posts = [
        f"{'12.08.2025, ' if n == dated else ''}{stamp}\n\n{headline}\n\n{body}\n"
        for n, (stamp, headline, body) in enumerate(_DAY_POSTS)
    ]
    return "\n".join([head, *posts])


@pytest.mark.parametrize("dated", [0, 2], ids=["newest", "among"])
def test_a_post_dated_in_full_among_posts_with_a_time_only_is_a_post(dated: int) -> None:
    # The day's first post prints the date, the others the time alone: a lone dated
    # stamp above or among them is no page date line, and no post swallows the next.
    story = parse_story(_day_page(dated), now=NOW)
    assert [(t.time, t.display_headline) for t in story.ticker] == [
        (stamp.removesuffix(" Uhr"), headline) for stamp, headline, _ in _DAY_POSTS
    ]
    assert story.body == ()


def test_a_day_word_resolves_against_the_import_day() -> None:
    stamp = parse_stamp("Yesterday, 11:06 PM EDT")
    assert stamp is not None and stamp.has_date
    edt = timezone(timedelta(hours=-4))
    assert stamp.moment(NOW) == datetime(2025, 3, 11, 23, 6, tzinfo=edt)


AUTHORED_POSTS = """Hochwasser an der Selde: Pegel steigen weiter

Die Lage an der Selde spitzt sich zu, mehrere Orte sind ohne Strom.

Heute, 23:26 Uhr • Anna Berger

Deich bei Kleinmühl hält

Der Deich hält dem Druck bislang stand, sagte der Landrat.

Heute, 22:58 Uhr • Lukas Degen

Straßen gesperrt

Die Polizei sperrte drei Kreisstraßen.

Heute, 22:31 Uhr • Anna Berger

Notunterkunft öffnet

In der Turnhalle stehen 200 Betten bereit.
"""


AUTHORED_POSTS_AFTER_A_SUMMARY = AUTHORED_POSTS.replace(
    "mehrere Orte sind ohne Strom.\n",
    "mehrere Orte sind ohne Strom.\n\nDas Wichtigste in Kürze\n\nPegel bei 6,84 Metern\n\n"
    "Bahnstrecke gesperrt\n",
)


@pytest.mark.parametrize(
    "page", [AUTHORED_POSTS, AUTHORED_POSTS_AFTER_A_SUMMARY], ids=["posts", "after-a-summary"]
)
def test_an_author_on_the_stamp_line_is_no_headline(page: str) -> None:
    # The author the stamps repeat makes no post a link of the summary box above them.
    story = parse_story(page, now=NOW)
    assert [(t.time, t.display_headline) for t in story.ticker] == [
        ("23:26", "Deich bei Kleinmühl hält"),
        ("22:58", "Straßen gesperrt"),
        ("22:31", "Notunterkunft öffnet"),
    ]
    shown = [part for t in story.ticker for part in (t.display_headline, *t.body)]
    assert not any("Berger" in part or "Degen" in part for part in [*shown, *story.body])


DATE_LINE_ABOVE_POSTS = """EU summit live: Leaders deadlocked over farm fund

By Camille Durand and Jakob Lindqvist

December 4, 2026 11:52 pm CET

Leaders of the EU's 27 countries have been locked in the Europa building since mid-afternoon.

9 minutes ago

No deal before midnight

Diplomats are now openly saying there will be no agreement tonight.

34 minutes ago

Kalvik digs in

The prime minister told reporters he would not sign a blank cheque.

December 4, 2026 9:12 pm CET

Paris and Warsaw want more time

France and Poland back a delay of the trade deal's farm chapter.
"""
DATE_LINE_ABOVE_SUMMARY = """Murgang in Valsura: Dorf teilweise evakuiert

Nach heftigen Niederschlägen ist oberhalb von Valsura ein Murgang niedergegangen.

04.12.2026, 23.20 Uhr

Die neusten Entwicklungen

Rund 180 Personen mussten ihre Häuser verlassen.

Bahn stellt Betrieb ein

04.12.2026 – 23:14

Die Bahn hat den Betrieb zwischen Disentis und Ilanz eingestellt.

Kanton sperrt Strasse

04.12.2026 – 22:40

Die Kantonsstrasse bleibt bis Freitag gesperrt.
"""


@pytest.mark.parametrize(
    ("page", "headlines", "in_body"),
    [
        (
            DATE_LINE_ABOVE_POSTS,
            ["No deal before midnight", "Kalvik digs in", "Paris and Warsaw want more time"],
            "locked in the Europa building",
        ),
        (DATE_LINE_ABOVE_SUMMARY, ["Bahn stellt Betrieb ein", "Kanton sperrt Strasse"], None),
    ],
    ids=["above-the-lead", "above-the-summary"],
)
def test_the_pages_date_line_above_the_posts_opens_no_post(
    page: str, headlines: list[str], in_body: str | None
) -> None:
    story = parse_story(page, now=datetime(2026, 12, 4, 23, 0, tzinfo=UTC))
    assert [t.display_headline for t in story.ticker] == headlines
    if in_body is not None:
        assert in_body in " ".join([story.lead, *story.body])
