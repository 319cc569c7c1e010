"""Readable forms of ALL-CAPS headlines and short titles made from a lead."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from bot.story.furniture import is_all_caps
from bot.story.marks import ALL_MARKS
from bot.story.words import lazy, wordset

_TOKEN = lazy(r"[^\W_]+")


@lru_cache(maxsize=4)
def _vocabulary(text: str) -> dict[str, str]:
    """Lower-case word → the spelling it has mid-sentence, where sentence case says nothing."""
    spellings: dict[str, Counter[str]] = {}
    for line in text.split("\n"):
        matches = list(_TOKEN.finditer(line))
        for index, match in enumerate(matches):
            gap = line[matches[index - 1].end() : match.start()] if index else ""
            if index == 0 or any(mark in gap for mark in _SENTENCE_ENDS):
                continue
            if _in_caps_run(matches, index):
                continue  # another ALL-CAPS headline says nothing about spelling
            word = match.group()
            spellings.setdefault(word.lower(), Counter())[word] += 1
    return {lower: counts.most_common(1)[0][0] for lower, counts in spellings.items()}


_SENTENCE_ENDS = ".!?:…"


def _in_caps_run(matches: list[re.Match[str]], index: int) -> bool:
    def caps(i: int) -> bool:
        word = matches[i].group() if 0 <= i < len(matches) else ""
        return len(word) > 1 and word.isupper() and not word.isdigit()

    return caps(index) and (caps(index - 1) or caps(index + 1))


def _compound_spelling(lower: str, vocabulary: dict[str, str]) -> str | None:
    """A German compound takes the case of a known word it ends with ("bahnverkehr")."""
    nouns = [w for w in vocabulary.values() if w[:1].isupper() and not w.isupper()]
    for cut in range(1, len(lower) - _COMPOUND_TAIL + 1):
        tail = lower[cut:]
        if any(noun.lower().endswith(tail) for noun in nouns):
            return lower[:1].upper() + lower[1:]
    return None


# "Bahnverkehr" meets "Fernverkehr" in "verkehr"; shorter tails are mere inflection.
_COMPOUND_TAIL = 7


def display_headline(headline: str, vocabulary_text: str) -> str:
    """An ALL-CAPS headline in sentence case, names restored from the story; others unchanged."""
    if not is_all_caps(headline):
        return headline
    vocabulary = _vocabulary(vocabulary_text)
    first = True
    pieces: list[str] = []
    position = 0
    for match in _TOKEN.finditer(headline):
        pieces.append(headline[position : match.start()])
        word = match.group()
        known = vocabulary.get(word.lower()) or _compound_spelling(word.lower(), vocabulary)
        if known is not None and (not first or not known.islower()):
            readable = known
        elif first:
            readable = word[:1] + word[1:].lower()
        else:
            readable = word.lower()
        pieces.append(readable)
        first = False
        position = match.end()
    pieces.append(headline[position:])
    return "".join(pieces)


_TRAILING_FUNCTION_WORDS = wordset("""
    der die das den dem des ein eine einen einem einer eines und oder aber mit von zu zum zur
    im in ins am an auf aus bei nach vor für über unter um durch gegen ohne seit bis ist sind
    war wird hat sich dass als wie the a an and or but of to in on at from by for with is are
    was that as its his her their
    """)


def shorten(text: str, limit: int = 90) -> str:
    """Text cut at a word boundary to at most `limit` characters, ending on a content word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text.rstrip(".;:, ")
    cut = text[: limit + 1]
    result = _trim_words(cut[: cut.rfind(" ")] if " " in cut else cut[:limit])
    while _unbalanced_quote(result):
        # Never leave a quotation open in a title: cut before its opening mark.
        last_mark = max(result.rfind(mark) for mark in ALL_MARKS if mark not in "'’")
        result = _trim_words(result[:last_mark])
    return (result or text[:limit]) + "…"


def _trim_words(text: str) -> str:
    words = text.split()
    marks = "".join(ALL_MARKS)
    while words:
        stripped = words[-1].strip(marks + ".,;:–—-")
        if stripped and stripped.lower() not in _TRAILING_FUNCTION_WORDS:
            break
        words.pop()
    return " ".join(words).rstrip(".;:,–—- ")


def _unbalanced_quote(text: str) -> bool:
    return sum(text.count(mark) for mark in ALL_MARKS if mark not in "'’") % 2 == 1
