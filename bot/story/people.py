"""People on a page: a role noun next to capitalised name tokens, and what refers back to them.

A person enters the registry when a role phrase stands next to a name ("der Leiter der
litauischen Diplomatie Gabrielius Landsbergis", "Russian President Vladimir Putin",
"Mark Rutte, NATO's secretary-general,"), after a courtesy title ("Herr Carlson") or as
a named speaker ("said John Smith"). Places and organisations never stand in those
positions, so they stay out. Later mentions are the full name, the surname, a courtesy
title with the surname, a role phrase whose kind matches the person's role ("der
umstrittene Journalist" for a "konservativer Moderator") or a pronoun.
"""

from __future__ import annotations

import itertools
import operator
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from bot.story import lexicon_de as de
from bot.story import lexicon_en as en
from bot.story.layout import MAIN_FLOW, Para
from bot.story.words import lazy, trie_pattern, wordset

_TOKEN = lazy(r"[^\W_](?:[\w'’.-]*[^\W_])?|[^\w\s]")
# A token and what `_TOKEN` passes over before it: every character is a space, an
# underscore or where a token starts.
_GAP_AND_TOKEN = lazy(r"([\s_]*)(" + _TOKEN.pattern + ")")


class Token(NamedTuple):
    """A word or punctuation mark and where it stands in its paragraph."""

    # A tuple: a long page has a million of them, and a frozen dataclass is slow to make.
    text: str
    start: int
    end: int

    @property
    def capitalised(self) -> bool:
        """True if the token starts with a capital letter."""
        return self.text[:1].isupper()


def tokenize(text: str) -> list[Token]:
    """Words and punctuation of a text with their offsets."""
    chunks = text.split()
    if " ".join(chunks) != text:
        return _tokenize_spaced(text)  # other spacing: offsets need the pattern's matches
    # No token holds a space, so each whitespace-free chunk is tokenized alone, and a page
    # repeats its chunks ("sagte", "Uhr", "Meter."): each distinct one is read once. A
    # chunk of letters and digits only is one token as it stands; the others come from
    # the cache, at offsets relative to the chunk.
    make = tuple.__new__  # a Token without the Python-level __new__ of a NamedTuple
    tokens: list[Token] = []
    append = tokens.append
    start = 0
    for chunk in chunks:
        end = start + len(chunk)
        if chunk.isalnum():  # exactly the characters of `[^\W_]`
            append(make(Token, (chunk, start, end)))
        else:
            for word, offset, stop in _chunk_tokens(chunk):
                append(make(Token, (word, start + offset, start + stop)))
        start = end + 1
    return tokens


@lru_cache(maxsize=65536)
def _chunk_tokens(chunk: str) -> tuple[Token, ...]:
    """The tokens of a whitespace-free chunk, offsets relative to it (computed once)."""
    return tuple(_tokenize_spaced(chunk))


def _tokenize_spaced(text: str) -> list[Token]:
    """Words and punctuation of any text with their offsets, by the token pattern."""
    make = tuple.__new__  # a Token without the Python-level __new__ of a NamedTuple
    if not _TITLE_DOT.search(text.lower()):
        # No abbreviated title with its dot ("Gov.") in the text: every match is a token
        # as it stands (a word never ends in a dot, the pattern ends it on a letter).
        # The tokens with the gaps before them, in one findall: offsets are summed lengths
        # instead of two calls on a match object per token.
        tokens: list[Token] = []
        append = tokens.append
        end = 0
        for gap, word in _GAP_AND_TOKEN.findall(text):
            start = end + len(gap)
            end = start + len(word)
            append(make(Token, (word, start, end)))
        return tokens
    tokens = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        if word == "." and tokens and tokens[-1].end == m.end():
            continue  # the dot of an abbreviated title, already in its token
        # Abbreviation dots belong to the word ("Dr."), a sentence's final dot does not;
        # an abbreviated title keeps its dot ("Gov.", "Lt. Col.", "State Sen.").
        if word.lower() in en.ABBREVIATED_TITLES and text[m.end() : m.end() + 1] == ".":
            tokens.append(Token(word + ".", m.start(), m.end() + 1))
        elif word.endswith(".") and len(word) > 1:
            tokens.append(Token(word[:-1], m.start(), m.end() - 1))
            tokens.append(Token(".", m.end() - 1, m.end()))
        else:
            tokens.append(Token(word, m.start(), m.end()))
    return tokens


_TEXT = operator.itemgetter(0)  # a token's text, in C (`map(_TEXT, tokens)`)
_START = operator.attrgetter("start")


# A superset test for the titles above, run on the lower-cased text.
_TITLE_DOT = lazy("(?:" + "|".join(sorted(en.ABBREVIATED_TITLES)) + r")\.")


# Kinds of role let a role phrase without a name find its person ("the journalist").
_DE_ROLES = de.ROLE_KINDS
_EN_ROLES = en.ROLE_KINDS
# A foreign minister is the country's top diplomat, whatever the page calls it.
_DIPLOMACY_WORDS = lazy(r"diplomat|außenminist|foreign minist|secretary of state", re.I)
_DE_ROLE = lazy(
    "(?P<stem>" + "|".join(sorted(_DE_ROLES, key=len, reverse=True)) + ")"
    r"(?P<suffix>innen|in|en|es|er|e|n|s|r)?$"
)
_DE_CASE_SUFFIXES = {"en", "es", "n", "s"}
_FEMININE_ROLE = lazy(r"(?:in|innen)$|woman$|queen", re.I)

_CAP_STOP = wordset("""
    Der Die Das Den Dem Des Ein Eine Einen Einem Einer Eines Und Oder Aber In Im Am An Auf Aus
    Bei Mit Nach Vor Für Über Unter Um Durch Gegen Ohne Seit Bis Es Er Sie Wir Ich Ihr Man
    Sehr Auch Noch Nur Doch Wie Als Wenn Weil Dass So Dann Da Dort Hier Was Wer Wo Dieser Diese
    Dieses Jedoch Allerdings Bereits Herr Frau The A An And Or But Of To On At From By For With
    He She It They We You I His Her Its Their This That These Those Mr Mrs Ms Dr Prof Sir Dame
    Letzterer Letztere Ersterer Erstere Montag Dienstag Mittwoch Donnerstag Freitag Samstag
    Sonntag Januar Februar März April Mai Juni Juli August September Oktober November Dezember
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March June July
    October December Anfang Ende Mitte Beginn Jahr Woche Tag Abend Morgen Nacht Uhr
    """)
