"""Readable forms of ALL-CAPS headlines and short titles made from a lead."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from bot.story.furniture import is_all_caps
from bot.story.marks import ALL_MARKS
from bot.story.words import lazy, trie_pattern, wordset

_TOKEN = lazy(r"[^\W_]+")


@lru_cache(maxsize=4)
def _vocabulary(text: str) -> dict[str, str]:
    """Lower-case word → the spelling it has mid-sentence, where sentence case says nothing."""
    # One findall per line yields each word with the gap before it: no match object and no
    # second search per word, which made this the slowest step of a 2 MB page.
    seen: list[str] = []
    for line in text.split("\n"):
        if is_all_caps(line):
            continue  # another ALL-CAPS headline says nothing about spelling
        previous_caps = False
        for position, (gap, word) in enumerate(_GAP_AND_WORD.findall(line)):
            caps = len(word) > 1 and word.isupper() and not word.isdigit()
            mid_sentence = position > 0 and _SENTENCE_END_CHARS.isdisjoint(gap)
            was_caps, previous_caps = previous_caps, caps
            if not mid_sentence or (caps and was_caps):
                continue
            seen.append(word)
    spellings: dict[str, dict[str, int]] = {}
    # Counter keeps first occurrences in order, so ties go to the spelling seen first.
    for word, count in Counter(seen).items():
        spellings.setdefault(word.lower(), {})[word] = count
    return {lower: max(counts, key=counts.__getitem__) for lower, counts in spellings.items()}


_GAP_AND_WORD = lazy(r"([\W_]*)([^\W_]+)")
_SENTENCE_END_CHARS = frozenset(".!?:…")


@lru_cache(maxsize=4)
def _noun_endings(text: str) -> frozenset[str]:
    """The last `_COMPOUND_TAIL` letters (lower case) of each capitalised noun of a text."""
    return frozenset(noun[-_COMPOUND_TAIL:].lower() for noun in set(_NOUN.findall(text)))


# The capital first, the word start checked behind it: a pattern that opens on a
# character class is searched for in C, one that opens on a lookbehind tries every place.
_NOUN = lazy(r"[A-ZÄÖÜ](?<![\w][A-ZÄÖÜ])[a-zäöüß]{6,}(?![\w])")


def _compound_spelling(lower: str, text: str) -> str | None:
    """A German compound takes the case of a known word it ends with ("bahnverkehr").

    The word must end in `_COMPOUND_TAIL` or more letters of a noun of the text and be
    longer than that ending; any such shared ending ends in the noun's last
    `_COMPOUND_TAIL` letters, so one set lookup of those decides.
    """
    if len(lower) > _COMPOUND_TAIL and lower[-_COMPOUND_TAIL:] in _noun_endings(text):
        return lower[:1].upper() + lower[1:]
    return None


# "Bahnverkehr" meets "Fernverkehr" in "verkehr"; shorter tails are mere inflection.
_COMPOUND_TAIL = 7
# Family ALL-CAPS headlines: German words after an article are nouns ("ÜBER DEN REGEN").
_DE_DETERMINERS = wordset("""
    der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner
    zum zur im am vom beim ins
    """)
_DE_NOUN_SUFFIXES = (
    "ung", "heit", "keit", "schaft", "tion", "tät", "ismus", "nis", "chen", "ment", "ik", "ur",
    "ei", "tum", "ling", "eur", "ist", "ität",
)  # fmt: skip
_DE_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")
_DE_ADVERB_ENDINGS = ("ig", "lich", "isch", "bar", "los", "sam", "haft", "weise", "wärts")
_DE_PREPOSITIONS = wordset("""
    vor nach über unter mit gegen für ohne bei aus von zu seit trotz wegen dank statt gegenüber
    """)
# Separable particles and adverbs end headlines without being nouns ("… LEGT VERKEHR LAHM").
_DE_PARTICLES = wordset("""
    lahm fest ab an auf aus ein zu vor zurück weiter fort los bei mit nach her hin vorbei
    bekannt frei offen weg nieder heim hoch statt teil kaputt wieder erneut noch nicht mehr
    """)
_DE_FUNCTION = wordset("""
    und oder aber mit von zu für über unter auf aus bei nach vor um durch gegen ohne seit bis
    in an als wie nicht noch auch nur schon sich ist sind war wird werden hat haben
    """)


def _spellings(text: str, wanted: frozenset[str]) -> dict[str, str]:
    """`_vocabulary(text)` for the words in `wanted` only, counted once per distinct word.

    One findall in C yields every word that stands mid-sentence (after a word of its line,
    with no sentence end between); a Counter adds them up. Only the rule that a word in
    capitals after another says nothing ("NATO WARNT") needs the word before it: the few
    words with a spelling in capitals are read again one by one, on their lines alone.
    """
    prose = "\n".join(line for line in text.split("\n") if not is_all_caps(line))
    spellings: dict[str, dict[str, int]] = {}
    for word, count in Counter(_MID_SENTENCE_WORD.findall(prose)).items():
        lower = word.lower()
        if lower in wanted:
            # Counter keeps first occurrences in order, so ties go to the spelling seen first.
            spellings.setdefault(lower, {})[word] = count
    in_capitals = {
        lower: counts for lower, counts in spellings.items() if any(map(_caps_word, counts))
    }
    result = {
        lower: max(counts, key=counts.__getitem__)
        for lower, counts in spellings.items()
        if lower not in in_capitals
    }
    if in_capitals:
        spelt = {word for counts in in_capitals.values() for word in counts}
        places = re.compile(r"(?<![^\W_])(?:" + trie_pattern(spelt) + r")")
        lines = "\n".join(line for line in prose.split("\n") if places.search(line))
        exact = _vocabulary(lines)
        result.update((lower, exact[lower]) for lower in in_capitals if lower in exact)
    return result


# A word after another word of its line with no sentence end between them (`_vocabulary`'s
# mid-sentence test): the gap holds no letter, digit, line break or sentence end.
# Its first character is matched before the lookbehinds test it and the word before it
# (as `_NOUN`): the search skips letters in C.
_MID_SENTENCE_WORD = lazy(r"[\W_](?<![\n.!?:…])(?<=[^\W_].)(?:_|[^\w\n.!?:…])*([^\W_]+)")


def _caps_word(word: str) -> bool:
    return len(word) > 1 and word.isupper() and not word.isdigit()


def display_headline(headline: str, vocabulary_text: str, language: str | None = None) -> str:
    """An ALL-CAPS headline in sentence case, names restored from the story; others unchanged."""
    if not is_all_caps(headline):
        return headline
    return _readable(headline, _vocabulary(vocabulary_text), vocabulary_text, language)


def display_headlines(
    headlines: list[str], vocabulary_text: str, language: str | None = None
) -> list[str]:
    """`display_headline` of each headline, the story's spellings read once for all of them."""
    caps = [headline for headline in headlines if is_all_caps(headline)]
    wanted = frozenset(word.lower() for headline in caps for word in _TOKEN.findall(headline))
    vocabulary = _spellings(vocabulary_text, wanted) if wanted else {}
    return [
        _readable(headline, vocabulary, vocabulary_text, language)
        if is_all_caps(headline)
        else headline
        for headline in headlines
    ]


