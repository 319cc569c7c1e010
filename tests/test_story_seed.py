"""The seed page against every row of shared/seed-expected.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.story import ParsedStory, decode_page, parse_story
from bot.story.marks import normalise_marks

SEED = Path(__file__).resolve().parents[1] / "seeds" / "ukraine-nato-liveblog.de.txt"
PRONOUN_OPENERS = re.compile(r"^\W*(Er|Sie|Es|Letzterer|Dieser|Diese|He|She|It|They|This)\b")


@pytest.fixture(scope="module")
def raw() -> str:
    return decode_page(SEED.read_bytes())


@pytest.fixture(scope="module")
def story(raw: str) -> ParsedStory:
    return parse_story(raw)


def lines_of(raw: str) -> list[str]:
    return [line for line in raw.split("\n") if line.strip()]


def test_language_is_german(story: ParsedStory) -> None:
    assert story.language == "de"


def test_lead_is_the_first_line(story: ParsedStory, raw: str) -> None:
    assert story.lead == lines_of(raw)[0]
    assert story.lead.startswith("Nach Ansicht der Ukraine")


def test_title_is_made_from_the_lead_at_a_word_boundary(story: ParsedStory) -> None:
    assert 0 < len(story.title) <= 91
    stem = story.title.rstrip("…")
    assert story.lead.startswith(stem)
    assert story.lead[len(stem)] in " .,"


@pytest.mark.parametrize(
    "furniture",
    [
        "Verfolgen Sie die neuesten Informationen zum Konflikt.",
        "Verfolgen Sie die neuesten Nachrichten im Thread oben.",
        "Minute für Minute",
    ],
)
def test_page_furniture_is_dropped(story: ParsedStory, furniture: str) -> None:
    everything = [story.title, story.lead, *story.body, *story.summary]
    for entry in story.ticker:
        everything += [entry.headline, *entry.body]
    assert not any(furniture in text for text in everything)


def test_exactly_one_ticker_item(story: ParsedStory) -> None:
    assert len(story.ticker) == 1
    item = story.ticker[0]
    assert item.headline == "TUCKER CARLSON NOCH IN RUSSLAND"
    assert item.display_headline == "Tucker Carlson noch in Russland"
    assert item.time is None


def test_ticker_item_body_is_the_four_paragraphs(story: ParsedStory, raw: str) -> None:
    lines = lines_of(raw)
    start = lines.index("TUCKER CARLSON NOCH IN RUSSLAND") + 1
    body = story.ticker[0].body
    assert body == tuple(lines[start : start + 4])
    assert body[0].startswith("Der konservative Moderator")
    assert "erläuterte Herr Carlson" in body[-1]


def test_main_body_is_exactly_the_five_paragraphs_in_order(story: ParsedStory, raw: str) -> None:
    lines = lines_of(raw)
    assert len(story.body) == 5
    assert story.body[:2] == (lines[2], lines[3])
    assert story.body[0].startswith("Weniger als zwei Monate")
    assert story.body[1].startswith("“Es gab keine Fortschritte“")
    assert story.body[2].startswith("Letzterer beharrte")
    assert story.body[3].startswith("Sehr vorsichtig")
    assert story.body[4].startswith("Die Ukraine will")
    assert story.body[2:] == tuple(lines[10:13])


EXPECTED_QUOTES = [
    ("einzige wirkliche", "Ukraine", True),
    ("Es gab keine Fortschritte", "Gabrielius Landsbergis", False),
    ("sehr bald", "Tucker Carlson", True),
    (
        "Wir sind gestern nach Moskau zurückgekehrt, um den russischen Außenminister Sergej "
        "Lawrow zu interviewen",
        "Tucker Carlson",
        False,
    ),
    ("absolut faszinierend", "Tucker Carlson", True),
    (
        "beispiellosen Konflikt zwischen Russland und den Vereinigten Staaten",
        "Tucker Carlson",
        True,
    ),
    ("nur wahr Sicherheitsgarantie gegenüber Russland", "Andriï Sybiga", False),
    ("irreversibel", "Mark Rutte", True),
    (
        "Die einzige wirksame Sicherheitsgarantie ist die NATO-Mitgliedschaft der Ukraine",
        "Margus Tsahkna",
        False,
    ),
]


def test_nine_quotes_in_reading_order(story: ParsedStory) -> None:
    assert [q.text for q in story.quotes] == [text for text, _, _ in EXPECTED_QUOTES]


@pytest.mark.parametrize(("number", "expected"), list(enumerate(EXPECTED_QUOTES, start=1)))
def test_quote_speaker_and_fragment_flag(
    story: ParsedStory, number: int, expected: tuple[str, str, bool]
) -> None:
    text, speaker, fragment = expected
    quote = story.quotes[number - 1]
    assert quote.text == text
    assert quote.speaker == speaker
    assert quote.fragment is fragment


def test_a_source_quote_has_no_role(story: ParsedStory) -> None:
    assert story.quotes[0].speaker == "Ukraine"
    assert story.quotes[0].role is None


def test_a_name_inside_a_quote_is_never_its_speaker(story: ParsedStory) -> None:
    for quote in story.quotes:
        if quote.speaker:
            assert quote.speaker.split()[-1] not in quote.text


def test_quote_roles_come_from_the_people(story: ParsedStory) -> None:
    roles = {p.name: p.role for p in story.people}
    for quote in story.quotes[1:]:
        assert quote.speaker is not None
        assert quote.role == roles[quote.speaker]


EXPECTED_PEOPLE = [
    ("Donald Trump", "gewählter US-Präsident"),
    ("Gabrielius Landsbergis", "Leiter der litauischen Diplomatie"),
    ("Andriï Sybiga", "Leiter der ukrainischen Diplomatie"),
    ("Tucker Carlson", "konservativer Moderator"),
    ("Sergej Lawrow", "Chef der russischen Diplomatie"),
    ("Wladimir Putin", "russischer Präsident"),
    ("Mark Rutte", "NATO-Generalsekretär"),
    ("Margus Tsahkna", "Chef der estnischen Diplomatie"),
]


def test_eight_people_with_their_roles(story: ParsedStory) -> None:
    assert [(p.name, p.role) for p in story.people] == EXPECTED_PEOPLE


@pytest.mark.parametrize("not_a_person", ["Fox News", "NATO", "Kiew", "Ukraine", "Weiße Haus"])
def test_places_and_organisations_are_not_people(story: ParsedStory, not_a_person: str) -> None:
    names = [p.name for p in story.people]
    assert not any(not_a_person in name or name in not_a_person for name in names)


def test_summary_has_three_to_five_sentences_from_the_story(story: ParsedStory) -> None:
    assert 3 <= len(story.summary) <= 5
    # Sentences of the story, with a broken pair of marks (“… Ukraine„) mended.
    main_text = normalise_marks("\n".join([story.lead, *story.body]), story.language)
    positions = [main_text.index(sentence) for sentence in story.summary]
    assert positions == sorted(positions)


def test_summary_sentences_stand_on_their_own(story: ParsedStory) -> None:
    headline = story.ticker[0].headline
    for sentence in story.summary:
        assert not PRONOUN_OPENERS.match(sentence), sentence
        assert headline not in sentence
        assert "Verfolgen Sie" not in sentence


def test_summary_covers_the_story(story: ParsedStory) -> None:
    text = " ".join(story.summary)
    assert "zum Beitritt einzuladen" in text  # Ukraine pushes for an invitation
    assert "ohne konkrete Ergebnisse" in text or "keine Fortschritte" in text  # the dinner
    assert "Position des Bündnisses" in text or "irreversibel" in text  # NATO's position


def test_warning_records_the_broken_quotation_mark(story: ParsedStory) -> None:
    assert any("stray" in warning for warning in story.warnings)


def test_json_shape(story: ParsedStory) -> None:
    data = story.to_json_dict()
    assert set(data) >= {"title", "lead", "language", "body", "summary", "quotes", "people"}
    assert data["ticker"][0]["time"] is None
    assert data["ticker"][0]["display_headline"] == "Tucker Carlson noch in Russland"


def test_the_summary_shows_no_broken_quotation_marks(story: ParsedStory) -> None:
    assert not any("„" in s and s.index("„") > s.find("“") >= 0 for s in story.summary)
    assert any("Ukraine“" in s for s in story.summary)


def test_the_first_summary_point_does_not_repeat_the_title(story: ParsedStory) -> None:
    assert not story.summary[0].startswith(story.title.rstrip("…"))
