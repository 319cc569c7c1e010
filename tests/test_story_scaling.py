"""The importer's work grows linearly with the page, and its shortcuts change no result.

Time is measured by `python -m bench import`, never here: these tests count work (the
function calls a parse makes) on pages of growing size whose every post is new, so that no
cache of repeated words or lines can hide a step that rereads the whole page per post.
"""

from __future__ import annotations

import cProfile
import gc
import re
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.pages import live_page, live_page_en, live_page_of_size
from bot.story import display_headline, parse_story
from bot.story.furniture import _has_inline_credit
from bot.story.headline import _compound_spelling, display_headlines
from bot.story.layout import Para
from bot.story.people import build_registry, tokenize

NOW = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)


def calls_of(work: Callable[[], Any]) -> int:
    """Python and C function calls made while `work` runs (the work, not its time)."""
    # cProfile counts the same calls and C-call events as a sys.setprofile hook would, at a
    # fraction of the cost of a Python callback per call.
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        work()
    finally:
        profiler.disable()
    return sum(entry.callcount for entry in profiler.getstats())


def parse_calls(posts: int, seed: int) -> int:
    page = live_page(posts, seed)
    parsed = parse_story(page, now=NOW)  # warm: caches hold this page's words, as in use
    assert len(parsed.ticker) == posts
    return calls_of(lambda: parse_story(page, now=NOW))


@pytest.mark.heavy
def test_doubling_the_page_at_most_doubles_the_parse_work() -> None:
    small, double, quadruple = parse_calls(60, 1), parse_calls(120, 2), parse_calls(240, 3)
    # Linear work doubles with the page (a little less: a page has a fixed share). A step
    # that compares each post with all before it (as looking a name up among every person
    # named so far once did: 2.05, 2.24 and 4.58 here) grows faster with every doubling.
    assert double <= 2.15 * small
    assert quadruple <= 2.15 * double
    assert quadruple <= 4.2 * small


def test_the_scaling_pages_are_read_as_live_pages() -> None:
    parsed = parse_story(live_page(20, 7), now=NOW)
    assert len(parsed.ticker) == 20
    assert all(t.time for t in parsed.ticker)
    assert parsed.quotes and all(q.speaker for q in parsed.quotes)


WORDS = st.sampled_from(
    [
        "Elbe",
        "ELBE",
        "elbe",
        "Pegel",
        "PEGEL",
        "Dresden",
        "DRESDEN",
        "dresden",
        "NATO",
        "Nato",
        "nato",
        "Bahnverkehr",
        "Fernverkehr",
        "FERNVERKEHR",
        "der",
        "DER",
        "und",
        "UND",
        "in",
        "IN",
    ]
)
GAPS = st.sampled_from([" ", " ", ", ", ". ", ": ", "! ", " – ", "\n", " „", "“ ", "_", "…"])


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(st.tuples(WORDS, GAPS), max_size=60),
    st.lists(st.lists(WORDS, min_size=1, max_size=6), min_size=1, max_size=5),
    st.sampled_from(["de", "en", None]),
)
def test_headlines_read_at_once_read_as_one_by_one(
    text: list[tuple[str, str]], headlines: list[list[str]], language: str | None
) -> None:
    vocabulary = "".join(word + gap for word, gap in text)
    heads = [" ".join(words) for words in headlines]
    expected = [display_headline(head, vocabulary, language) for head in heads]
    assert display_headlines(heads, vocabulary, language) == expected


def compound_spelling_by_every_ending(lower: str, text: str) -> str | None:
    """The compound rule as first written: every ending of the word against every noun's."""
    nouns = {m.lower() for m in re.findall(r"(?<![\w])[A-ZÄÖÜ][a-zäöüß]{6,}(?![\w])", text)}
    tails = {noun[cut:] for noun in nouns for cut in range(len(noun) - 6)}
    if any(lower[cut:] in tails for cut in range(1, len(lower) - 6)):
        return lower[:1].upper() + lower[1:]
    return None


