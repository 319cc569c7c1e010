"""What an import stores is capped as an editor's /post is, and the import says so."""

from __future__ import annotations

import pytest

from bot.story import parse_story
from bot.story.limits import MAX_ITEM_CHARS, MAX_LEAD_CHARS, MAX_QUOTE_CHARS


@pytest.mark.heavy
def test_a_megabyte_line_does_not_become_the_lead() -> None:
    line = "Ein sehr langer Satz ohne Ende und ohne Punkt " * 25_000
    story = parse_story("Titel der Seite über etwas\n" + line + "\n")
    assert len(story.lead) <= MAX_LEAD_CHARS
    assert story.lead.endswith("…") and not story.lead[:-1].endswith(" ")
    assert any(w.startswith("lead cut") for w in story.warnings)


def test_an_item_fits_one_post() -> None:
    body = "\n".join(["Die Lage ist unübersichtlich, sagte ein Sprecher. " * 40] * 6)
    page = (
        "Titel der Seite über etwas\n"
        + "Ein Vorspann mit genug Wörtern, damit er als Absatz gilt, und einem Punkt.\n"
        + "21:40 Uhr\nLange Meldung\n" + body + "\n20:10 Uhr\nKurze Meldung\nKurz und gut.\n"
    )  # fmt: skip
    story = parse_story(page)
    long_item = story.ticker[0]
    stored = len(long_item.display_headline) + 2 + len("\n\n".join(long_item.body))
    assert stored <= MAX_ITEM_CHARS
    assert any(w.startswith("item body cut") for w in story.warnings)


def test_a_long_quote_is_cut() -> None:
    said = "Wir machen weiter " * 200
    story = parse_story(
        "Titel der Seite über etwas\n"
        f"Die Ministerin Anna Berg sagte am Abend: „{said.strip()}“. Danach ging sie.\n"
    )
    assert story.quotes and all(len(q.text) <= MAX_QUOTE_CHARS for q in story.quotes)


def test_the_title_is_the_page_headline_not_cut_mid_word() -> None:
    headline = (
        "Regierung präsentiert Sparpaket: Pensionen, Klimabonus und Förderungen kommen unter Druck"
    )
    story = parse_story(
        f"Startseite\nPolitik\n{headline}\n"
        "Die Bundesregierung hat sich nach zähen Verhandlungen auf ein Sparpaket geeinigt.\n"
    )
    assert len(story.title) <= 86
    stem = story.title.rstrip("…")
    assert headline.startswith(stem) and headline[len(stem)] == " "