_PARTICLES = frozenset(
    {"von", "van", "de", "da", "di", "du", "del", "der", "den", "al", "bin", "ter"}
)
# Endings of German nouns that name bodies and places, never surnames ("von der Bergrettung",
# "von der Grundschule am Lindenhof", "von der Stadtverwaltung").
_BODY_NOUN_ENDINGS = (
    "ung", "heit", "keit", "schaft", "schule", "wehr", "polizei", "klinik", "bahn", "stadt",
    "gemeinde", "universität", "partei", "wacht", "tion", "tät", "amt", "rat", "kammer",
    "behörde", "stelle", "zentrale", "bank", "kasse", "kirche", "gruppe", "initiative",
    "akademie", "stiftung", "regierung", "kommission", "agentur", "organisation", "verband",
    "verein", "union", "liga", "front", "armee", "marine", "küste", "insel", "grenze",
)  # fmt: skip
# Words that stand inside a name before its last part ("Ó Faoláin", "Ní Dhomhnaill").
_NAME_PARTICLE_WORDS = frozenset(
    {"Ó", "Ní", "Nic", "Mac", "Mc", "Ua", "van", "von", "de", "da", "di", "du", "der", "den", "al"}
)
_ARTICLES = wordset("der die das den dem des ein eine einen einem einer eines the a an")
_COURTESY = frozenset(
    {"Herr", "Herrn", "Frau", "Mr", "Mrs", "Ms", "Dr", "Prof", "Sir", "Dame", "Fr", "Rev", "Revd"}
)
_FEMALE_COURTESY = frozenset({"Frau", "Mrs", "Ms", "Dame"})
_EN_MODIFIER = lazy(
    r"^(?:former|top|chief|senior|deputy|acting|outgoing|incoming|new|then|vice|prime|"
    r"foreign|defen[cs]e|interior|finance|state|general|conservative|liberal|controversial|"
    r"longtime|veteran|elected|\w+(?:ian|ese|ish|ic|al|ive|an|i))$",
    re.I,
)
_SPEECH_WORDS_EN = wordset("said says told added who whose which and")
_NAME_SEPARATORS = r"\s,;:!?()\[\]{}\"“”„«»‹›/"
_NAME_WORD = lazy(f"[^{_NAME_SEPARATORS}]+")
# A word a name may consist of starts the text or follows one of these or a space.
_NAME_SEPARATOR_CHARS = frozenset(',;:!?()[]{}"“”„«»‹›/')
_WORD_TAIL = ".'’‘"


def _without_possessive(word: str) -> str:
    # A test in C per word: a regular expression here ran for every word of the page.
    return word[:-2] if word.endswith(("'s", "’s")) else word


_GENITIVES = ("iums", "ats", "ees", "verbands", "komitees")
_SELF_NAMING = de.SELF_NAMING_ORGS | en.SELF_NAMING_ORGS
_ORG_STEMS = tuple(de.ORG_STEMS)  # str.endswith tests a tuple of endings in C
_PERSON_CLAUSE = lazy(
    r"\s*(?:,\s*(?:(?:who|der|die)\s+(?P<verb>[a-zäöüß]+)\s*(?P<rest>[^,.;]{0,80})|whose\s|deren\s|dessen\s"
    r"|\d{1,3}\s*,)|\s*\(\d{1,3}\))"
)
# Family roles: the office a person takes up or leaves ("Daniel Harrow resigns as Housing
# Secretary", "X was appointed as chief executive", "X tritt als Innenminister zurück",
# "X wird neuer Landrat").
_OFFICE_CLAUSE = lazy(
    r"\s+(?:(?:resigns|resigned|quits|quit|steps\s+down|stepped\s+down|was\s+appointed"
    r"|has\s+been\s+appointed|is\s+appointed|was\s+named|has\s+been\s+named|becomes"
    r"|became|remains|was\s+sworn\s+in|is\s+sworn\s+in|takes\s+over|took\s+over)\s+as"
    r"\s+(?:the\s+)?(?P<en>[\w'’-]+(?:\s+[\w'’-]+){0,3}?)(?=\s*(?:[,.;:]|$|\s+(?:after|on|in"
    r"|at|with|following|amid|over|and|but|to|for)\b))"
    r"|(?:tritt|trat)\s+als\s+(?P<de_back>[A-ZÄÖÜ][\w-]+)\s+zurück"
    r"|(?:wird|wurde|ist|bleibt)\s+(?:neue[rs]?\s+|neue\s+)?(?P<de_new>[A-ZÄÖÜ][\w-]+)\b)"
)
_SPEECH_AFTER_NAME = lazy(r"\b(?:said|says|told|added|wrote|tweeted|posted|noted|warned|argued)\b")
_SPEECH_BEFORE_NAME = lazy(
    r"\b(?:said|says|told|added|wrote|sagte|sagt|erklärte|betonte|schrieb|ergänzte|so)\s+$"
)
PRONOUNS_DE = frozenset(
    {"er", "sie", "letzterer", "letztere", "ersterer", "erstere", "dieser", "diese"}
)
PRONOUNS_EN = frozenset({"he", "she", "the latter", "the former"})


@dataclass
class Person:
    """A person of the page; `order` is the page position of the first mention."""

    name: str
    role: str | None
    role_kind: str | None = None
    gender: str | None = None
    order: tuple[int, int] = (1 << 30, 0)

    @property
    def surname(self) -> str:
        """The last name token, by which the page refers back to the person."""
        return self.name.split()[-1]


@dataclass(frozen=True)
class Mention:
    """Where a paragraph refers to a person by name or by a matching role phrase."""

    start: int
    end: int
    person: Person
    in_quote: bool


@dataclass(frozen=True)
class OrgMention:
    """Where a paragraph names an organisation; `head` is its last word, lower-cased."""

    start: int
    end: int
    name: str
    head: str


@dataclass(frozen=True)
class RolePhrase:
    """A role phrase on the page, with the name it introduces where there is one."""

    role: str
    kind: str
    start: int
    end: int
    name: str | None
    nationality: str | None
    definite: bool = False


@lru_cache(maxsize=8192)
def role_kind(role: str) -> str | None:
    """The kind of a role ("media", "head", "diplomacy", …) for matching role phrases."""
    # Cached: a page names the same roles again and again.
    if _DIPLOMACY_WORDS.search(role):
        return "diplomacy"
    for word in reversed(role.split()):
        kind = _noun_kind(word)
        if kind is not None:
            return kind
    return None


def _noun_kind(word: str) -> str | None:
    lower = word.lower().strip(".,")
    if lower in _EN_ROLES:
        return _EN_ROLES[lower]
    match = _de_role(lower)
    return _DE_ROLES[match.group("stem")] if match else None


@lru_cache(maxsize=8192)
def _de_role(lower: str) -> re.Match[str] | None:
    # A page repeats its words: each is matched against the role nouns once.
    return _DE_ROLE.search(lower)


@lru_cache(maxsize=65536)
def _may_be_german_role_noun(text: str) -> bool:
    """True if `_role_phrase_at` can find a phrase at a token of this text (German noun)."""
    return text[:1].isupper() and len(text) >= 4 and _de_role(text.lower()) is not None


# One cache per language, keyed by the text alone: a key of the text and a flag was a
# tuple made and hashed for every word of the page.
@lru_cache(maxsize=65536)
def _may_be_english_role_noun(text: str) -> bool:
    """True if `_role_phrase_at` can find a phrase at a token of this text (English page)."""
    if text.lower().rstrip(".") in _EN_ROLES:
        return True
    return _may_be_german_role_noun(text)


