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

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.story import lexicon_de as de
from bot.story import lexicon_en as en
from bot.story.layout import Para
from bot.story.marks import ALL_MARKS_TEXT, QuoteSpan
from bot.story.model import Quote
from bot.story.people import PRONOUNS_DE, PRONOUNS_EN, Person, Registry, RolePhrase, tokenize
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
# „…“, wie Lechner sagte / wie der Minister betonte: the speaker before the verb.
_AFTER_DE_WIE = lazy(
    r"\s*,\s*wie\s+(?P<np>[^,.;:!?]+?)\s+(?:(?:es\s+)?(?:gestern|heute|zuvor|später|noch)\s+)?"
    r"(?P<verb>" + _SPEECH_DE + r"|mitteilt\w*|berichtet\w*|bestätigt\w*|ankündigt\w*)\b"
)
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
_DOCUMENT_SPEAKS = lazy(
    r"\s*,?\s*(?:the|a|its|their|his|her)\s+(?:\w+\s+)?(?P<noun>[a-z]+)\s+"
    r"(?:read|reads|said|says|added|stated)\b"
)
# Family roles in apposition: "“…,” Gene Alvarado, an analyst at Brightline, told CNBC".
_AFTER_EN_APPOSITION = lazy(
    r"\s*,?\s*(?P<np>[A-Z][^,.;:!?\"“”«»]{1,40}),\s*[^,;:!?\"“”«»]{2,90},\s*"
    r"(?P<verb>" + _SPEECH_EN + r")\b"
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
_ORG_AFTER_ES = lazy(
    r"\b(?:des|der|vom|von|aus\s+dem|of\s+the|from\s+the)\s+(?P<noun>[A-Za-zÄÖÜäöüß]+)"
)
_AGE_EPITHET = lazy(r"^(?:der|die|the)\s+\d{1,3}-(?:jährige\w*|year-old)\b", re.IGNORECASE)
_FOR_ORG = lazy(
    r"\s+(?:for|at|of|der|des|vom|von\s+der|von)\s+(?P<org>(?:the\s+)?[A-ZÄÖÜ][\w&.-]*(?:\s+(?:[A-ZÄÖÜ][\w&.-]*|and|of|for))*)"
)
_SUBJECT_OPENING = lazy(
    r"^[\s"
    + ALL_MARKS_TEXT
    + r"]*(?:(?i:der|die|das|the)\s+)?(?P<run>[A-ZÄÖÜ][\w&.-]*(?:\s+[A-ZÄÖÜ][\w&.-]*){0,3})"
    r"\s+(?P<verb>[a-zäöüß]+)\b"
)
_ROLE_OF_ORG = lazy(r"\s(?:der|des|vom|von|of|for|at)\s+(?:the\s+)?(?P<org>[A-ZÄÖÜ].*)$")
_GENERIC_OPENING = lazy(
    r"^[\s" + ALL_MARKS_TEXT + r"]*(?i:der|die|das|the)\s+(?P<noun>[A-Za-zÄÖÜäöüß]+)\b"
)
_OPENING_STOP = wordset("The A An This That These Those It He She They We I Der Die Das")
# Family organisations: "Aus dem Ministerium hieß es", "hieß es in einer Mitteilung des Verbands".
_HIESS_ES = lazy(
    r"(?:(?:(?i:aus)|(?i:von)|(?i:vom)|(?i:seitens))\s+(?:dem|der|des)?\s*(?P<a>[A-Za-zÄÖÜäöüß]+)\s+hieß\s+es"
    r"|hieß\s+es\s+(?:aus|von|vom|seitens|in\s+einer\s+\w+\s+(?:des|der|vom))\s+"
    r"(?:dem|der|den)?\s*(?P<b>[A-Za-zÄÖÜäöüß]+))"
)
_GENITIVE_S = lazy(r"(?<=[a-zäöüß]{4})s$")
_ROLE_NOT_BODIES = wordset("a an the chief senior deputy official")
_POSSESSIVE_NAME = lazy(r"^[A-Z][\w&.-]*['’]s$")
_CIRCLES = lazy(r"^(?P<body>[A-ZÄÖÜ][a-zäöüß]{2,}?)s?kreise[n]?$")
_EN_NOT_SUBJECTS = wordset("and or but to that which who as if when while because so then also")
_SPOKESPERSON_COMPOUND = lazy(r"^(?P<org>[A-ZÄÖÜ][a-zäöüß]+?)-?sprecher(?:in)?$")
_NEAR_QUOTES = 30
# "for the ministry", "for the transport ministry", "for the state health department".
_FOR_GENERIC_ORG = lazy(r"\s+(?:for|at|of)\s+the\s+(?P<noun>[a-z]+(?:\s+[a-z]+){0,2})\b")
_NATIONALITY_EPITHET = lazy(
    r"^(?:der|die)\s+[A-ZÄÖÜ][a-zäöüß]+(?:e|er|erin|in|ese|esin)(?:\s+(?:am|im|vor|in|bei|gegenüber|nach)\b.*)?$"
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
    """Every quotation of the given paragraphs, in reading order, with its speaker.

    A quotation in a headline and again in the text is one quotation; a quoted name of a
    thing ("die Initiative „…“", "the programme “…”") is none.
    """
    found: list[tuple[Para, Quote, bool]] = []
    warnings: list[str] = []
    previous_open: _Speaker | None = None
    last_in_flow: dict[int, _Speaker] = {}
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
            if names_a_thing(para.text, span, text, para.language):
                continue
            speaker = _attribute(para, span, text, registry)
            weak = speaker is None or speaker.person is None
            if para.headline and speaker is not None and speaker.person is None:
                speaker = None  # the item's speaker first; the headline's subject is a label
            if speaker is None:
                # A quotation without attribution goes on from the one before it.
                continues = span.start == 0 and previous_open is not None
                speaker = last or (previous_open if continues else None)
            if speaker is None and span.start == 0 and not para.headline:
                # Family attribution: a paragraph that only quotes goes on from the last speaker.
                speaker = last_in_flow.get(para.flow)
            if speaker is None and not para.headline:
                speaker = _previous_subject(para, span.start, registry)
            speaker = speaker or _NOBODY
            last = speaker
            if speaker.name and not para.headline:
                last_in_flow[para.flow] = speaker
            quote = Quote(
                text=text,
                speaker=speaker.name,
                role=speaker.role,
                fragment=is_fragment(para.text, span, text),
            )
            found.append((para, quote, weak))
        previous_open = last if scan.spans and scan.spans[-1].unclosed else None
    return _headline_speakers(found, registry), warnings


def _previous_subject(para: Para, offset: int, registry: Registry) -> _Speaker | None:
    """Family attribution: a quoted sentence after one naming its speaker ("…, sagte X. „…“")."""
    start, _ = para.sentence_at(offset)
    if start == 0:
        return None
    for persons in registry.sentence_subjects(para, start):
        return _person(persons[0])
    return None


def _issuer_before(para: Para, offset: int, registry: Registry) -> str | None:
    """The capitalised subject of the sentence before the quote ("Hartwell United have …")."""
    start, _ = para.sentence_at(offset)
    for sentence_start, sentence_end in reversed(para.sentences):
        if sentence_end > start:
            continue
        opening = _SUBJECT_OPENING.match(para.text[sentence_start:sentence_end])
        if opening is None or opening.group("run") in _OPENING_STOP:
            return None
        person = registry.find_name(opening.group("run"))
        return person.name if person is not None else opening.group("run")
    return None


def _headline_speakers(found: list[tuple[Para, Quote, bool]], registry: Registry) -> list[Quote]:
    """Headline quotes take their item's speaker; a quote in headline and text is kept once."""
    quotes: list[tuple[Quote, bool]] = []
    seen: dict[str, int] = {}
    for index, (para, quote, weak) in enumerate(found):
        if para.headline and quote.speaker is None:
            quote = _item_speaker(para, quote, itertools.islice(found, index + 1, None), registry)
        key = _quote_key(quote.text)
        if para.headline:
            # "Regional president: ‘worst flooding in a century’" above “the worst flooding in
            # a century”: the text's quote covers the headline's.
            covering = None
            for other_para, other, _ in itertools.islice(found, index + 1, None):
                if other_para.flow != para.flow:
                    break  # an item's paragraphs follow its headline
                if key in _quote_key(other.text):
                    covering = other
                    break
            if covering is not None:
                continue
        if key in seen:
            kept, kept_weak = quotes[seen[key]]
            if (kept.speaker is None and quote.speaker is not None) or (kept_weak and not weak):
                quotes[seen[key]] = (quote, weak)
            continue
        seen[key] = len(quotes)
        quotes.append((quote, weak or para.headline))
    # A fragment that stands again inside a longer, attributed quotation is that quotation.
    # Looked for among the quotations near it, so that a long page stays linear.
    keys = [_quote_key(quote.text) for quote, _ in quotes]
    result: list[Quote] = []
    for index, (quote, weak) in enumerate(quotes):
        near = range(max(0, index - _NEAR_QUOTES), min(len(quotes), index + _NEAR_QUOTES + 1))
        covered = (quote.speaker is None or weak) and any(
            other != index
            and keys[index] != keys[other]
            and keys[index] in keys[other]
            and quotes[other][0].speaker is not None
            for other in near
        )
        if not covered:
            result.append(quote)
    return result


def _item_speaker(
    para: Para, quote: Quote, following: Iterable[tuple[Para, Quote, bool]], registry: Registry
) -> Quote:
    """Family headlines: "Verkehrsministerin: «…»", "Union leader: ‘…’" name the item's speaker."""
    label = para.text.split(":", 1)[0].strip() if ":" in para.text[:60] else ""
    if label:
        person = registry.find_name(label)
        if person is not None:
            return Quote(quote.text, person.name, person.role, quote.fragment)
    for other_para, other, _ in following:
        if other_para.flow != para.flow:
            break
        if other.speaker is not None:
            return Quote(quote.text, other.speaker, other.role, quote.fragment)
    subject = _subject_source(para, 0, len(para.text), registry)
    if subject is not None and subject.name:
        return Quote(quote.text, subject.name, None, quote.fragment)
    return quote


def _quote_key(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


_NOT_WORD = lazy(r"[^\w]+")


def names_a_thing(paragraph: str, span: QuoteSpan, text: str, language: str) -> bool:
    """Family quoted names: a programme, initiative, paper or weapon is named, not quoted."""
    if paragraph[span.end + 1 : span.end + 2] == "-" and len(text.split()) <= 3:
        return True  # "der „Bild“-Zeitung": the quotation is part of a name
    if paragraph[span.start - 1 : span.start] == "-" and len(text.split()) <= 4:
        return True  # "das ZDF-„heute journal“": a compound with a programme's name
    words = text.split()
    before_word = paragraph[max(0, span.start - 30) : span.start].split()[-1:]
    title_case = all(w[:1].isupper() or w in ("of", "the", "and") for w in words)
    if (
        before_word
        and _POSSESSIVE_NAME.match(before_word[0])
        and 1 <= len(words) <= 4
        and title_case
    ):
        return True  # "told CNBC’s “Closing Bell.”": an outlet's programme
    if not words or len(words) > 6 or not (text[0].isupper() or text[0].isdigit()):
        return False
    if text.rstrip()[-1:] in ".!?":
        return False
    before = paragraph[max(0, span.start - 40) : span.start].rstrip().lower()
    previous = before.split()[-1].strip(",;:()") if before.split() else ""
    if previous in de.THING_NOUNS or previous in en.THING_NOUNS:
        return True
    if previous in de.NAMING_WORDS or previous in en.NAMING_WORDS:
        return True
    prepositions = de.NAMING_PREPOSITIONS if language == "de" else en.NAMING_PREPOSITIONS
    # "in der „ZiB 2“", "in the “Times”": a title right after a preposition and article.
    return len(words) <= 3 and any(before.endswith(" " + p) or before == p for p in prepositions)


def clean_quote(paragraph: str, span: QuoteSpan, stray: set[int]) -> str:
    """The words of a quotation without stray or enclosing marks and trailing commas."""
    inner = paragraph[span.start + 1 : span.end]
    if any(span.start < index < span.end for index in stray):
        # Stray marks inside become spaces (most quotations have none: no walk per char).
        inner = "".join(" " if span.start + 1 + i in stray else ch for i, ch in enumerate(inner))
    text = " ".join(inner.split())
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
    speech = _SPEECH_WORD.fullmatch(previous_word) is not None
    return not (statement and speech)


_SPEECH_WORD = lazy(_SPEECH_DE + "|" + _SPEECH_EN)


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
    # A plain find with the word-boundary test by hand: a pattern per surname overflowed
    # the regular expression cache on a page naming thousands, and was compiled per quote.
    name = person.surname
    if not name:
        return re.search(r"(?<!\w)(?!\w)", text) is not None
    position = text.find(name)
    while position >= 0:
        end = position + len(name)
        if (position == 0 or not _is_word_char(text[position - 1])) and (
            end == len(text) or not _is_word_char(text[end])
        ):
            return True
        position = text.find(name, position + 1)
    return False


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what `\w` matches


def _after_closer(para: Para, after: str, offset: int, registry: Registry) -> _Speaker | None:
    if para.language == "en":
        document = _DOCUMENT_SPEAKS.match(after)
        if document is not None and document.group("noun").lower() in en.STATEMENT_NOUNS:
            # Family organisations: "“…,” the statement read" speaks for who issued it.
            issuer = _issuer_before(para, offset, registry) or registry.recent_org(para, offset)
            if issuer is not None:
                return _Speaker(issuer, source=True)
            return _previous_subject(para, offset, registry)
        match = (
            _AFTER_EN_VERB_FIRST.match(after)
            or _AFTER_EN_NP_FIRST.match(after)
            or _AFTER_EN_APPOSITION.match(after)
        )
        if match is not None and match.group("np").split()[0] in _EN_NOT_SUBJECTS:
            match = None  # "… “the worst flooding” and asked Rome …": no speaker follows
    else:
        match = _AFTER_DE.match(after) or _AFTER_DE_WIE.match(after)
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
    said = _HIESS_ES.search(before)
    if said is not None:
        noun = said.group("a") or said.group("b")
        # Family organisations: "aus Unionskreisen", "aus Regierungskreisen" speak for the body.
        circles = _CIRCLES.match(noun)
        if circles is not None:
            body = circles.group("body")
            named = registry.recent_org(para, offset, body.lower())
            matched = named is not None and named.lower().endswith(body.lower())
            return _Speaker(named if matched else body, source=True)
        return _org_speaker(para, noun, offset, registry) or _Speaker(noun, source=True)
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
        return _unnamed(para, unnamed, registry)  # "Ein Sprecher der Staatskanzlei nannte „…“"
    if mention is not None:
        return _person(mention.person)
    return _subject_source(para, start, limit, registry)


def _subject_source(para: Para, start: int, limit: int, registry: Registry) -> _Speaker | None:
    """Family organisations as subject: "Die Opposition spricht von …", "Codelmin said …"."""
    sentence = para.text[start:limit]
    speech = _SPEECH_DE if para.language == "de" else _SPEECH_EN
    for org in registry.org_mentions(para):
        # "The train's operator, Northway Trains, said it was “…”"
        if start <= org.start < limit and re.search(
            r"\b" + speech + r"\b", para.text[org.end : limit], re.IGNORECASE
        ):
            return _Speaker(org.name, source=True)
    generic = _GENERIC_OPENING.match(sentence)
    if generic is not None and re.search(r"\b" + speech + r"\b", sentence, re.IGNORECASE):
        noun = generic.group("noun")
        if _org_noun(noun) is not None:
            found = _org_speaker(para, noun, start, registry)
            return found or _Speaker(noun[:1].upper() + noun[1:], source=True)
    opening = _SUBJECT_OPENING.match(sentence)
    if opening is None or para.language == "de":
        return None  # German capitalises every noun: only organisations are sources here
    noun = opening.group("run")
    if noun in _OPENING_STOP or opening.group("verb").lower() in _NOT_VERBS:
        return None
    if registry.find_name(noun) is not None or not re.match(speech, opening.group("verb")):
        return None
    return _Speaker(noun, source=True)


def _unnamed(para: Para, phrase: RolePhrase, registry: Registry) -> _Speaker:
    """Family spokespersons: "a spokesperson for the European Commission" speaks for it."""
    after = para.text[phrase.end : phrase.end + 80]
    body = _FOR_ORG.match(after) or _ROLE_OF_ORG.search(phrase.role)
    if body is not None:
        org = _strip_article(body.group("org"))
        # Family organisations: "ein Sprecher des Verbands" is the Ruhrverband the page named.
        generic_noun = _org_noun(_GENITIVE_S.sub("", org))
        if generic_noun is not None and len(org.split()) == 1:
            page_name = registry.recent_org(para, phrase.start, generic_noun)
            if page_name is not None and _GENITIVE_S.sub("", page_name).lower() != generic_noun:
                return _Speaker(page_name, phrase.role)
        return _Speaker(org, phrase.role)
    if para.language == "en" and phrase.kind == "spokesperson":
        # Family organisations: "a league spokesperson", "a ministry spokeswoman" speak for
        # the league or ministry the page named.
        for word in phrase.role.split()[:-1]:
            if word.islower() and word not in _ROLE_NOT_BODIES:
                body_name = registry.recent_org(para, phrase.start, word)
                if body_name is not None and body_name.lower().endswith(word):
                    return _Speaker(body_name, phrase.role)
        # "an RCMP spokesperson", "a Downing Street spokesman": the body is named before the
        # noun (title words aside: "a senior spokesperson").
        body_words = [w for w in phrase.role.split()[:-1] if w[:1].isupper()]
        if (
            body_words
            and len(body_words) == len(phrase.role.split()) - 1
            and not any(
                w.lower() in _ROLE_NOT_BODIES or w.lower() in en.ROLE_KINDS for w in body_words
            )
        ):
            return _Speaker(" ".join(body_words), phrase.role)
    compound = _SPOKESPERSON_COMPOUND.match(phrase.role.split()[-1]) if phrase.role else None
    if compound is not None and len(compound.group("org")) >= 3:
        # "eine Bahnsprecherin", "ein Polizeisprecher": the compound names the body.
        named = _named_body(para, compound.group("org"), registry)
        if named is not None:
            return _Speaker(named, phrase.role)
    generic = _FOR_GENERIC_ORG.match(after)
    words = generic.group("noun").split() if generic is not None else []
    for count, word in enumerate(words, 1):
        if _org_noun(word) is None:
            continue
        # "a spokesperson for the (transport) ministry": the ministry the page named, or
        # the ministry as the page describes it.
        named = registry.recent_org(para, phrase.start, word)
        return _Speaker(named or " ".join(words[:count]), phrase.role)
    if phrase.kind == "spokesperson":
        recent = registry.recent_org(para, phrase.start)
        if recent is not None:
            return _Speaker(recent, phrase.role)
    return _Speaker(None, phrase.role)


def _named_body(para: Para, stem: str, registry: Registry) -> str | None:
    """The page's name for the body a compound points to ("Bahn" → "Deutsche Bahn")."""
    stem = stem.rstrip("s") if stem.endswith("s") and len(stem) > 4 else stem
    pattern = re.compile(
        r"(?:\b[A-ZÄÖÜ][\wäöüß]+(?:e|er|en)\s+)?\b" + re.escape(stem.capitalize()) + r"\w*",
    )
    for candidate in [para, *registry.context(para)]:
        match = pattern.search(candidate.text)
        if match is not None:
            return match.group().removeprefix("Die ").removeprefix("Der ").removeprefix("Das ")
    return None


def _org_noun(phrase: str) -> str | None:
    """The generic noun of "der Verband", "das Gremium", "the company", if the phrase is one."""
    words = _ARTICLE.sub("", phrase.strip(ALL_MARKS_TEXT + " ")).split()
    if not words:
        return None
    first = words[0].strip(".,").lower()
    if first in de.ORG_NOUNS or first in en.ORG_NOUNS:
        return first
    return None


def _org_speaker(para: Para, noun: str, offset: int, registry: Registry) -> _Speaker | None:
    org = registry.recent_org(para, offset, noun.lower())
    return _Speaker(org, source=True) if org else None


def _strip_article(text: str) -> str:
    return _ARTICLE.sub("", text.strip()).strip()


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
        # Family organisations: "hieß es in einer Mitteilung des Verbands".
        body = _ORG_AFTER_ES.search(phrase)
        if body is not None:
            org = _org_speaker(para, body.group("noun"), offset, registry)
            if org is not None:
                return org
        return _NOBODY if final else None
    if _AGE_EPITHET.match(phrase.strip()):
        # Family epithets: "the 34-year-old said", "sagte der 61-Jährige".
        return _person(next(registry.recent_persons(para, offset), None)) or (
            _NOBODY if final else None
        )
    end = offset + len(phrase)
    for mention in registry.mentions(para):
        if offset <= mention.start < end:
            return _person(mention.person)
    for role_phrase in registry.role_phrases(para):
        if offset <= role_phrase.start < end or role_phrase.start <= offset < role_phrase.end:
            if role_phrase.name:
                return _person(registry.find_name(role_phrase.name))
            if not role_phrase.definite:
                return _unnamed(para, role_phrase, registry)
            person = registry.person_for_role(role_phrase, para, role_phrase.start)
            if person is not None:
                return _person(person)
            return _unnamed(para, role_phrase, registry)
    noun = _org_noun(phrase)
    if noun is not None:
        org = _org_speaker(para, noun, offset, registry)
        if org is not None:
            return org
    if final and para.language == "de" and _NATIONALITY_EPITHET.match(phrase.strip()):
        # Family epithets: "sagte der Portugiese", "so die Französin" name the person just met.
        person = next(registry.recent_persons(para, offset), None)
        if person is not None:
            return _person(person)
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
