"""Properties that hold for any page, checked on generated input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.story import ParsedStory, StoryError, decode_page, parse_story, split_sentences
from bot.story.furniture import is_furniture
from bot.story.marks import ALL_MARKS

PARAGRAPHS = [
    "Die Ukraine drängt die NATO zu einer Einladung, doch die Minister bleiben vorsichtig.",
    "„Es gab keine Fortschritte“, sagte der litauische Außenminister Jonas Petras.",
    "Der Prozess ist „irreversibel“, erinnerte NATO-Generalsekretär Mark Rutte die Presse.",
    'Secretary of State Laura Benson said: "Nobody should expect a breakthrough."',
    "Er hatte bereits im Februar ein Interview mit dem russischen Präsidenten geführt.",
    "Letzterer beharrte jedoch auf seiner Position, „nur wahr„Garantie“, so Kiew.",
    "The talks will resume on Wednesday, mediators said after a long night in Geneva.",
    "«We are closer than this morning,» said Henrik Dahl, the chief UN mediator.",
    "Das nächste Treffen ist für den 3. März in Genf geplant, z. B. mit Beobachtern.",
]
HEADLINES = [
    "TUCKER CARLSON NOCH IN RUSSLAND",
    "18:45 Uhr – STURM ÜBER NORDDEUTSCHLAND",
    "09:12 MINISTER TREFFEN SICH IN BRÜSSEL",
    "6:45 p.m. ET",
    "Mediators extend session past midnight",
]
FURNITURE = [
    "Verfolgen Sie die neuesten Informationen zum Konflikt.",
    "Lesen Sie auch: Was die Einigung bedeutet",
    "Mehr zum Thema",
    "Jetzt abonnieren",
    "Anzeige",
    "Advertisement",
    "Follow our live coverage for the latest updates",
    "Sign up for our newsletter",
    "Read more: What a ceasefire would mean",
    "Share this article",
    "Wir verwenden Cookies.",
]
MARKERS = ["Minute für Minute", "+++ Liveticker +++", "Live updates", "Der Newsblog"]
MARKS = "".join(sorted(ALL_MARKS))

page_lines = st.lists(
    st.sampled_from(PARAGRAPHS + HEADLINES + FURNITURE + MARKERS), min_size=1, max_size=14
)
noisy_text = st.text(
    alphabet=st.sampled_from(list("aeinrstAEUÄü .,:;!?-–\n0123456789" + MARKS)), max_size=400
)


def parse_or_none(text: str) -> ParsedStory | None:
    try:
        return parse_story(text)
    except StoryError:
        return None


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.one_of(st.text(max_size=600), noisy_text))
def test_parse_story_raises_nothing_but_story_error(text: str) -> None:
    parse_or_none(text)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.one_of(noisy_text, st.sampled_from(PARAGRAPHS)), min_size=1, max_size=8))
def test_quotes_never_start_or_end_with_a_mark(parts: list[str]) -> None:
    story = parse_or_none("\n".join(parts))
    if story is None:
        return
    for quote in story.quotes:
        assert quote.text
        assert quote.text[0] not in ALL_MARKS
        assert quote.text[-1] not in ALL_MARKS


@settings(max_examples=200, deadline=None, database=None)
@given(page_lines)
def test_body_and_ticker_never_hold_furniture(lines: list[str]) -> None:
    story = parse_or_none("\n".join(lines))
    if story is None:
        return
    paragraphs = [story.lead, *story.body]
    for entry in story.ticker:
        paragraphs += [entry.headline, *entry.body]
    for paragraph in paragraphs:
        assert paragraph not in FURNITURE
        assert paragraph not in MARKERS
        assert not is_furniture(paragraph)


@settings(max_examples=200, deadline=None, database=None)
@given(st.one_of(page_lines.map("\n".join), noisy_text))
def test_summary_sentences_appear_verbatim(text: str) -> None:
    story = parse_or_none(text)
    if story is None:
        return
    assert len(story.summary) <= 5
    story_text = "\n".join([story.lead, *story.body, *(p for t in story.ticker for p in t.body)])
    for sentence in story.summary:
        assert sentence in story_text
        assert " ".join(sentence.split()) in " ".join(text.split())


@settings(max_examples=200, deadline=None, database=None)
@given(st.one_of(st.text(max_size=300), noisy_text), st.sampled_from(["de", "en"]))
def test_split_sentences_loses_no_words(text: str, language: str) -> None:
    sentences = split_sentences(text, language)
    assert all(sentence in text for sentence in sentences)
    assert " ".join(sentences).split() == text.split()


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=400))
def test_decode_page_raises_nothing_but_story_error(data: bytes) -> None:
    try:
        text = decode_page(data)
    except StoryError as error:
        assert error.code in {"empty", "binary", "too_large"}
    else:
        assert text.strip()
        assert "\r" not in text