def _german_role_noun(token: Token) -> re.Match[str] | None:
    if not token.capitalised or len(token.text) < 4:
        return None
    return _de_role(token.text.lower())


@lru_cache(maxsize=65536)
def _name_shaped(text: str) -> bool:
    # A page repeats its words: each is judged once (the page's common nouns aside).
    if not text[:1].isupper() or text in _CAP_STOP:
        return False
    if len(text) > 1 and text.isupper():
        return False  # acronyms name organisations
    if text.endswith(("'s", "’s")):
        return False
    return _noun_kind(text) is None


def _nationality(words: list[str]) -> str | None:
    for word in words:
        lower = word.lower()
        if lower.endswith(("isch", "ische", "ischen", "ischer", "isches", "ian", "ese", "ish")):
            return lower[:5]
        if lower.endswith(("'s", "’s")):
            return lower[:5]
    return None


def _office_after(text: str, end: int) -> str | None:
    """The office a name takes up or leaves right after it, if its last word is a role noun."""
    found = _OFFICE_CLAUSE.match(text, end)
    if found is None:
        return None
    office = found.group("en") or found.group("de_back") or found.group("de_new")
    last = office.split()[-1]
    if found.group("en") is not None:
        return office if last.lower() in _EN_ROLES else None
    return office if _may_be_german_role_noun(last) else None


def _german_nominative(modifiers: list[str], noun: str, suffix: str, feminine: bool) -> str:
    words = []
    for word in modifiers:
        if word[:1].islower():
            stem = re.sub(r"(?:en|em|es|er|e)$", "", word)
            word = stem + ("e" if feminine else "er")
        words.append(word)
    if suffix in _DE_CASE_SUFFIXES:
        noun = noun[: len(noun) - len(suffix)]
    return " ".join([*words, noun])


