"""Quotations with their speaker, the speaker's role and whether they are mere fragments.

Attribution, first rule that names someone wins:
1. a speech formula right after the closing mark ("…“, sagte X", "…,” he said", "…“, so Kiew");
2. a source phrase before the quote ("Nach Ansicht der Ukraine", "Laut X", "according to X");
3. a speech formula later in the same sentence ("…, erläuterte Herr Carlson");
4. a clause ending in a colon before the quote ("Scholz sagte: „…“");
5. the person who is the subject of the sentence (its first person mention or an opening
   pronoun), for quotes embedded in a sentence about that person;
6. the speaker of the previous quotation in the same paragraph, or of a quotation the
   previous paragraph left open.
Pronouns and role phrases resolve to people through `people.Registry`. A country or
organisation as source ("so Kiew") yields to a person who is the sentence's subject,
else it is the speaker itself ("Ukraine"). A name inside a quote is never its speaker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.story.layout import Para
from bot.story.marks import ALL_MARKS_TEXT, QuoteSpan
from bot.story.model import Quote
from bot.story.people import PRONOUNS_DE, PRONOUNS_EN, Person, Registry, tokenize
from bot.story.words import lazy, wordset

_SPEECH_DE = (
    r"(?:so|sagt\w*|gesagt|erklärt\w*|betont\w*|meint\w*|fügt\w*|ergänzt\w*|erläutert\w*|"
    r"bekräftigt\w*|versicher\w*|warnt\w*|fordert\w*|kritisiert\w*|räumt\w*|gab|gibt|teilt\w*|"
    r"schr[ie]+b\w*|twittert\w*|postet\w*|antwortet\w*|fragt\w*|hieß|heißt|erinnert\w*|"
    r"unterstrich|unterstreicht|verkündet\w*|beteuert\w*|argumentiert\w*|behauptet\w*|"
    r"mahnt\w*|kündigt\w*|insistiert\w*|beharrt\w*|bezeichnet\w*|beschr[ie]+b\w*|nannte|"
    r"nennt|zitiert\w*|äußert\w*|sprach|spricht|appelliert\w*|rief|ruft|drohte|droht|"
    r"versprach|verspricht|bestätigt\w*|stellt\w*|resümiert\w*|ergänzt\w*|lobt\w*|glaubt\w*|"
    r"hofft\w*|schätzt\w*|sieht|sah|findet|fand|zeigt\w*|verwies|verweist|folgert\w*)"
)
_SPEECH_EN = (
    r"(?:said|says|say|told|tells|added|adds|stated|explained|noted|warned|wrote|writes|"
    r"tweeted|posted|insisted|argued|claimed|asked|replied|announced|declared|stressed|"
    r"reminded|acknowledged|admitted|urged|described|called|recalled|continued|concluded|"
    r"according)"
)
_AFTER_DE = lazy(r"\s*,?\s*(?P<verb>" + _SPEECH_DE + r")\s+(?P<np>[^,.;:!?]+)")
# After a quotation German inverts: „…“, hielt der Minister dagegen. Any verb will do.
_AFTER_DE_ANY = lazy(r"\s*,\s*(?P<verb>[a-zäöüß]+)\s+(?P<np>[^,.;:!?]+)")
_NOT_VERBS = wordset(
    """
    und oder aber denn sondern doch die der das den dem des was wie wo weil dass ob als wenn
    ohne um sowie bis während nachdem obwohl damit sodass sofern falls seit bevor ehe indem
    zumal auch nur noch schon jedoch allerdings also dann so
    """
)
_LATER_DE = lazy(r",\s*(?P<verb>" + _SPEECH_DE + r")\s+(?P<np>[^,.;:!?]+)")
_AFTER_EN_VERB_FIRST = lazy(r"\s*,?\s*(?P<verb>" + _SPEECH_EN + r")\s+(?P<np>[^,.;:!?]+)")
_AFTER_EN_NP_FIRST = lazy(
    r"\s*,?\s*(?P<np>[^,.;:!?\"“”«»]{1,80}?)\s+(?P<verb>" + _SPEECH_EN + r")\b"
)
_LATER_EN = lazy(
    r",\s*(?:(?P<verb>" + _SPEECH_EN + r")\s+(?P<np>[^,.;:!?]+)"
    r"|(?P<np2>[^,.;:!?\"“”«»]{1,60}?)\s+" + _SPEECH_EN + r"\b)"
)
_SOURCE = lazy(
    r"(?:nach\s+(?:ansicht|angaben|auffassung|einschätzung|meinung|worten|aussage|darstellung"
    r"|überzeugung)|aus\s+sicht|laut|gemäß|according\s+to|in\s+the\s+(?:view|words)\s+of)"
    r"\s+(?P<np>[^,;:]+)",
    re.IGNORECASE,
)
_ZUFOLGE = lazy(r"(?P<np>(?:\b\w+\s+){1,5}?)zufolge\b")
_NON_PERSON_PRONOUNS = frozenset({"es", "it", "they", "man"})
_TERMINAL = ".!?…"
_WARNINGS_PER_PARAGRAPH = 5


@dataclass(frozen=True)
class _Speaker:
    """Who said a quote: a person, an unnamed role, a source (country, body) or nobody."""

    name: str | None
    role: str | None = None
    source: bool = False
    person: Person | None = None


_NOBODY = _Speaker(None)


def extract_quotes(paras: list[Para], registry: Registry) -> tuple[list[Quote], list[str]]:
    """Every quotation of the given paragraphs, in reading order, with its speaker."""
    quotes: list[Quote] = []
    warnings: list[str] = []
    previous_open: _Speaker | None = None
    for para in sorted(paras, key=lambda p: p.order):
        scan = para.quotes
        warnings.extend(scan.warnings[:_WARNINGS_PER_PARAGRAPH])
        if len(scan.warnings) > _WARNINGS_PER_PARAGRAPH:
            extra = len(scan.warnings) - _WARNINGS_PER_PARAGRAPH
            warnings.append(f"{extra} more quotation marks dropped in: {para.text[:40]}…")
        last: _Speaker | None = None
        for span in scan.spans:
            text = clean_quote(para.text, span, scan.stray)
            if not text:
                warnings.append(f"empty quotation dropped in: {para.text[:40]}…")
                continue
            speaker = _attribute(para, span, text, registry)
            if speaker is None:
                # A quotation without attribution goes on from the one before it.
                continues = span.start == 0 and previous_open is not None
                speaker = last or (previous_open if continues else None) or _NOBODY
            last = speaker
            quotes.append(
                Quote(
                    text=text,
                    speaker=speaker.name,
                    role=speaker.role,
                    fragment=is_fragment(para.text, span, text),
                )
            )
        previous_open = last if scan.spans and scan.spans[-1].unclosed else None
    return quotes, warnings


def clean_quote(paragraph: str, span: QuoteSpan, stray: set[int]) -> str:
    """The words of a quotation without stray or enclosing marks and trailing commas."""
    chars = [
        " " if span.start + 1 + i in stray else ch
        for i, ch in enumerate(paragraph[span.start + 1 : span.end])
    ]
    text = " ".join("".join(chars).split())
    previous = None
    while text != previous:
        previous = text
        text = text.strip(ALL_MARKS_TEXT + " ").rstrip(",;:–—- ").lstrip(",;:.–—- ")
    return text


def is_fragment(paragraph: str, span: QuoteSpan, text: str) -> bool:
    """True for a phrase embedded in the page's sentence ("die „einzige wirkliche“ Garantie")."""
    before = paragraph[: span.start].rstrip()
    if not before or not before[-1].isalnum():
        return False
    previous_word = before.split()[-1].lower()
    statement = text[:1].isupper() and len(text.split()) >= 4
    speech = re.fullmatch(_SPEECH_DE + "|" + _SPEECH_EN, previous_word) is not None
    return not (statement and speech)


