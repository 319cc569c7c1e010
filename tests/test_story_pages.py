"""Pages in other outlets' styles (tests/pages/): the rules hold beyond the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.story import ParsedStory, decode_page, parse_story

PAGES = Path(__file__).resolve().parent / "pages"


def load(name: str) -> ParsedStory:
    return parse_story(decode_page((PAGES / name).read_bytes()))


def all_text(story: ParsedStory) -> list[str]:
    texts = [story.title, story.lead, *story.body, *story.summary]
    for entry in story.ticker:
        texts += [entry.headline, *entry.body]
    return texts


def speakers(story: ParsedStory) -> list[tuple[str, str | None, bool]]:
    return [(q.text, q.speaker, q.fragment) for q in story.quotes]


# -- German live ticker, "18:45 Uhr – HEADLINE" and "16:05 Uhr: Headline" ------------------
@pytest.fixture(scope="module")
def energy() -> ParsedStory:
    return load("de-liveticker-uhr.txt")


def test_energy_title_lead_and_body(energy: ParsedStory) -> None:
    assert energy.language == "de"
    assert energy.title == "Energiegipfel in Berlin ohne Einigung"
    assert energy.lead.startswith("Bund und Länder haben sich beim Energiegipfel")
    assert [p[:30] for p in energy.body] == [
        "Bundeskanzlerin Karin Vogt spr",
        "Der Ministerpräsident von Baye",
    ]


@pytest.mark.parametrize(
    "furniture",
    [
        "Politik",
        "Von Anna Schmidt",
        "Stand: 03.12.2024",
        "Lesen Sie auch",
        "Anzeige",
        "Jetzt abonnieren",
        "Liveticker",
        "Mehr zum Thema",
        "Newsletter",
    ],
)
def test_energy_furniture_is_dropped(energy: ParsedStory, furniture: str) -> None:
    assert not any(text.startswith(furniture) for text in all_text(energy))
    assert not any(furniture in text for text in energy.body)


def test_energy_ticker_items_with_times(energy: ParsedStory) -> None:
    assert [(t.time, t.display_headline) for t in energy.ticker] == [
        ("18:45", "Brandl verlässt Kanzleramt vorzeitig"),
        ("17:30", "Wirtschaftsminister Jonas Keller warnt vor Abwanderung"),
        ("16:05", "Gewerkschaften protestieren vor dem Kanzleramt"),
    ]
    assert energy.ticker[0].headline == "BRANDL VERLÄSST KANZLERAMT VORZEITIG"
    assert [len(t.body) for t in energy.ticker] == [2, 1, 1]


def test_energy_quotes(energy: ParsedStory) -> None:
    assert speakers(energy) == [
        ("konstruktiven, aber schwierigen", "Karin Vogt", True),
        (
            "Wir werden im Januar weiterverhandeln, denn die Betriebe brauchen jetzt "
            "Planungssicherheit",
            "Karin Vogt",
            False,
        ),
        ("Der Bund lässt die Länder mit den Kosten allein.", "Thomas Brandl", False),
        # A spokesperson speaks for the body the role names.
        ("Termingründe", "Staatskanzlei", True),
        ("Jeder Monat ohne Entscheidung kostet Arbeitsplätze", "Jonas Keller", False),
    ]
    # An unnamed speaker keeps the role the page gives.
    assert energy.quotes[3].role == "Sprecher der Staatskanzlei"


def test_energy_people(energy: ParsedStory) -> None:
    assert [(p.name, p.role) for p in energy.people] == [
        ("Karin Vogt", "Bundeskanzlerin"),
        ("Thomas Brandl", "Ministerpräsident von Bayern"),
        ("Jonas Keller", "Wirtschaftsminister"),
    ]


# -- German news blog, "09:12 HEADLINE", »reversed« quotes, ticker cut into the body -------
@pytest.fixture(scope="module")
def finance() -> ParsedStory:
    return load("de-newsblog-caps.txt")


def test_finance_ticker_is_cut_out_of_the_body(finance: ParsedStory) -> None:
    assert [(t.time, t.display_headline) for t in finance.ticker] == [
        ("09:12", "Sturm legt Bahnverkehr in Norddeutschland lahm"),
        ("08:40", "Fähren nach Helgoland fallen aus"),
    ]
    assert len(finance.ticker[0].body) == 2
    assert len(finance.ticker[1].body) == 1
    assert finance.body[2].startswith("Letzterer verwies")
    assert finance.body[3].startswith("Eine Entscheidung über neue Schulden")
    assert not any("Verfolgen Sie" in text or "Newsblog" in text for text in all_text(finance))


def test_finance_title_made_from_lead(finance: ParsedStory) -> None:
    assert finance.title.endswith("…")
    assert len(finance.title) <= 91
    assert finance.lead.startswith(finance.title.rstrip("…"))


def test_finance_reversed_guillemets(finance: ParsedStory) -> None:
    assert speakers(finance) == [
        ("mit den Verträgen nicht vereinbar", "Eva Janssen", True),
        (
            "Wir brauchen jetzt Geld für die Verteidigung, nicht in fünf Jahren",
            "Paul Girard",
            False,
        ),
        (
            "keinem Kompromiss zustimmen, der Eurobonds durch die Hintertür einführt",
            "Eva Janssen",
            True,
        ),
    ]


def test_finance_people(finance: ParsedStory) -> None:
    assert [(p.name, p.role) for p in finance.people] == [
        ("Eva Janssen", "niederländische Finanzministerin"),
        ("Paul Girard", "französischer Finanzminister"),
    ]


# -- English live updates, "6:45 p.m. ET" on its own line, «» and straight quotes -----------
@pytest.fixture(scope="module")
def geneva() -> ParsedStory:
    return load("en-live-updates.txt")


def test_geneva_title_lead_body(geneva: ParsedStory) -> None:
    assert geneva.language == "en"
    # The live label is the format, not the story: the short title drops it.
    assert geneva.title == "Ceasefire talks resume in Geneva"
    assert geneva.lead.startswith("Negotiators from both sides")
    assert len(geneva.body) == 1
    assert geneva.body[0].startswith("Secretary of State Laura Benson")


def test_geneva_ticker_times_in_24_hours(geneva: ParsedStory) -> None:
    assert [(t.time, t.headline, len(t.body)) for t in geneva.ticker] == [
        ("18:45", "Mediators extend session past midnight", 2),
        ("17:10", "Protesters gather near the Palais des Nations", 1),
    ]


@pytest.mark.parametrize(
    "furniture",
    ["By Daniel Harper", "Follow our live", "Advertisement", "Sign up", "Read more"],
)
def test_geneva_furniture_is_dropped(geneva: ParsedStory, furniture: str) -> None:
    assert not any(furniture in text for text in all_text(geneva))


def test_geneva_quotes(geneva: ParsedStory) -> None:
    assert speakers(geneva) == [
        ("still weeks away.", None, True),
        ("Nobody should expect a breakthrough tonight", "Laura Benson", False),
        ("serious but not hostile", None, True),
        ("We are closer than we were this morning", "Henrik Dahl", False),
    ]
    assert geneva.quotes[2].role == "spokesperson"


def test_geneva_people(geneva: ParsedStory) -> None:
    assert [(p.name, p.role) for p in geneva.people] == [
        ("Laura Benson", "Secretary of State"),
        ("Henrik Dahl", "chief UN mediator"),
    ]


# -- English article without ticker, curly quotes, a quote over two paragraphs ------------
@pytest.fixture(scope="module")
def nato() -> ParsedStory:
    return load("en-article-curly.txt")


def test_nato_has_no_ticker(nato: ParsedStory) -> None:
    assert nato.ticker == ()
    assert nato.title == "NATO allies split over air defence pledge"
    assert nato.lead.startswith("NATO defence ministers failed")
    assert len(nato.body) == 6
    assert not any("Jane Doe" in t or "Share this" in t or "Sign up" in t for t in all_text(nato))


def test_nato_quotes(nato: ParsedStory) -> None:
    assert speakers(nato) == [
        ("united on the goal, if not yet on the timetable.", "Mark Ellison", True),
        ("regrettable", "Petra Kühn", True),
        (
            "We have the systems, we have the money, and we still have no decision",
            "Petra Kühn",
            False,
        ),
        ("I understand the frustration", "Adam Wiśniewski", False),
        ("But a pledge without delivery dates is worth nothing.", "Adam Wiśniewski", False),
        ("We will not sign a paper that changes nothing on the ground.", "Adam Wiśniewski", False),
        ("a provocation.", "Kremlin", True),
    ]


def test_nato_people_titles_and_appositions(nato: ParsedStory) -> None:
    assert [(p.name, p.role) for p in nato.people] == [
        ("Mark Ellison", "NATO’s secretary-general"),
        ("Petra Kühn", "German Defence Minister"),
        ("Adam Wiśniewski", "Polish Foreign Minister"),
    ]


def test_nato_summary_skips_bare_quotes_and_back_references(nato: ParsedStory) -> None:
    assert 3 <= len(nato.summary) <= 5
    for sentence in nato.summary:
        assert not sentence.startswith(("He ", "The latter", "“But", "“We will"))


# -- German article in Windows-1252, hard-wrapped, kicker above the title -----------------
@pytest.fixture(scope="module")
def vienna() -> ParsedStory:
    return load("de-article-wrapped.cp1252.txt")


def test_vienna_decodes_and_unwraps(vienna: ParsedStory) -> None:
    assert vienna.title == "Außenminister beraten in Wien über Waffenruhe"
    assert vienna.lead == (
        "Die Außenminister der OSZE-Staaten haben bei ihrem Treffen in Wien über eine mögliche "
        "Waffenruhe in der Ostukraine beraten, ohne sich auf einen Zeitplan zu einigen."
    )
    assert len(vienna.body) == 4
    assert vienna.ticker == ()
    assert not any("Ukraine-Krieg" in t or "Facebook" in t or "dpa" in t for t in all_text(vienna))


def test_vienna_quotes_and_people(vienna: ParsedStory) -> None:
    assert speakers(vienna) == [
        ("ersten, aber wichtigen Schritt", "Stefan Huber", True),
        ("Niemand in diesem Saal glaubt an eine schnelle Lösung", "Stefan Huber", False),
        ("ein Stück Papier", "Claudia Meier", True),
    ]
    assert [(p.name, p.role) for p in vienna.people] == [
        ("Stefan Huber", "österreichischer Außenminister"),
        ("Claudia Meier", "Schweizer Außenministerin"),
    ]


def test_vienna_summary_keeps_abbreviations_inside_sentences(vienna: ParsedStory) -> None:
    assert 3 <= len(vienna.summary) <= 5
    assert all(not s.startswith(("Dieser", "Sie ", "B. ")) for s in vienna.summary)


# -- every page ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.txt")))
def test_summary_is_verbatim_and_in_reading_order(name: str) -> None:
    # The story's own sentences, or the page's own key points where it has a block of them.
    story = load(name)
    text = "\n".join([story.lead, *story.body])
    if not all(sentence in text for sentence in story.summary):
        text = decode_page((PAGES / name).read_bytes())
    positions = [text.index(sentence) for sentence in story.summary]
    assert positions == sorted(positions)


# -- British style: single quotes, "+++ 18:45 +++" stamps, a bare "Live" marker ----------
@pytest.fixture(scope="module")
def strike() -> ParsedStory:
    return load("en-single-quotes-plus-stamps.txt")


def test_strike_single_quotes_and_pronouns(strike: ParsedStory) -> None:
    assert speakers(strike) == [
        ("entirely avoidable", "Helen Marsh", True),
        ("We have made a fair offer and the unions know it", "Helen Marsh", False),
        ("Now it is time to talk.", "Helen Marsh", False),
        ("The offer is a pay cut in real terms", "Tom Briggs", False),
    ]
    assert [(p.name, p.role) for p in strike.people] == [
        ("Helen Marsh", "transport secretary"),
        ("Tom Briggs", "Union leader"),
    ]


def test_strike_plus_stamps(strike: ParsedStory) -> None:
    assert [(t.time, t.headline, len(t.body)) for t in strike.ticker] == [
        ("18:45", "Unions call a second ballot", 1),
        ("19:10", "Talks to resume on Friday", 1),
    ]
    assert len(strike.body) == 2
    assert "Live" not in strike.body


def test_strike_summary_avoids_pronoun_attributions(strike: ParsedStory) -> None:
    assert not any("she told" in s or "he said" in s for s in strike.summary)