class Registry:
    """The people of a page and the ways the page refers to them."""

    def __init__(self, paras: list[Para], language: str) -> None:
        self.paras = paras
        self.language = language
        self.persons: list[Person] = []
        self._flows: dict[int, list[Para]] = {}
        for para in sorted(paras, key=lambda p: p.order):
            self._flows.setdefault(para.flow, []).append(para)
        self._roles: dict[int, list[RolePhrase]] = {}
        self._mentions: dict[int, list[Mention]] = {}
        self._orgs: dict[int, list[OrgMention]] = {}
        self._index: dict[str, list[tuple[int, set[tuple[str, ...]]]]] | None = None
        self._index_words: re.Pattern[str] | None = None
        self._by_last_word: dict[str, list[Person]] | None = None
        self._named: dict[tuple[str, ...], Person | None] = {}
        self._orders: dict[int, list[int]] = {
            flow: [p.order for p in paras] for flow, paras in self._flows.items()
        }
        self._tokens: dict[int, list[Token]] = {}
        self._token_texts: dict[int, list[str]] = {}
        self._common_nouns = (
            _article_nouns([self._texts(p) for p in paras]) if language == "de" else frozenset()
        )
        # Per distinct token text, once a page: name-shaped and no common noun of the page;
        # and that or a particle (a name goes on after it).
        # The tests close over locals, never over `self`: a registry in a reference cycle
        # outlives the parse until the cycle collector walks its million objects.
        common = self._common_nouns
        shaped = self._shaped = _WordFlags(lambda text: text not in common and _name_shaped(text))
        self._continues_name = _WordFlags(lambda text: shaped[text] or text in _PARTICLES)
        self._may_be_role = _WordFlags(
            _may_be_english_role_noun if language == "en" else _may_be_german_role_noun
        )
        self._org_signal = _WordFlags(_org_signal_de if language == "de" else _org_signal_en)
        self._collect()

    # -- building -------------------------------------------------------------------
    def _collect(self) -> None:
        for para in sorted(self.paras, key=lambda p: p.order):
            tokens, texts = self.tokens(para), self._texts(para)
            phrases = self._role_phrases(para.text, tokens, texts)
            self._roles[para.order] = phrases
            for phrase in phrases:
                if phrase.name:
                    self._register(
                        phrase.name, phrase.role, phrase.kind, para.in_quote(phrase.start)
                    )
            self._courtesy_names(tokens, texts)
            self._speaker_names(para.text, tokens, texts, phrases)
        self._persons_by_first_mention()

    def _register(
        self, name: str, role: str | None, kind: str | None, in_quote: bool = False
    ) -> Person:
        # A role said inside a quotation is the speaker's wording, not the page's.
        page_role = None if in_quote else role
        self._index = None
        self._named.clear()
        existing = self.find_name(name)
        if existing is None:
            person = Person(name, page_role, kind, _gender(role))
            self.persons.append(person)
            if self._by_last_word is not None:
                self._by_last_word.setdefault(name.split()[-1], []).append(person)
            return person
        if len(name.split()) > len(existing.name.split()):
            existing.name = name
        if existing.role is None and page_role:
            existing.role, existing.role_kind = page_role, kind
            existing.gender = existing.gender or _gender(role)
        if existing.role_kind is None:
            existing.role_kind = kind
        return existing

    def _role_phrases(self, text: str, tokens: list[Token], texts: list[str]) -> list[RolePhrase]:
        phrases: list[RolePhrase] = []
        # Most words: one look-up of the page's word flags instead of the phrase reading,
        # all of it in C (`compress` keeps the indices whose token may be a role noun).
        may_be = self._may_be_role.__getitem__
        for index in itertools.compress(range(len(tokens)), map(may_be, texts)):
            phrase = self._role_phrase_at(text, tokens, index, tokens[index])
            if phrase is not None:
                phrases.append(phrase)
        if len(phrases) < 2:
            return phrases  # no phrase to hold another
        # "the chief UN mediator" is one phrase, not "chief" and "chief UN mediator".
        return [
            p
            for p in phrases
            if not any(
                o is not p
                and o.start <= p.start
                and p.end <= o.end
                and (o.end - o.start) > (p.end - p.start)
                for o in phrases
            )
        ]

    def _role_phrase_at(
        self, text: str, tokens: list[Token], index: int, token: Token
    ) -> RolePhrase | None:
        german = _german_role_noun(token)
        english = self.language == "en" and token.text.lower().rstrip(".") in _EN_ROLES
        if german is None and not english:
            return None
        following = tokens[index + 1].text.lower().rstrip(".") if index + 1 < len(tokens) else ""
        if english and following in _EN_ROLES:
            return None  # "Foreign Minister" is read at its last noun
        first, modifiers = _modifiers(tokens, index, english)
        after = index + 1
        complement: list[Token] = []
        linker = tokens[after].text if after < len(tokens) else ""
        if linker in ("der", "des", "von", "of") or (english and linker == "for"):
            j = after + 1
            if j < len(tokens) and tokens[j].text == "the":
                j += 1
            while (
                j < len(tokens)
                and tokens[j].text[:1].islower()
                and tokens[j].text.endswith(("en", "e"))
                and tokens[j].text not in _ARTICLES
            ):
                j += 1
            run = _cap_run(tokens, j)
            if run:
                # "Jonas Pfeiffer, Stahlexperte der Privatbank Hallbach," and "der
                # Gemeindepräsident von Bergün Filisur, Andrea Tscharner,": the name stands
                # apart, the whole capitalised run is the complement.
                apart = self._appositive_name(tokens, first) or self._name_after_comma(
                    tokens, j + len(run)
                )
                keep_for_name = 2 if len(run) >= 3 and not apart else 0
                if keep_for_name and len(run) >= 4 and run[-2].text in _NAME_PARTICLE_WORDS:
                    keep_for_name = 3  # "Minister for Health Ciarán Ó Faoláin"
                # "spokesperson for the Commission" holds no name: "for" opens a complement
                # only before one ("Minister for Health NAME").
                if linker != "for" or keep_for_name:
                    complement_end = j + len(run) - keep_for_name
                    complement = tokens[after:complement_end]
                    after = complement_end
        if english and not complement and after < len(tokens):
            # Family roles: "head of operations", "head of technology research at brokerage
            # Merrow & Finch" when a name stands apart ("X, head of …, said").
            extent = self._english_complement(tokens, after)
            if extent > after and (
                self._appositive_name(tokens, first) or self._name_after_comma(tokens, extent)
            ):
                complement = tokens[after:extent]
                after = extent
        name_tokens = self._name_run(tokens, after)
        noun = token.text
        suffix = german.group("suffix") or "" if german else ""
        if english:
            role_words = [*modifiers, noun, *(t.text for t in complement)]
            role = _join_tokens(text, tokens[first].start, (complement or [token])[-1].end)
            role = role if role_words else noun
        else:
            feminine = suffix in ("in", "innen")
            role = _german_nominative(modifiers, noun, suffix, feminine)
            if complement:
                role += " " + _join_tokens(text, complement[0].start, complement[-1].end)
        name = " ".join(t.text for t in name_tokens) or None
        if name is None:
            name = self._appositive_name(tokens, first) or self._name_after_comma(tokens, after)
            # "sagte der Deutschen Presse-Agentur, die Sozialdemokraten …": an organisation
            # before a plural role noun is no apposition of a person.
            if name is not None and (
                self._is_org_name(name) or _german_plural(tokens, first, suffix)
            ):
                name = None
        start = tokens[first].start
        end = (name_tokens or complement or [token])[-1].end
        nationality = _nationality(modifiers + [t.text for t in complement] + [noun])
        kind = role_kind(role) or "other"
        determiner = tokens[first - 1].text.lower() if first > 0 else ""
        definite = _definite_singular(determiner, suffix, noun, english)
        return RolePhrase(role, kind, start, end, name, nationality, definite)

    def _english_complement(self, tokens: list[Token], after: int) -> int:
        """Where "of …", "for …", "at …" after an English role noun ends (before a comma)."""
        if tokens[after].text not in ("of", "for", "at"):
            return after
        j = after + 1
        while j < len(tokens) and j - after <= 9:
            text = tokens[j].text
            if text in (",", ".", ";", ":", "(", ")") or text.lower() in _SPEECH_WORDS_EN:
                break
            j += 1
        ends = j < len(tokens) and tokens[j].text in (",", ".", ";")
        return j if ends or j == len(tokens) else after

    def _name_after_comma(self, tokens: list[Token], after: int) -> str | None:
        # "Der Ministerpräsident von Bayern, Thomas Brandl, kritisierte …"
        if after >= len(tokens) or tokens[after].text != ",":
            return None
        start = after + 1
        # "The hospital's chief medical officer, Dr. Samuel Okafor, told …"
        if start < len(tokens) and tokens[start].text.rstrip(".") in _COURTESY:
            start += 2 if start + 1 < len(tokens) and tokens[start + 1].text == "." else 1
        run = self._name_run(tokens, start)
        end = start + len(run)
        closes = end >= len(tokens) or tokens[end].text in (",", ".", ";")
        return " ".join(t.text for t in run) if len(run) >= 2 and closes else None

    def _appositive_name(self, tokens: list[Token], first: int) -> str | None:
        # "Mark Rutte, NATO's secretary-general," / "Tsahkna, der estnische Außenminister,"
        j = first - 1
        if j >= 0 and tokens[j].text.endswith(("'s", "’s")):
            j -= 1  # "the hospital's medical director"
        if j >= 0 and tokens[j].text.lower() in _ARTICLES:
            j -= 1
        if j < 1 or tokens[j].text != ",":
            return None
        end = j
        start = end
        particles = 0
        while start > 0:
            if self._shaped[tokens[start - 1].text]:
                start -= 1
                continue
            # Family multi-part names: "Ursula von der Leyen, die Präsidentin der
            # EU-Kommission," — particles belong to the name between two of its words.
            k = start - 1
            while k >= 0 and tokens[k].text in _PARTICLES and start - k <= 3:
                k -= 1
            if start < end and k < start - 1 and k >= 0 and self._shaped[tokens[k].text]:
                particles += start - 1 - k
                start = k
                continue
            break
        if end - start >= 3 and tokens[start].text in _COURTESY:
            start += 1  # "Dr Niamh Gilligan, a GP …": the title is no part of the name
        if start == end or end - start - particles > 4:
            return None
        if start > 0 and tokens[start - 1].text.lower() in _ARTICLES:
            return None
        return " ".join(t.text for t in tokens[start:end])

    def _name_run(self, tokens: list[Token], start: int) -> list[Token]:
        run: list[Token] = []
        j = start
        # The page's common nouns may go on a name, not start it ("Bad Schandau").
        later_word_shaped = self._shaped.__getitem__
        while j < len(tokens) and len(run) < 4:
            token = tokens[j]
            if (later_word_shaped if run else _name_shaped)(token.text):
                run.append(token)
                j += 1
                continue
            # Family multi-part names: "Ursula von der Leyen", "Peter van der Linden" — a
            # run of particles belongs to the name when a name token follows it.
            k = j
            while run and k < len(tokens) and tokens[k].text in _PARTICLES and k - j < 3:
                k += 1
            # A body ends no name: "Stefan Gasser von der Bergrettung".
            if (
                k > j
                and k < len(tokens)
                and _name_shaped(tokens[k].text)
                and not tokens[k].text.lower().endswith(_BODY_NOUN_ENDINGS)
            ):
                run.extend(tokens[j : k + 1])
                j = k + 1
                continue
            break
        while run and run[-1].text in _PARTICLES:
            run.pop()
        if len(run) >= 3 and run[0].text in _COURTESY:
            del run[0]  # "Fr Liam Ó Gallchobhair": the title is no part of the name
        if len(run) == 1 and run[0].text in self._common_nouns:
            return []
        return run

    def _courtesy_names(self, tokens: list[Token], texts: list[str]) -> None:
        # The titles are found in C, one set look-up per word: most paragraphs have none.
        for index in itertools.compress(range(len(tokens) - 1), map(_COURTESY.__contains__, texts)):
            token = tokens[index]
            j = index + 1
            if j < len(tokens) and tokens[j].text == ".":
                j += 1
            run = self._name_run(tokens, j)
            if run:
                name = " ".join(t.text for t in run)
                person = self.find_name(name) or self._register(name, None, None)
                # "Dr" and "Prof" say nothing about who the person is.
                if person.gender is None and token.text not in ("Dr", "Prof"):
                    person.gender = "f" if token.text in _FEMALE_COURTESY else "m"

    def _speaker_names(
        self, text: str, tokens: list[Token], texts: list[str], phrases: list[RolePhrase]
    ) -> None:
        shaped = list(map(self._shaped.__getitem__, texts))
        # A name of two words or more starts where a name-shaped token follows no other,
        # and the next token is name-shaped too or a particle ("Ursula von der Leyen");
        # elsewhere `_name_run` would find one word at most. The pairs are found in C: a
        # name-shaped token followed by one that may continue a name.
        continues = map(self._continues_name.__getitem__, texts[1:])
        pairs = itertools.compress(range(len(tokens) - 1), map(operator.and_, shaped, continues))
        starts = [index for index in pairs if not (index > 0 and shaped[index - 1])]
        for index in starts:
            run = self._name_run(tokens, index)
            if len(run) < 2 or any(p.start <= run[-1].start < p.end for p in phrases):
                continue
            following = index + len(run)
            if following < len(tokens) and _noun_kind(tokens[following].text) is not None:
                continue  # "Polish Foreign Minister": title words, not a name
            clause = _PERSON_CLAUSE.match(text, run[-1].end)
            office = _office_after(text, run[-1].end) if clause is None else None
            if office is not None:
                name = " ".join(t.text for t in run)
                if not self._is_org_name(name):
                    self._register(name, office, role_kind(office))
                continue
            if clause is None:
                # Most runs are places and bodies that no verb of speech stands next to:
                # told apart before the name is put together.
                before = text[max(0, run[0].start - 20) : run[0].start]
                after = text[run[-1].end : run[-1].end + 12]
                if not (
                    _SPEECH_BEFORE_NAME.search(before) or _SPEECH_AFTER_NAME.match(after.lstrip())
                ):
                    continue
                name = " ".join(t.text for t in run)
                if not self._is_org_name(name):  # "The Electoral Commission said" is a body
                    self._register(name, None, None)
                continue
            name = " ".join(t.text for t in run)
            # Family roles in relative clauses and person appositions: "Ruth Ellison, who
            # chairs the town's select board,", "Brenda Lyle, whose son …", "Ellie
            # Warrington, 29,", "Martin Gruber (61)".
            if not self._is_org_name(name):
                role = None
                verb = (clause.group("verb") or "").lower()
                if verb in en.ROLE_CLAUSE_VERBS or verb in de.ROLE_CLAUSE_VERBS:
                    role = " ".join(f"{verb} {clause.group('rest')}".split())
                self._register(name, role, role_kind(role) if role else None)

    def org_mentions(self, para: Para) -> list[OrgMention]:
        """Organisations a paragraph names ("Der Wirtschaftsdachverband Swissindustrie")."""
        cached = self._orgs.get(para.order)
        if cached is not None:
            return cached
        found: list[OrgMention] = []
        if not any(map(self._org_signal.__getitem__, self._texts(para))):
            self._orgs[para.order] = found
            return found  # no word that `_org_end` needs to find a name: most paragraphs
        tokens = self.tokens(para)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            # `_org_end` passes over a word without a capital: most words, told here.
            end = self._org_end(tokens, index) if token.text[:1].isupper() else None
            if end is None:
                index += 1
                continue
            start = index
            # "Der Kommunale Arbeitgeberverband": a capitalised adjective belongs to it.
            while (
                start > 0
                and tokens[start - 1].capitalised
                and tokens[start - 1].text not in _CAP_STOP
            ):
                if tokens[start - 1].text.lower() in _ARTICLES or start - 1 < index - 3:
                    break
                start -= 1
            name = _join_tokens(para.text, tokens[start].start, tokens[end - 1].end)
            head = tokens[end - 1].text.lower()
            if head.endswith(_GENITIVES):
                name, head = name[:-1], head[:-1]  # "des Umweltministeriums" names it too
            if not para.in_quote(token.start) and self.find_name(name) is None:
                found.append(OrgMention(tokens[start].start, tokens[end - 1].end, name, head))
            index = end
        self._orgs[para.order] = found
        return found

    def _org_end(self, tokens: list[Token], index: int) -> int | None:
        """Where an organisation's name that starts at `index` ends (exclusive), if it is one."""
        token = tokens[index]
        if not token.capitalised or token.text in _CAP_STOP:
            return None
        lower = token.text.lower()
        # "des Umweltministeriums": the genitive ending is no part of the name's stem.
        if lower.endswith(_GENITIVES):
            lower = lower[:-1]
        if self.language == "de" and len(lower) > 5 and lower.endswith(_ORG_STEMS):
            if lower in de.ORG_NOUNS:
                return None  # "das Gremium" refers back; it names nobody new
            end = index + 1
            # An apposition names it: "Wirtschaftsdachverband Swissindustrie".
            while end < len(tokens) and end - index <= 3 and tokens[end].capitalised:
                if tokens[end].text in _CAP_STOP:
                    break
                # A common noun may end a name ("Pro Bahn"), not start the apposition.
                if end == index + 1 and tokens[end].text in self._common_nouns:
                    break
                end += 1
            return end
        if self.language == "de":
            return self._named_body_end(tokens, index)
        # English: a capitalised run that ends in an organisation's word ("Network Rail").
        end = index
        last_head = None
        while end < len(tokens) and end - index < 7:
            text = tokens[end].text
            if tokens[end].capitalised and text not in _CAP_STOP:
                if text.lower().strip(".") in en.ORG_HEADS or (
                    last_head is not None and tokens[end - 1].text in ("of", "for")
                ):
                    last_head = end + 1
                end += 1
            elif text in ("and", "of", "for", "&") and end > index:
                end += 1
            else:
                break
        if last_head is None and index + 1 < len(tokens):
            # Family organisations: a single name that speaks ("Codelmin said in a
            # statement") is a body the page refers back to ("the company said").
            following = tokens[index + 1].text.lower()
            previous = tokens[index - 1].text if index > 0 else ""
            if (
                following in _ORG_SPEECH_VERBS
                and not previous[:1].isupper()
                and token.text.isalpha()
                and token.text not in _CAP_STOP
                and _noun_kind(token.text) is None
                and self.find_name(token.text) is None
            ):
                return index + 1
        return last_head

    def _named_body_end(self, tokens: list[Token], index: int) -> int | None:
        """Family organisations: "Die Deutsche Bahn", "der Deutsche Wetterdienst" — an article,
        a capitalised adjective and a noun name an institution."""
        token = tokens[index]
        if index == 0 or tokens[index - 1].text.lower() not in _ARTICLES:
            return None
        if not _CAPITAL_ADJECTIVE.match(token.text) or token.text in _CAP_STOP:
            return None
        if index + 1 >= len(tokens):
            return None
        noun = tokens[index + 1]
        if not noun.capitalised or noun.text in _CAP_STOP or _noun_kind(noun.text) is not None:
            return None
        if index + 2 < len(tokens) and tokens[index + 2].capitalised:
            return None  # "der Deutsche Thomas Brandl": a person with a nationality
        if _noun_kind(token.text) is not None or self.find_name(noun.text) is not None:
            return None
        return index + 2

    def recent_org(self, para: Para, offset: int, noun: str | None = None) -> str | None:
        """The organisation a generic noun ("der Verband", "the company") refers back to."""

        def pick(mentions: list[OrgMention]) -> str | None:
            if noun is not None:
                for mention in reversed(mentions):
                    if mention.head.endswith(noun) or noun.endswith(mention.head):
                        return mention.name
            return mentions[-1].name if mentions else None

        here = [m for m in self.org_mentions(para) if m.start < offset]
        if noun is not None and noun in _SELF_NAMING:
            matched = next((m.name for m in reversed(here) if m.head.endswith(noun)), None)
            return matched  # "die Opposition" is the opposition unless the page names it
        if noun is not None:
            matched = pick(here)
            for earlier in [] if matched else self._context(para):
                matched = pick(self.org_mentions(earlier))
                if matched:
                    break
            if matched:
                return matched
        if here:
            return here[-1].name
        for earlier in self._context(para):
            mentions = self.org_mentions(earlier)
            if mentions:
                return mentions[-1].name
        return None

    def _is_org_name(self, name: str) -> bool:
        last = name.split()[-1].lower().strip(".")
        if name.lower() in en.SEATS_OF_GOVERNMENT:
            return True  # "The White House said": the administration, not a person
        return last in en.ORG_HEADS or last.endswith(_ORG_STEMS)

    def _persons_by_first_mention(self) -> None:
        for para in self.paras:
            for mention in self.mentions(para):
                key = (para.order, mention.start)
                mention.person.order = min(mention.person.order, key)
        self.persons.sort(key=lambda p: p.order)
        self._by_last_word = None
        self._named.clear()  # the first match of a name may be another person now

    # -- lookup -----------------------------------------------------------------------
    def find_name(self, name: str) -> Person | None:
        """The registered person a name (full name or surname) stands for."""
        parts = name.split()
        # Every match shares the last word: look only at those persons (a page naming a new
        # person in every post would otherwise compare each name with all before it).
        candidates = self._persons_by_last_word().get(parts[-1], ()) if parts else self.persons
        for person in candidates:
            own = person.name.split()
            if parts == own or (parts[-1] == own[-1] and (len(parts) == 1 or len(own) == 1)):
                return person
            if (
                len(parts) > 1
                and len(own) > 1
                and parts[-1] == own[-1]
                and parts[0][:1] == own[0][:1]
            ):
                return person
        return None

    def _person_named(self, name_words: tuple[str, ...]) -> Person | None:
        """`find_name` of a name the page repeats, looked up once while the persons stay."""
        if name_words not in self._named:
            self._named[name_words] = self.find_name(" ".join(name_words))
        return self._named[name_words]

    def _persons_by_last_word(self) -> dict[str, list[Person]]:
        """Last word of the name → the persons, in the order of `persons`.

        Kept up to date as persons are added, built again after they are sorted; a
        registered name only ever grows in front (its last word is how `find_name` matched
        it).
        """
        if self._by_last_word is None:
            index: dict[str, list[Person]] = {}
            for person in self.persons:
                index.setdefault(person.name.split()[-1], []).append(person)
            self._by_last_word = index
        return self._by_last_word

    def _texts(self, para: Para) -> list[str]:
        """The texts of a paragraph's tokens (computed once)."""
        cached = self._token_texts.get(para.order)
        if cached is None:
            cached = self._token_texts[para.order] = list(map(_TEXT, self.tokens(para)))
        return cached

    def tokens(self, para: Para) -> list[Token]:
        """The tokens of a paragraph (computed once)."""
        cached = self._tokens.get(para.order)
        if cached is None:
            cached = self._tokens[para.order] = tokenize(para.text)
        return cached

    def _name_index(self) -> dict[str, list[tuple[int, set[tuple[str, ...]]]]]:
        """First word → the names and surnames that start with it by their number of words,
        the longest first: one set look-up per length where a page names many people of
        the same first name."""
        if self._index is None:
            names = {p.name for p in self.persons} | {p.surname for p in self.persons}
            by_size: dict[str, dict[int, set[tuple[str, ...]]]] = {}
            for name in names:
                words = tuple(name.split())
                by_size.setdefault(words[0], {}).setdefault(len(words), set()).add(words)
            index = {first: sorted(sizes.items(), reverse=True) for first, sizes in by_size.items()}
            self._index = index
            # Every name starts with a key of the index, so a paragraph without any key in
            # its text names nobody: one scan in C instead of a look-up per word.
            self._index_words = re.compile(trie_pattern(index)) if index else None
        return self._index

    def role_phrases(self, para: Para) -> list[RolePhrase]:
        """Role phrases of a paragraph, in order."""
        return self._roles.get(para.order, [])

    def mentions(self, para: Para) -> list[Mention]:
        """Where a paragraph names a registered person (name, surname or matched role phrase)."""
        cached = self._mentions.get(para.order)
        if cached is not None:
            return cached
        found: list[Mention] = []
        if self.persons:
            # Only the words a name may start with are read: the index's trie finds them in
            # C, each at a word's start, and the words after one are read as a name needs
            # them. Splitting every paragraph into words was most of the page's look-ups.
            index = self._name_index()
            keys = self._index_words
            name_word = _NAME_WORD.search
            text = para.text
            blocked = 0  # the text before this offset is inside a name found just before
            position = 0
            while keys is not None:
                hit = keys.search(text, position)
                if hit is None:
                    break
                start = hit.start()
                position = start + 1
                if start < blocked:
                    continue
                # Only at a word's start (checked here: a lookbehind in the pattern made
                # the search try every character).
                before = text[start - 1] if start else " "
                if not before.isspace() and before not in _NAME_SEPARATOR_CHARS:
                    continue
                # The first word is read here, the next ones only for a longer name.
                first = name_word(text, start)
                if first is None:
                    continue
                word = first.group().rstrip(_WORD_TAIL)
                names = index.get(_without_possessive(word))
                if names is None:
                    continue
                words = [word]  # the words read so far and where each ends
                ends = [first.start() + len(word)]
                after = first.end()
                for size, group in names:
                    while len(words) < size and (more := name_word(text, after)) is not None:
                        word = more.group().rstrip(_WORD_TAIL)
                        words.append(word)
                        ends.append(more.start() + len(word))
                        after = more.end()
                    if len(words) < size:
                        continue  # the text ends before a name this long would
                    name_words = (*words[: size - 1], _without_possessive(words[size - 1]))
                    if name_words in group:
                        last_end = ends[size - 1]
                        if text[last_end - 2 : last_end] in ("'s", "’s"):
                            last_end -= 2
                        person = self._person_named(name_words)
                        if person is not None:
                            found.append(Mention(start, last_end, person, para.in_quote(start)))
                            blocked = ends[size - 1]
                        break
        self._mentions[para.order] = found
        for phrase in self.role_phrases(para):
            if phrase.name is None and phrase.definite and not para.in_quote(phrase.start):
                person = self.person_for_role(phrase, para, phrase.start)
                if person is not None:
                    found.append(Mention(phrase.start, phrase.end, person, False))
        found.sort(key=_START)
        return found

    def person_for_role(self, phrase: RolePhrase, para: Para, offset: int) -> Person | None:
        """The person an unnamed role phrase ("der umstrittene Journalist") refers back to."""
        here = (para.order, offset)
        # Family epithets: "der ÖVP-Politiker", "die Managerin", "the governor" mostly name
        # the person just spoken of; a role of the same kind among them decides first.
        nearest: list[Person] = []
        for person in itertools.islice(self._recent_persons(para, offset), 50):
            if person not in nearest:
                nearest.append(person)
            if len(nearest) == 3:
                break
        candidates = [
            p
            for p in self.persons
            if p.role_kind == phrase.kind
            and phrase.kind != "other"
            and (p.order < here or p in nearest)
        ]
        if phrase.nationality:
            same_country = [
                p for p in candidates if p.role and phrase.nationality in p.role.lower()
            ]
            candidates = same_country or candidates
        for person in nearest:
            if person in candidates:
                return person
        if phrase.definite and not candidates:
            wanted = _gender(phrase.role) or ("m" if self.language == "de" else None)
            for person in nearest:
                if wanted is None or person.gender in (None, wanted):
                    return person
        if not candidates:
            if not phrase.definite:
                return None
            # Pages vary the description ("der Grünen-Politiker" for the minister just named):
            # a definite role phrase of another kind means the person the text is about.
            for subjects in self._sentence_subjects(para, offset):
                return subjects[0]
            return None
        if len(candidates) == 1:
            return candidates[0]
        for person in itertools.islice(self._recent_persons(para, offset), 50):
            if person in candidates:
                return person
        return candidates[0]

    def context(self, para: Para) -> list[Para]:
        """The paragraphs a reader saw just before `para`, nearest first."""
        return self._context(para)

    def _context(self, para: Para) -> list[Para]:
        """The paragraphs a reader saw just before `para`, nearest first (a bounded look-back).

        A ticker item's own paragraphs come first, then the main text before its block.
        """
        same = self._flows.get(para.flow, [])
        index = bisect_left(self._orders.get(para.flow, []), para.order)
        seen = same[max(0, index - _LOOKBACK) : index][::-1]
        if para.flow != MAIN_FLOW and len(seen) < _LOOKBACK:
            main = self._flows.get(MAIN_FLOW, [])
            index = bisect_left(self._orders.get(MAIN_FLOW, []), para.context_before)
            seen += main[max(0, index - _LOOKBACK + len(seen)) : index][::-1]
        return seen

    def recent_persons(self, para: Para, offset: int) -> Iterator[Person]:
        """Persons named before `offset`, outside quotations, the nearest first."""
        return self._recent_persons(para, offset)

    def sentence_subjects(self, para: Para, offset: int) -> Iterator[list[Person]]:
        """Persons of each sentence before `offset`, nearest sentence first."""
        return self._sentence_subjects(para, offset)

    def _recent_persons(self, para: Para, offset: int) -> Iterator[Person]:
        """Persons named before `offset`, outside quotations, the nearest first."""
        here = [m for m in self.mentions(para) if m.start < offset and not m.in_quote]
        yield from (m.person for m in reversed(here))
        for earlier in self._context(para):
            yield from (m.person for m in reversed(self.mentions(earlier)) if not m.in_quote)

    def resolve_pronoun(self, pronoun: str, para: Para, offset: int) -> Person | None:
        """The person a pronoun at `offset` refers back to."""
        lower = pronoun.lower()
        if lower in ("letzterer", "letztere", "the latter"):
            return next(self._recent_persons(para, offset), None)
        if lower in ("ersterer", "erstere", "the former"):
            seen: list[Person] = []
            for person in self._recent_persons(para, offset):
                if person not in seen:
                    seen.append(person)
                if len(seen) == 2:
                    return person
            return None
        wanted = {"she": "f", "sie": "f", "diese": "f", "he": "m", "er": "m", "dieser": "m"}
        for subjects in self._sentence_subjects(para, offset):
            for person in subjects:
                if person.gender in (None, wanted.get(lower)):
                    return person
        return None

    def _sentence_subjects(self, para: Para, offset: int) -> Iterator[list[Person]]:
        """Persons of each sentence before `offset`, nearest sentence first, in sentence order."""
        for candidate in [para, *self._context(para)]:
            mentions = [m for m in self.mentions(candidate) if not m.in_quote]
            if not mentions:
                continue
            starts = [m.start for m in mentions]
            limit = offset if candidate is para else len(candidate.text) + 1
            for start, end in reversed(candidate.sentences):
                if start >= limit:
                    continue
                low = bisect_left(starts, start)
                high = bisect_left(starts, min(end, limit))
                if high > low:
                    yield [m.person for m in mentions[low:high]]


