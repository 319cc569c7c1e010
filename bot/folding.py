"""Matching text as a reader means it: case, accents and umlauts do not matter."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

MAX_KEYWORDS = 10
MAX_KEYWORD_LENGTH = 60
_NON_WORD = re.compile(r"[\W_]+")


# Spelt-out umlauts ("Mueller"); shorter than this, a dropped "e" finds other words.
_SPELT_OUT_UMLAUTS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
_SPELT_OUT_MIN = 4


def fold(text: str) -> str:
    """Case-, accent- and umlaut-insensitive form of a name for matching."""
    text = text.casefold()
    for umlaut, plain in (("ä", "a"), ("ö", "o"), ("ü", "u"), *_SPELT_OUT_UMLAUTS):
        text = text.replace(umlaut, plain)
    text = text.replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def spellings(word: str) -> tuple[str, ...]:
    """A lower-case word as a text may print it: ß and ss both ways (upper case and Swiss
    pages write ss) and ae/oe/ue for the umlaut, as `fold` treats them."""
    found = [word, word.replace("ß", "ss"), word.replace("ss", "ß")]
    for spelling in list(found):
        for spelt, plain in _SPELT_OUT_UMLAUTS:
            spelling = spelling.replace(spelt, plain)
        if len(spelling) >= _SPELT_OUT_MIN:
            found.append(spelling)
    return tuple(dict.fromkeys(found))


def _words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def parse_keywords(typed: str) -> tuple[str, ...]:
    """The keywords of a typed list ("Rutte, Gipfel"), as written, without repeats."""
    found: dict[str, str] = {}
    for part in re.split(r"[,;\n]+", typed):
        word = " ".join(part.split())[:MAX_KEYWORD_LENGTH]
        if _words(word):
            found.setdefault(_words(word), word)
    return tuple(found.values())[:MAX_KEYWORDS]


def mentions(keywords: Sequence[str], text: str) -> bool:
    """Whether the text mentions one of the keywords, as /search finds words: at the start
    of a word ("Gipfel" finds "Gipfeltreffen"), whatever the case, accents or umlauts."""
    haystack = " " + _words(text)
    return any(" " + _words(word) in haystack for word in keywords if _words(word))
