"""escape, visible_length and split_message (properties and cases), every chunk checked
by the fake Bot API's HTML oracle (bench/fakeapi/botapi_text.py), not by the product's code."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.fakeapi.botapi_text import html_problem
from bot.texts.html import (
    _split_atoms,
    _split_by_blocks,
    escape,
    highlight,
    split_message,
    utf16_length,
    visible_length,
    visible_text,
)

# Characters that break naive splitters: markup, entities, emoji (flags, ZWJ families,
# skin tones), combining accents, and every kind of whitespace we cut at.
TRICKY = "<>&;#\"' \n\n\t.!?…„“«»éa\u0301🇩🇪👨\u200d👩\u200d👧👍🏽😀ß"
text_strategy = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(codec="utf-8")), max_size=80
)
INLINE_TAGS = ["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler"]
SEPARATORS = ["", " ", "\n", "\n\n", "\n\n\n", ". ", "! "]


def _wrap(tag: str, children: list[str]) -> str:
    inner = "".join(children)
    if tag == "span":
        return f'<span class="tg-spoiler">{inner}</span>'
    return f"<{tag}>{inner}</{tag}>"


def _inline(depth: int) -> st.SearchStrategy[str]:
    text = text_strategy.map(escape)
    if depth == 0:
        return text
    element = st.builds(
        _wrap,
        st.sampled_from([*INLINE_TAGS, "span"]),
        st.lists(_inline(depth - 1), max_size=4),
    )
    link = text.map(lambda t: f'<a href="https://example.org/?a=1&amp;b=2">{t}</a>')
    return st.one_of(text, element, link)


_block = st.one_of(
    _inline(3),
    text_strategy.map(lambda t: f"<code>{escape(t)}</code>"),
    text_strategy.map(lambda t: f'<pre><code class="language-python">{escape(t)}</code></pre>'),
    st.lists(_inline(2), max_size=3).map(lambda xs: "<blockquote>" + "".join(xs) + "</blockquote>"),
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(_block, max_size=12))
    out = []
    for block in blocks:
        out.append(block)
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


def _ink(html: str) -> str:
    """Visible text without any whitespace: what must survive splitting unchanged."""
    return re.sub(r"\s+", "", visible_text(html))


def _check_split(html: str, limit: int) -> list[str]:
    chunks = split_message(html, limit)
    for chunk in chunks:
        assert utf16_length(chunk) <= limit, chunk
        assert visible_length(chunk) <= limit
        assert html_problem(chunk) is None, chunk
        assert visible_text(chunk).strip(), "empty chunk"
    assert "".join(_ink(c) for c in chunks) == _ink(html)
    return chunks


# -- escape ---------------------------------------------------------------------------


@given(st.text())
def test_escape_round_trips_and_is_valid(text: str) -> None:
    escaped = escape(text)
    assert visible_text(escaped) == text
    assert "<" not in escaped and ">" not in escaped
    assert html_problem(escaped, kind="markup") is None


def test_escape_handles_the_three_specials() -> None:
    assert escape("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"
    assert escape("&amp;") == "&amp;amp;"


def test_visible_length_counts_entities_once_and_emoji_as_telegram_does() -> None:
    assert visible_length("<b>a &amp; b</b>") == 5
    assert visible_length("😀") == 2  # one code point, two UTF-16 units
    assert visible_text('<a href="u">x&lt;y</a>') == "x<y"


# -- split_message: properties --------------------------------------------------------


# A hundred documents reach every tag, nesting and cut kind the strategy draws (300 found
# nothing more, at three times the CPU).
@settings(max_examples=100, deadline=None)
@given(documents(), st.integers(min_value=150, max_value=700))
def test_split_properties_on_marked_up_documents(html: str, limit: int) -> None:
    assert html_problem(html, kind="markup") is None
    _check_split(html, limit)


@settings(max_examples=200, deadline=None)
@given(text_strategy, st.integers(min_value=8, max_value=60))  # "&quot;" is 6 long
def test_split_properties_on_escaped_plain_text(text: str, limit: int) -> None:
    _check_split(escape(text), limit)


# Each example splits up to 18,000 characters: a dozen cover the five kinds of character
# and the three tags.
@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["x", "ü", "😀", "&", "<"]), st.integers(1, 3000)),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["b", "i", "tg-spoiler"]),
)
def test_split_very_long_words_inside_tags(parts: list[tuple[str, int]], tag: str) -> None:
    words = " ".join(char * count for char, count in parts)
    _check_split(f"<{tag}>{escape(words)}</{tag}>", 4096)


@given(documents())
def test_a_message_that_fits_stays_one_chunk(html: str) -> None:
    chunks = split_message(html, 100_000)
    if visible_text(html).strip():
        assert len(chunks) == 1
    else:
        assert chunks == []


# Paragraphs as the formatters write them: words, our tags, blank lines between.
_word = st.text(alphabet="abcäöü€😀.,!?&<>-", min_size=1, max_size=12).map(escape)
_phrase = st.lists(_word, min_size=1, max_size=8).map(" ".join)
_marked = st.one_of(
    _phrase,
    _phrase.map(lambda t: f"<b>{t}</b>"),
    st.tuples(_phrase, _phrase).map(lambda p: f"<i>{p[0]}</i> · {p[1]}"),
    _phrase.map(lambda t: f"<code>#{t}</code>"),
)
_paragraph = st.lists(_marked, min_size=1, max_size=4).map(lambda xs: "\n".join(xs))
# Up to a dozen paragraphs: several chunks at the smaller limits, without lists so long
# that the character-by-character oracle spends its time on one example.
_paragraphs = st.lists(
    st.tuples(_paragraph, st.sampled_from(["\n\n", "\n\n\n", "\n\n\n\n"])),
    min_size=1,
    max_size=12,
).map(lambda ps: "".join(p + gap for p, gap in ps).strip())


# The character-by-character oracle is the slow part: fifty replies of up to a dozen
# paragraphs each already cut at every kind of boundary.
@settings(max_examples=50, deadline=None)
@given(_paragraphs, st.integers(min_value=60, max_value=600))
def test_long_replies_of_paragraphs_split_as_character_by_character(html: str, limit: int) -> None:
    # The paragraph path exists for speed only: wherever it answers, it answers the same.
    by_blocks = _split_by_blocks(html, limit)
    if by_blocks is not None:
        assert by_blocks == _split_atoms(html, limit)


def test_an_audit_sized_reply_takes_the_paragraph_path() -> None:
    entry = (
        "<code>#{n}</code> <i>02.12. 09:{n:02}</i> · 1 · <b>Bearbeitet</b> · Meldung #{n}\n"
        "<s>alt</s> → neu {n}"
    )
    html = "\n\n".join(["<b>Protokoll (50)</b>", *(entry.format(n=n) for n in range(50))])
    chunks = _split_by_blocks(html, 700)
    assert chunks is not None and len(chunks) > 5
    assert chunks == _split_atoms(html, 700) == split_message(html, 700)


# -- split_message: cases -------------------------------------------------------------


def test_splits_at_paragraphs_before_lines_and_sentences() -> None:
    first = "Erster Absatz. Mit zwei Sätzen."
    second = "Zweiter Absatz\nmit einer Zeile."
    assert split_message(f"{first}\n\n{second}", 50) == [first, second]


def test_an_over_long_paragraph_is_cut_at_a_sentence_end() -> None:
    text = "Satz eins ist hier. Satz zwei folgt sogleich. Satz drei."
    assert split_message(text, 30) == [
        "Satz eins ist hier.",
        "Satz zwei folgt sogleich.",
        "Satz drei.",
    ]


def test_items_separated_by_two_blank_lines_stay_whole() -> None:
    item = "<b>Headline</b>\n\nBody one.\n\nBody two."
    chunks = split_message(f"{item}\n\n\n{item}\n\n\n{item}", 110)
    assert chunks == [f"{item}\n\n\n{item}", item]


def test_open_tags_are_closed_and_reopened_at_a_cut() -> None:
    html = '<b>fett <a href="https://e.org/?a=1&amp;b=2">ein langer Link</a> weiter</b>'
    first = '<b>fett <a href="https://e.org/?a=1&amp;b=2">ein langer</a></b>'
    chunks = split_message(html, len(first))
    assert chunks == [first, '<b><a href="https://e.org/?a=1&amp;b=2">Link</a> weiter</b>']


def test_never_cuts_inside_an_entity() -> None:
    html = "&amp;" * 50
    chunks = split_message(html, 12)
    assert all(c == "&amp;&amp;" for c in chunks)
    assert len(chunks) == 25


def test_a_ten_thousand_character_paragraph() -> None:
    sentence = "Die NATO & die Ukraine <verhandeln> weiter über Garantien. "
    paragraph = escape(sentence * (10_000 // len(sentence) + 1))
    html = f"<b>Titel</b>\n\n{paragraph}\n\nSchluss."
    chunks = _check_split(html, 4096)
    assert len(chunks) >= 3
    assert chunks[0] == "<b>Titel</b>"
    assert chunks[-1].endswith("Schluss.")
    # Every cut inside the long paragraph falls at a sentence end.
    assert all(c.endswith(".") for c in chunks[1:])


def test_emoji_clusters_are_not_torn_apart_by_a_hard_cut() -> None:
    family = "👨\u200d👩\u200d👧"
    chunks = split_message(family * 10, 16)
    assert all(c.startswith("👨") and c.endswith("👧") for c in chunks)
    flags = split_message("🇩🇪" * 5, 4)
    assert flags == ["🇩🇪"] * 5


def test_elements_without_text_cost_nothing() -> None:
    link = '<a href="https://example.org/a-rather-long-address">'
    html = f"{link}</a>" * 20 + "<b>x</b>"
    assert split_message(html, 10) == ["<b>x</b>"]


def test_empty_and_whitespace_give_no_chunks() -> None:
    assert split_message("") == []
    assert split_message(" \n\n ") == []
    assert split_message("<b> </b>") == []


def test_limit_too_small_for_the_markup_raises() -> None:
    with pytest.raises(ValueError):
        split_message('<a href="https://example.org/long">x</a>', 10)
    with pytest.raises(ValueError):
        split_message("x", 0)


# -- highlight ------------------------------------------------------------------------


def test_highlight_escapes_around_the_marks() -> None:
    assert highlight("a<b & c", [(0, 1), (4, 5)]) == "<b>a</b>&lt;b <b>&amp;</b> c"
    assert highlight("abc", [(1, 3), (0, 2)]) == "<b>abc</b>"


@given(st.text(), st.lists(st.tuples(st.integers(-5, 50), st.integers(-5, 50)), max_size=5))
def test_highlight_is_always_valid(text: str, spans: list[tuple[int, int]]) -> None:
    html = highlight(text, spans)
    assert html_problem(html, kind="markup") is None
    assert visible_text(html) == text