# A pronoun or role phrase refers back a few paragraphs at most.
_LOOKBACK = 6

_DETERMINERS = wordset("""
    der die das den dem des ein eine einen einem einer eines sein seine seinem seinen seiner
    ihr ihre ihrem ihren ihrer dieser diese diesem diesen dieses jener unser unsere unseren
    """)
_ORG_SPEECH_VERBS = wordset("said says told announced")
_CAPITAL_ADJECTIVE = lazy(r"^[A-ZÄÖÜ][a-zäöüß]{2,}(?:e|en|er|es)$")
_QUOTE_CLOSERS = frozenset('"”’»«')
_EN_SPEECH_OPENERS = wordset("said says told added according to")
_EN_NOT_MODIFIERS = wordset("only same first last other new next said")
_EN_DETERMINERS = wordset("the a an his her its their our my your this that")
_EN_ADJUNCT_STOP = wordset("""
    and or but with to of for from by at in on as is was are were be has have had said says
    told that who which when while after before then than also not
    """)
_ADVERBS_IN_ER = wordset(
    "aber oder immer wieder später weiter unter über hinter außer sondern er der wer vier"
)


_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")


def _modifiers(tokens: list[Token], index: int, english: bool) -> tuple[int, list[str]]:
    """Where a role phrase starts and the adjectives (or English title words) before its noun."""
    first = index
    while first > 0 and index - first < 3:
        left = tokens[first - 1].text
        if left.lower() in _ARTICLES or left.lower() in _DETERMINERS:
            break
        if english:
            acronym = left.isupper() and len(left) > 1
            capital = left[:1].isupper() and left not in _CAP_STOP
            if not (_EN_MODIFIER.match(left) or _possessive(left) or acronym or capital):
                break
        elif not (left[:1].islower() and left.endswith(_ADJECTIVE_ENDINGS)):
            # Place adjectives keep their capital: "die Schweizer Außenministerin".
            place = left[:1].isupper() and left.endswith("er") and left not in _CAP_STOP
            if not place or _noun_kind(left) is not None:
                break
        first -= 1
    if english:
        # Nouns in front of the title belong to it when a determiner or possessive opens
        # the phrase: "the transport secretary", "his campaign manager", "the bank's chief
        # operating officer", "former council leader".
        j = first
        while j > 0 and first - j < 3:
            left = tokens[j - 1].text
            if not (left.isalpha() and left.islower() and left not in _EN_NOT_MODIFIERS):
                break
            if left in _EN_ADJUNCT_STOP or left in _EN_DETERMINERS:
                break
            j -= 1
        if j < first:
            # "The White House press secretary": an organisation's name before the nouns.
            k = j
            while k > 0 and j - k < 4 and tokens[k - 1].capitalised:
                if tokens[k - 1].text in _CAP_STOP:
                    break
                k -= 1
            before_name = tokens[k - 1].text if k > 0 else ""
            if k < j and (before_name.lower() in _EN_DETERMINERS or before_name in (",", "")):
                j = k
        opener = tokens[j - 1].text if j > 0 else ""
        if j < first and (
            opener.lower() in _EN_DETERMINERS
            or opener.endswith(("'s", "’s"))
            or opener in (",", "")
            # Family roles after the verb or a closing quote: "“…,” city clerk Janice
            # Whitfield told reporters", "said state elections director Luis Ortega".
            or opener in _QUOTE_CLOSERS
            or opener.lower() in _EN_SPEECH_OPENERS
        ):
            first = j
        return first, [t.text for t in tokens[first:index]]
    if first == index:
        return first, []
    # German adjectives need a determiner before them ("dem gewählten US-Präsidenten"),
    # or the strong ending -er ("gewählter US-Präsident"); otherwise they are verbs.
    before = tokens[first - 1].text if first > 0 else ""
    if before.lower() in _DETERMINERS or (before[:1].isupper() and before.endswith("s")):
        return first, [t.text for t in tokens[first:index]]
    words = [t.text for t in tokens[first:index]]
    if all(w.endswith("er") and w not in _ADVERBS_IN_ER for w in words):
        return first, words
    return index, []