SYLLABLE = st.sampled_from(["bahn", "fern", "ver", "kehr", "s", "ä", "ung", "e", "ß", "ö"])


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(SYLLABLE, max_size=6), st.lists(st.lists(SYLLABLE, max_size=6), max_size=4))
def test_a_compound_takes_the_case_of_a_noun_it_ends_like(
    word: list[str], nouns: list[list[str]]
) -> None:
    text = " ".join("".join(noun).capitalize() for noun in nouns)
    lower = "".join(word)
    assert _compound_spelling(lower, text) == compound_spelling_by_every_ending(lower, text)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("Gov.Lt Col sen. Rep.x'’-ä1 ,\n")), max_size=80))
def test_tokens_stand_where_the_text_has_them(text: str) -> None:
    tokens = tokenize(text)
    for token in tokens:
        assert text[token.start : token.end] == token.text
    assert [t.start for t in tokens] == sorted({t.start for t in tokens})


# The inline-credit forms as one alternation, as they were written before being searched
# one by one (a search per form finds them without trying every form at every character).
# A credit may hold a domain ("Foto: picture-alliance.de", 2094c95): a dot before a word
# character does not end it.
INLINE_CREDIT_AS_ONE = re.compile(
    r"(?:\((?:AP|AFP|Reuters|dpa|EPA|Getty|PA)\s+Photo/[^)]*\)\s*$"
    r"|\[[^\]]{2,60}/[^\]]{2,40}\]\s*$|\b(?:REUTERS|KEYSTONE|IMAGO)/|©|Credit(?:\.{3}|…)\s*\S"
    r"|\b(?:Bild|Foto|Fotos|Pic|Photo|Photograph|Picture|Image|Credit|Bildquelle|Illustration)"
    r"\s*:\s*\S(?:[^.]|\.(?=\w)){0,60}$|^\[\d+/\d+\]|\b(?:picture alliance|Getty Images)\b)"
)
CREDIT_PIECES = st.sampled_from(
    [
        *("Bild", "Foto", "Fotos", "REUTERS", "IMAGO", "Credit", "AP", "Getty", "Getty Images"),
        *("picture alliance", " Photo/", " ", ":", "x", "_", "ä", ".", "/", "(", ")", "[", "]"),
        *("12", "©", "…"),
    ]
)


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(CREDIT_PIECES, max_size=10))
def test_inline_credits_are_found_as_the_one_pattern_found_them(pieces: list[str]) -> None:
    line = "".join(pieces)
    expected = INLINE_CREDIT_AS_ONE.search(line) is not None
    assert _has_inline_credit(line) == expected


def test_the_english_scaling_pages_are_read_as_live_pages() -> None:
    parsed = parse_story(live_page_en(20, 7), now=NOW)
    assert len(parsed.ticker) == 20
    assert [t.stamp for t in parsed.ticker[:3]] == [
        line for line in live_page_en(20, 7).split("\n") if line.endswith("minutes ago")
    ]
    assert all(t.published_at for t in parsed.ticker)
    assert parsed.quotes and all(q.speaker for q in parsed.quotes)


@pytest.mark.heavy
def test_doubling_the_english_page_at_most_doubles_the_parse_work() -> None:
    def calls(posts: int, seed: int) -> int:
        page = live_page_en(posts, seed)
        parse_story(page, now=NOW)
        return calls_of(lambda: parse_story(page, now=NOW))

    small, double = calls(60, 4), calls(120, 5)
    assert double <= 2.15 * small


def test_pages_of_a_size_end_after_a_whole_post() -> None:
    for language in ("de", "en"):
        page = live_page_of_size(20_000, seed=3, language=language)
        assert 15_000 < len(page) <= 20_000
        parsed = parse_story(page.decode(), now=NOW)
        assert parsed.ticker[-1].body and parsed.ticker[-1].body[-1].endswith(
            ".”" if language == "en" else "."
        )


def test_a_registry_is_freed_by_reference_counting_alone() -> None:
    """A page's registry holds all its tokens: in a reference cycle they would outlive the
    parse until the cycle collector walked every one of them, inside the parse's time."""
    lines = live_page(20, seed=3).split("\n\n")
    paras = [Para(text, order, 0, "de") for order, text in enumerate(lines)]
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        registry = build_registry(paras, "de")
        assert registry.persons  # the page names people: the registry did its work
        freed = weakref.ref(registry)
        del registry
        assert freed() is None
    finally:
        if was_enabled:
            gc.enable()
