"""Text primitives of the importer: decoding, clean-up, language guess, sentence splitting."""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from bot.story.marks import quote_spans
from bot.story.model import StoryError
from bot.story.words import lazy, wordset

_MAGIC_BINARY = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"%PDF",
    b"\x7fELF",
    b"BZh",
    b"7z\xbc\xaf",
    b"Rar!",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"\x00\x00\x01\x00",
    b"MZ",
)
_ALLOWED_CONTROL = {0x09, 0x0A, 0x0C, 0x0D}
_CONTROL_BYTES = bytes(byte for byte in range(0x20) if byte not in _ALLOWED_CONTROL)
_HIGH_BYTES = bytes(range(0x80, 0x100))
# Text with this share of control bytes is not a page anyone wrote.
_BINARY_CONTROL_RATIO = 0.01

# Character classes, not str.translate tables: a substitution scans a 2 MB page in C in a
# few milliseconds, where translate takes a Python-level lookup per character.
_INVISIBLE = lazy("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = lazy("[\u00a0\u2007\u202f\u2009\u200a\u3000\t\u2002\u2003]")
_MULTI_SPACE = lazy(r" {2,}")


def decode_page(data: bytes, *, max_bytes: int = 2_000_000) -> str:
    """Decode the raw bytes of a page to NFC text with \\n newlines, or raise StoryError."""
    if len(data) > max_bytes:
        raise StoryError("too_large", f"{len(data)} bytes > {max_bytes}")
    text = _decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise StoryError("empty")
    if _control_ratio(text) > _BINARY_CONTROL_RATIO:
        raise StoryError("binary", "too many control characters")
    return text


def _decode_bytes(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return data.decode("utf-32", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if not data.strip():
        raise StoryError("empty")
    if data.startswith(_MAGIC_BINARY) or b"\x00" in data:
        raise StoryError("binary", "binary signature or NUL bytes")
    # Counted in C: the bytes left after deleting the control bytes (a Python loop over a
    # 2 MB upload took a tenth of a second).
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if control / len(data) > _BINARY_CONTROL_RATIO:
        raise StoryError("binary", "too many control bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        # A page copied together from several sources: keep the UTF-8 majority readable.
        return data.decode("utf-8", errors="replace")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _mostly_utf8(data: bytes) -> bool:
    valid = _UTF8_MULTIBYTE.findall(data)
    valid_high = sum(len(seq) for seq in valid)
    all_high = len(data) - len(data.translate(None, _HIGH_BYTES))
    return bool(valid) and valid_high >= 0.9 * all_high


# Unicode's Cc category is exactly these ranges; a class keeps the scan in C, not per char.
_CONTROL = lazy("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL_OR_SEPARATOR = lazy("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _control_ratio(text: str) -> float:
    control = len(_CONTROL.findall(text))
    return control / max(len(text), 1)


def clean_text(text: str) -> str:
    """Normalise a page for parsing: NFC, \\n newlines, plain spaces, no invisible characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
    text = _CONTROL_OR_SEPARATOR.sub(" ", text)
    # Runs of plain spaces never span a newline: one pass over the page, not one per line.
    return "\n".join(line.strip() for line in _MULTI_SPACE.sub(" ", text).split("\n"))


_WORD = lazy(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

STOPWORDS_DE = wordset("""
    der die das den dem des ein eine einen einem einer eines und oder aber doch nicht nur auch
    noch schon sehr mit von zu zum zur im in ins am an auf aus bei nach vor für über unter um
    durch gegen ohne seit bis ist sind war waren wird werden wurde wurden hat haben hatte hatten
    sei sein seine seiner seinen seinem ihr ihre ihren ihrem ihrer er sie es wir ihr man sich
    dass daß wie als wenn weil ob so dann da dort hier was wer wo dieser diese dieses diesem
    diesen jedoch allerdings bereits immer mehr kein keine keinen ich du uns euch mir mich dir
    dich ihm ihn einem zwischen damit dabei sowie gegenüber will soll kann muss müssen können
    """)
STOPWORDS_EN = wordset("""
    the a an and or but not only also still very with of to in into on at from by for about over
    under through against without since until is are was were be been being has have had will
    would shall should can could may might must he she it they we you i his her its their our
    your them him us me that this these those which who whom whose what when where why how as
    if so than then there here do does did done just more most no any some all each both
    """)
_DE_MARKERS = frozenset({"der", "die", "das", "und", "ist", "nicht", "mit", "den", "dem", "sich"})
_EN_MARKERS = frozenset({"the", "and", "is", "of", "to", "with", "that", "was", "for", "it"})


def words(text: str) -> list[str]:
    """The words of a text (letters with inner hyphens or apostrophes), in order."""
    return _WORD.findall(text)


def detect_language(text: str) -> str:
    """Guess "de" or "en" by counting frequent function words; German wins a tie."""
    german = english = 0
    for word in words(text[:20_000]):
        lower = word.lower()
        german += lower in _DE_MARKERS or lower in STOPWORDS_DE
        english += lower in _EN_MARKERS or lower in STOPWORDS_EN
        german += any(ch in word for ch in "äöüß")
    return "en" if english > german else "de"


_ABBREVIATIONS_DE = wordset("""
    z b u a d h o ä s v g bzw ca dr prof nr str usw vgl evtl ggf inkl zzt bspw insb sog abs
    jh jhd mio mrd tsd hr fr min max st geb gest chr mr mrs ms co etc ff abb bd hl
    """)
_ABBREVIATIONS_EN = wordset("""
    mr mrs ms dr prof st jr sr gen lt col sgt capt gov sen rep rev hon inc ltd corp co vs etc
    jan feb mar apr jun jul aug sep sept oct nov dec no vol fig approx dept est
    """)
_MONTHS = wordset("""
    januar februar märz april mai juni juli august september oktober november dezember
    jänner
    """)
# Candidate end: terminal punctuation, closing marks, then space before the next sentence.
_BOUNDARY = lazy(r"(?:[.!?]+|…)[\"'“”„«»‹›’‘)\]]*(?=\s+\S)")
_NEXT_WORD = lazy(r"\s*(\S+)")
_SENTENCE_START = lazy(r"\s+[\"'“”„«»‹›‚‘(\[]*[^\W_]")


def split_sentences(text: str, language: str) -> list[str]:
    """Split text into sentences that are verbatim substrings; quotes stay whole."""
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        sentences.extend(_split_paragraph(paragraph, language))
    return sentences


def sentence_spans(paragraph: str, language: str) -> list[tuple[int, int]]:
    """Start and end offsets of each sentence of one paragraph."""
    return list(_sentence_spans(paragraph, language))


# The summary, the layout and the quotes each split the same paragraphs: once per page.
@lru_cache(maxsize=65536)
def _sentence_spans(paragraph: str, language: str) -> tuple[tuple[int, int], ...]:
    abbreviations = _ABBREVIATIONS_EN if language == "en" else _ABBREVIATIONS_DE
    quotes = [(start, end) for start, end, _ in quote_spans(paragraph) if end > start]
    spans: list[tuple[int, int]] = []
    start = 0
    next_quote = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.end()
        follow = _SENTENCE_START.match(paragraph, end)
        if follow is None or not (follow.group()[-1].isupper() or follow.group()[-1].isdigit()):
            continue
        # Top-level quotations are ordered and disjoint: walk them alongside the text.
        while next_quote < len(quotes) and quotes[next_quote][1] <= end:
            next_quote += 1
        if next_quote < len(quotes) and quotes[next_quote][0] < match.start():
            continue
        single_dot = paragraph[match.start()] == "." and match.end() - match.start() == 1
        if single_dot and _is_abbreviation(paragraph, match.start(), abbreviations, language):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(paragraph)))
    return tuple((s + _lead_space(paragraph, s), e) for s, e in spans if paragraph[s:e].strip())


def _lead_space(text: str, start: int) -> int:
    offset = 0
    while start + offset < len(text) and text[start + offset].isspace():
        offset += 1
    return offset


def _split_paragraph(paragraph: str, language: str) -> list[str]:
    return [paragraph[s:e].strip() for s, e in sentence_spans(paragraph, language)]


def _is_abbreviation(text: str, dot: int, abbreviations: frozenset[str], language: str) -> bool:
    token_start = dot
    while token_start > max(0, dot - 40) and not text[token_start - 1].isspace():
        token_start -= 1
    token = text[token_start:dot].lstrip("\"'“”„«»‹›‚‘([")
    if not token:
        return False
    if len(token) == 1 and token.isalpha():
        return True
    if "." in token and all(len(part) <= 2 for part in token.split(".")):
        return True
    if token.lower() in abbreviations:
        return True
    if token.isdigit() and len(token) <= 2 and language == "de":
        # "3. Oktober" is a date, "im Jahr 2022. Es" ends a sentence (years have four digits).
        following = _NEXT_WORD.match(text, dot + 1)
        nxt = following.group(1).strip(".,") if following else ""
        return nxt.lower() in _MONTHS or not nxt[:1].isupper()
    return False


# Six letters keep German inflection and compounds apart well enough for overlap counts
# ("Sicherheitsgarantie" and "Sicherheit" meet, "russisch" and "Russland" do not).
_STEM_LENGTH = 6


def content_stems(text: str) -> list[str]:
    """Crude stems of the content words of a text (hyphenated compounds split), in order."""
    return list(itertools.chain.from_iterable(map(_word_stems, words(text))))


def content_stem_set(text: str) -> set[str]:
    """The distinct stems of `content_stems(text)`: each distinct word is stemmed once."""
    return set(itertools.chain.from_iterable(map(_word_stems, set(words(text)))))


@lru_cache(maxsize=65536)
def _word_stems(word: str) -> tuple[str, ...]:
    # A page repeats its words: each is stemmed once.
    stems: list[str] = []
    for part in word.split("-"):
        lower = part.lower().strip("'’")
        if len(lower) < 4 or lower in STOPWORDS_DE or lower in STOPWORDS_EN:
            continue
        stems.append(lower[:_STEM_LENGTH])
    return tuple(stems)