_DEFINITE = wordset("der die das den dem des dieser diese diesen diesem the this that")


def _definite_singular(determiner: str, suffix: str, noun: str, english: bool) -> bool:
    """True for "der umstrittene Journalist", false for "mehreren Journalisten", "die Minister"."""
    if determiner not in _DEFINITE:
        return False
    if english:
        return not noun.endswith("s") or noun.endswith("ss")
    if determiner in ("die", "diese") and suffix in ("en", "n", "innen"):
        return False
    # "den Außenministern" (plural) against "den Präsidenten" (weak singular).
    return not (determiner in ("den", "diesen") and suffix == "n")


def _german_plural(tokens: list[Token], first: int, suffix: str) -> bool:
    """True for "die Sozialdemokraten", "die Ministerinnen": a plural role phrase."""
    determiner = tokens[first - 1].text.lower() if first > 0 else ""
    return determiner in ("die", "diese") and suffix in ("en", "n", "innen")


def _org_signal_de(text: str) -> bool:
    """False if `_org_end` cannot find an organisation's name at a German word."""
    if not text[:1].isupper() or text in _CAP_STOP:
        return False
    lower = text.lower()
    if lower.endswith(_GENITIVES):
        lower = lower[:-1]
    if len(lower) > 5 and lower.endswith(_ORG_STEMS):
        return True
    return _CAPITAL_ADJECTIVE.match(text) is not None  # "Die Deutsche Bahn"