def _readable(
    headline: str, vocabulary: dict[str, str], vocabulary_text: str, language: str | None
) -> str:
    german = language == "de" if language else _looks_german(headline)
    first = True
    pieces: list[str] = []
    position = 0
    words = [m.group().lower() for m in _TOKEN.finditer(headline)]
    for index, match in enumerate(_TOKEN.finditer(headline)):
        pieces.append(headline[position : match.start()])
        word = match.group()
        known = vocabulary.get(word.lower()) or _compound_spelling(word.lower(), vocabulary_text)
        if known is not None and (not first or not known.islower()):
            readable = known
        elif first or (german and _german_noun(words, index)):
            readable = word[:1] + word[1:].lower()
        else:
            readable = word.lower()
        pieces.append(readable)
        first = False
        position = match.end()
    pieces.append(headline[position:])
    return "".join(pieces)


def _looks_german(headline: str) -> bool:
    words = {w.lower() for w in _TOKEN.findall(headline)}
    return bool(words & (_DE_DETERMINERS | _DE_FUNCTION)) or any(c in headline for c in "ÄÖÜß")


def _german_noun(words: list[str], index: int) -> bool:
    """A word of a German ALL-CAPS headline that is a noun by its place or its ending."""
    word = words[index]
    if word in _DE_DETERMINERS or word in _DE_FUNCTION or len(word) < 3:
        return False
    if word.endswith(_DE_NOUN_SUFFIXES) and len(word) > 5:
        return True
    before = words[index - 1] if index else ""
    after = words[index + 1] if index + 1 < len(words) else ""
    if before in _DE_DETERMINERS:
        # "DEN REGEN" – a noun; "DEN STARKEN REGEN" – an adjective, then the noun.
        adjective = word.endswith(_DE_ADJECTIVE_ENDINGS) and after and after not in _DE_FUNCTION
        return not adjective
    two_before = words[index - 2] if index > 1 else ""
    if two_before in _DE_DETERMINERS and before.endswith(_DE_ADJECTIVE_ENDINGS):
        return True
    if before in _DE_PREPOSITIONS:
        # "VOR GLATTEIS": a noun after a preposition, unless an adjective leads to one.
        return not (word.endswith(_DE_ADJECTIVE_ENDINGS) and after and after not in _DE_FUNCTION)
    if word in _DE_PARTICLES or word.endswith(_DE_ADVERB_ENDINGS):
        return False
    if index + 1 == len(words):
        # The last word after a finite verb is its object: "ARBEITGEBER FORDERN REFORMEN".
        return any(w.endswith(("t", "en", "n")) and w not in _DE_FUNCTION for w in words[1:index])
    # Right after the finite verb in second place: "POLIZEI SPERRT STRASSE NACH UNFALL".
    return index == 2 and words[1].endswith(("t", "en")) and words[1] not in _DE_FUNCTION


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
