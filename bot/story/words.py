"""Small helpers for the importer's word lists and patterns."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any


def wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal word list."""
    return frozenset(text.split())


class LazyPattern:
    """A regular expression compiled on first use, so that importing the importer stays cheap."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        """The compiled expression.

        Once compiled, the pattern's own methods replace this class's on the instance: a
        long page calls them a few hundred thousand times, and a Python frame around each
        call was a tenth of the parse.
        """
        compiled = re.compile(self.pattern, self.flags)
        vars(self).update(
            match=compiled.match,
            fullmatch=compiled.fullmatch,
            search=compiled.search,
            finditer=compiled.finditer,
            findall=compiled.findall,
            sub=compiled.sub,
            split=compiled.split,
        )
        return compiled

    @property
    def groupindex(self) -> Any:
        """Named groups of the expression."""
        return self.compiled.groupindex

    def match(self, string: str, pos: int = 0) -> re.Match[str] | None:
        """Like `re.Pattern.match`."""
        return self.compiled.match(string, pos)

    def fullmatch(self, string: str) -> re.Match[str] | None:
        """Like `re.Pattern.fullmatch`."""
        return self.compiled.fullmatch(string)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Like `re.Pattern.search`."""
        return self.compiled.search(string, pos, endpos)

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        """Like `re.Pattern.finditer`."""
        return self.compiled.finditer(string)

    def findall(self, string: str) -> list[Any]:
        """Like `re.Pattern.findall`."""
        return self.compiled.findall(string)

    def sub(self, repl: str, string: str) -> str:
        """Like `re.Pattern.sub`."""
        return self.compiled.sub(repl, string)

    def split(self, string: str) -> list[str | Any]:
        """Like `re.Pattern.split`."""
        return self.compiled.split(string)


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    """A pattern compiled when first used."""
    return LazyPattern(pattern, flags)


# Letters that match "i" or "s" of an IGNORECASE pattern without lower-casing to them:
# "ı", "ſ", and "İ", whose lower case is "i" and a combining dot above.
_FOLDING_APART = ("ı", "ſ", "\u0307")


def words_hint(*words: str) -> LazyPattern:
    """A search of a lower-cased text for `words`: where it finds nothing, no IGNORECASE
    search for one of them can match the text. One scan in C before the costlier search."""
    return lazy("|".join(re.escape(word) for word in (*words, *_FOLDING_APART)))


def trie_pattern(words: Iterable[str]) -> str:
    """A pattern that finds where any of `words` (or a shorter one it starts with) stands.

    One alternation of every word would try each word at each place of a text: a page
    that names hundreds of people would pay for all of them in every paragraph. A trie of
    their letters tries one branch per letter instead, whatever the number of words.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            if "" in node:
                break  # a shorter word is found first: the longer one adds nothing
            node = node.setdefault(char, {})
        else:
            node.clear()
            node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return pattern(trie)


def phrase_trie(phrases: Iterable[str]) -> str:
    """A pattern that matches what an alternation of `phrases`, the longest first, matches.

    Two phrases that match at the same place are one the other's start, so the longest
    that lets the rest of a pattern match is taken, as such an alternation takes it; but a
    failing place costs one branch per letter instead of one per phrase.
    """
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if "" in node:
            if not branches:
                return ""
            # The longer phrases first, then this one ends here.
            return "(?:" + "|".join(branches) + "|)"
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return pattern(trie)