def _org_signal_en(text: str) -> bool:
    """False if no English organisation's name ends at or speaks after this word."""
    lower = text.lower()
    return lower.strip(".") in en.ORG_HEADS or lower in _ORG_SPEECH_VERBS


def _possessive(word: str) -> bool:
    return word.endswith(("'s", "’s")) and word[:1].isupper()


def _cap_run(tokens: list[Token], start: int) -> list[Token]:
    run = []
    j = start
    while j < len(tokens):
        if tokens[j].capitalised and tokens[j].text not in _CAP_STOP:
            run.append(tokens[j])
            j += 1
            continue
        # Family places: "Feistritz am Kaltbach", "Frankfurt am Main", "Stratford-upon-Avon".
        if (
            run
            and tokens[j].text in _PLACE_LINKS
            and j + 1 < len(tokens)
            and tokens[j + 1].capitalised
            and tokens[j + 1].text not in _CAP_STOP
        ):
            run.extend(tokens[j : j + 2])
            j += 2
            continue
        break
    return run


_PLACE_LINKS = frozenset({"am", "an", "im", "ob", "bei", "upon", "on"})


def _join_tokens(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split())


def _gender(role: str | None) -> str | None:
    if not role:
        return None
    return "f" if _FEMININE_ROLE.search(role.split()[-1] if role.split() else role) else None