def _attribute(para: Para, span: QuoteSpan, text: str, registry: Registry) -> _Speaker | None:
    start, end = para.sentence_at(span.start)
    if span.end > end:
        end = min(len(para.text), span.end + 1)
    after_offset = min(span.end + 1, len(para.text))
    after = para.text[after_offset:end]
    before = para.text[start : span.start]
    steps: tuple[Callable[[], _Speaker | None], ...] = (
        lambda: _after_closer(para, after, after_offset, registry),
        lambda: _source_before(para, before, start, registry),
        lambda: _later_formula(para, after, after_offset, registry),
        lambda: _colon_clause(para, before, start, registry),
        lambda: _subject(para, start, span.start, registry),
    )
    for step in steps:
        speaker = step()
        if speaker is None:
            continue
        if speaker.person is not None and _named_in(speaker.person, text):
            continue
        if speaker.source:
            subject = _subject(para, start, span.start, registry)
            person = subject.person if subject is not None else None
            if subject is not None and person is not None and not _named_in(person, text):
                return subject
        return speaker
    return None


def _named_in(person: Person, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(person.surname) + r"(?!\w)", text) is not None


def _after_closer(para: Para, after: str, offset: int, registry: Registry) -> _Speaker | None:
    if para.language == "en":
        match = _AFTER_EN_VERB_FIRST.match(after) or _AFTER_EN_NP_FIRST.match(after)
    else:
        match = _AFTER_DE.match(after)
        if match is None:
            match = _AFTER_DE_ANY.match(after)
            if match is not None and match.group("verb") in _NOT_VERBS:
                match = None
    if match is None:
        return None
    return _noun_phrase(para, match.group("np"), offset + match.start("np"), registry, final=True)


def _later_formula(para: Para, after: str, offset: int, registry: Registry) -> _Speaker | None:
    pattern = _LATER_EN if para.language == "en" else _LATER_DE
    for match in pattern.finditer(after):
        if para.in_quote(offset + match.start()):
            continue
        group = "np" if match.group("np") else "np2"
        if group not in pattern.groupindex or match.group(group) is None:
            continue
        speaker = _noun_phrase(para, match.group(group), offset + match.start(group), registry)
        if speaker is not None:
            return speaker
    return None