def _article_nouns(text_lists: list[list[str]]) -> frozenset[str]:
    """Capitalised words used after an article somewhere: common nouns, places, bodies."""
    nouns: set[str] = set()
    is_article = _WordFlags(lambda text: text.lower() in _ARTICLES)
    for texts in text_lists:
        # The words after an article, found in C; only those are read for their capital.
        flags: Iterable[bool] = map(is_article.__getitem__, texts)
        if "von" in texts or "van" in texts:
            flags = list(flags)
            # Family multi-part names: in "Ursula von der Leyen" the article is part of the
            # name, and the word after it is the surname, not a noun.
            particles = [k for k, text in enumerate(texts) if text == "von" or text == "van"]
            for i in (k + 1 for k in particles if 1 <= k < len(texts) - 2):
                if flags[i] and texts[i - 2][:1].isupper():
                    # "Stefan Gasser von der Bergrettung": a body, not a surname.
                    body = texts[i + 1].lower().endswith(_BODY_NOUN_ENDINGS)
                    flags[i] = body or texts[i] not in ("der", "den")
        after_article = itertools.compress(texts[1:], flags)
        nouns.update(word for word in after_article if word[:1].isupper())
    return frozenset(nouns)


class _WordFlags(dict[str, bool]):
    """A test of a word, made once per distinct word: `flags[word]` looks it up in C."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        super().__init__()
        self._test = test

    def __missing__(self, word: str) -> bool:
        flag = self[word] = self._test(word)
        return flag


def build_registry(paras: list[Para], language: str) -> Registry:
    """Find the people of a page and index where they are mentioned."""
    return Registry(paras, language)