def _source_before(para: Para, before: str, offset: int, registry: Registry) -> _Speaker | None:
    match = _SOURCE.search(before) or _ZUFOLGE.search(before)
    if match is None:
        return None
    head = _noun_phrase_head(match.group("np"))
    return _noun_phrase(para, head, offset + match.start("np"), registry)


def _noun_phrase_head(phrase: str) -> str:
    """The noun phrase a source formula introduces, up to the verb that follows it."""
    kept: list[str] = []
    for word in phrase.split():
        bare = word.strip(ALL_MARKS_TEXT + ".,")
        lower = bare.lower()
        if not (bare[:1].isupper() or lower in _NP_FUNCTION_WORDS or _ADJECTIVE.search(lower)):
            break
        kept.append(word)
    return " ".join(kept)


_NP_FUNCTION_WORDS = wordset("der die das den dem des von the of")
_ADJECTIVE = lazy(r"(?:isch|lich|ig)(?:e|en|er|es|em)?$|(?:ian|ese|ish)$")


def _colon_clause(para: Para, before: str, offset: int, registry: Registry) -> _Speaker | None:
    clause = before.rstrip()
    if not clause.endswith(":"):
        return None
    return _subject(para, offset, offset + len(clause), registry)


def _subject(para: Para, start: int, limit: int, registry: Registry) -> _Speaker | None:
    """The person a sentence is about: an opening pronoun or its first person mention."""
    sentence = para.text[start:limit]
    first_word = sentence.lstrip(ALL_MARKS_TEXT + " ").split(" ", 1)[0].strip(",").lower()
    if first_word in PRONOUNS_DE or first_word in PRONOUNS_EN:
        person = registry.resolve_pronoun(first_word, para, start)
        return _person(person) if person else None
    mention = next(
        (m for m in registry.mentions(para) if start <= m.start < limit and not m.in_quote), None
    )
    unnamed = next(
        (
            r
            for r in registry.role_phrases(para)
            if start <= r.start < limit and not r.name and not r.definite
        ),
        None,
    )
    if unnamed is not None and (mention is None or unnamed.start < mention.start):
        return _Speaker(None, unnamed.role)  # "Ein Sprecher der Staatskanzlei nannte „…“"
    return _person(mention.person) if mention is not None else None


def _person(person: Person | None) -> _Speaker | None:
    if person is None:
        return None
    return _Speaker(person.name, person.role, person=person)


def _noun_phrase(
    para: Para, phrase: str, offset: int, registry: Registry, *, final: bool = False
) -> _Speaker | None:
    """Who a noun phrase names: a pronoun, a person, a role phrase or a source."""
    words = phrase.split()
    if not words:
        return None
    lower = [w.lower().strip(ALL_MARKS_TEXT) for w in words]
    two = " ".join(lower[:2])
    if lower[0] in PRONOUNS_DE or lower[0] in PRONOUNS_EN or two in PRONOUNS_EN:
        pronoun = two if two in PRONOUNS_EN else lower[0]
        return _person(registry.resolve_pronoun(pronoun, para, offset)) or (
            _NOBODY if final else None
        )
    if lower[0] in _NON_PERSON_PRONOUNS:
        return _NOBODY if final else None
    end = offset + len(phrase)
    for mention in registry.mentions(para):
        if offset <= mention.start < end:
            return _person(mention.person)
    for role_phrase in registry.role_phrases(para):
        if offset <= role_phrase.start < end or role_phrase.start <= offset < role_phrase.end:
            if role_phrase.name:
                return _person(registry.find_name(role_phrase.name))
            if not role_phrase.definite:
                return _Speaker(None, role_phrase.role)
            person = registry.person_for_role(role_phrase, para, role_phrase.start)
            if person is not None:
                return _person(person)
            return _Speaker(None, role_phrase.role)
    source = _capitalised_run(phrase)
    if source:
        person = registry.find_name(source)
        if person is not None:
            return _person(person)
        return _Speaker(source, None, source=True)
    return _NOBODY if final else None


_ARTICLE = lazy(r"^(?:der|die|das|den|dem|des|the)\s+", re.IGNORECASE)


def _capitalised_run(phrase: str) -> str | None:
    """The proper noun a phrase opens with, without article ("der Ukraine" → "Ukraine")."""
    rest = _ARTICLE.sub("", phrase.strip(ALL_MARKS_TEXT + " "))
    run: list[str] = []
    for token in tokenize(rest):
        word = token.text
        if not run and _ADJECTIVE.search(word):
            continue
        if not word[:1].isupper() or word in _TERMINAL:
            break
        run.append(re.sub(r"['’]s$", "", word))
        if len(run) == 4:
            break
    return " ".join(run) or None
