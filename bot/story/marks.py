"""Quotation marks: which mark opens, which closes, which is stray.

Pages mix every mark („“ “” "" «» »« ‚‘) and reverse or break them, so a mark's role is
decided by the characters around it, never by which mark it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

DOUBLE_MARKS = frozenset('"„“”«»‟〝〞＂❝❞')
SINGLE_MARKS = frozenset("'‚‘’‹›‛")
ALL_MARKS = DOUBLE_MARKS | SINGLE_MARKS
ALL_MARKS_TEXT = "".join(sorted(ALL_MARKS))

_MARK = re.compile("[" + re.escape(ALL_MARKS_TEXT) + "]")
_LEFT_OF_OPENER = frozenset("([{<–—/")
_RIGHT_OF_CLOSER = frozenset(".,;:!?)]}>…–—/")


class _Role(Enum):
    OPENER = "opener"
    CLOSER = "closer"
    GLUED = "glued"  # letters on both sides: a broken mark or an apostrophe
    FREE = "free"  # spaces on both sides


@dataclass(frozen=True)
class QuoteSpan:
    """A top-level quotation: `start` is the opening mark, `end` the closing mark (or the end)."""

    start: int
    end: int
    unclosed: bool = False


@dataclass
class QuoteScan:
    """The quotations of one paragraph, the marks judged stray and what was dropped."""

    spans: list[QuoteSpan] = field(default_factory=list)
    stray: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def _role(text: str, index: int) -> _Role:
    prev = text[index - 1] if index > 0 else None
    nxt = text[index + 1] if index + 1 < len(text) else None
    left_open = prev is None or prev.isspace() or prev in _LEFT_OF_OPENER or prev in ALL_MARKS
    right_close = nxt is None or nxt.isspace() or nxt in _RIGHT_OF_CLOSER or nxt in ALL_MARKS
    if left_open and not right_close:
        return _Role.OPENER
    if right_close and not left_open:
        return _Role.CLOSER
    return _Role.FREE if left_open else _Role.GLUED


def scan_quotes(paragraph: str, *, continues: bool = False) -> QuoteScan:
    """Pair the marks of a paragraph; `continues` if the next paragraph goes on quoting."""
    scan = _scan(paragraph, continues)
    # A copy: the scan is the caller's to change, the cached one stays as it was.
    return QuoteScan(list(scan.spans), set(scan.stray), list(scan.warnings))


# The paragraph, its quotations, the sentences and the summary read the same paragraphs'
# marks, some of them twice (with and without a quotation going on): once per text.
@lru_cache(maxsize=65536)
def _scan(paragraph: str, continues: bool) -> QuoteScan:
    scan = QuoteScan()
    marks = [
        (m.start(), m.group() in DOUBLE_MARKS, _role(paragraph, m.start()))
        for m in _MARK.finditer(paragraph)
    ]
    closes_later = _closes_later(marks)
    double_open: int | None = None
    single_open: int | None = None
    for position, (index, is_double, role) in enumerate(marks):
        if not is_double:
            if role is _Role.OPENER:
                single_open = index
            elif role is _Role.CLOSER and single_open is not None:
                if double_open is None:
                    scan.spans.append(QuoteSpan(single_open, index))
                single_open = None
            continue
        if role is _Role.OPENER:
            if double_open is not None:
                scan.stray.add(double_open)
                scan.warnings.append(_dropped("unclosed quotation mark", paragraph, double_open))
            double_open, single_open = index, None
        elif role is _Role.CLOSER or (role is _Role.FREE and double_open is not None):
            if double_open is None:
                scan.stray.add(index)
                scan.warnings.append(_dropped("closing mark without opening", paragraph, index))
            else:
                scan.spans.append(QuoteSpan(double_open, index))
                double_open = single_open = None
        elif double_open is not None:
            # A mark glued between two words inside an open quote is a broken mark when the
            # quote still closes later; otherwise it is the (unspaced) closer.
            if closes_later[position]:
                scan.stray.add(index)
                scan.warnings.append(_dropped("stray quotation mark", paragraph, index))
            else:
                scan.spans.append(QuoteSpan(double_open, index))
                double_open = single_open = None
        elif closes_later[position]:
            double_open, single_open = index, None
        else:
            scan.stray.add(index)
            scan.warnings.append(_dropped("stray quotation mark", paragraph, index))
    if double_open is not None:
        if continues:
            scan.spans.append(QuoteSpan(double_open, len(paragraph), unclosed=True))
        else:
            scan.stray.add(double_open)
            scan.warnings.append(_dropped("unclosed quotation mark", paragraph, double_open))
    scan.spans.sort(key=lambda span: span.start)
    return scan


def _dropped(what: str, paragraph: str, index: int) -> str:
    """A warning that names the dropped mark with the words around it."""
    context = paragraph[max(0, index - 20) : index + 21].replace("\n", " ")
    return f"{what} dropped: …{context}…"


def _closes_later(marks: list[tuple[int, bool, _Role]]) -> list[bool]:
    """For each mark: does a later double mark close a quote before another one opens?"""
    result = [False] * len(marks)
    answer = False
    for position in range(len(marks) - 1, -1, -1):
        result[position] = answer
        _, is_double, role = marks[position]
        if is_double and role is _Role.OPENER:
            answer = False
        elif is_double and role in (_Role.CLOSER, _Role.FREE):
            answer = True
    return result


def quote_spans(paragraph: str) -> list[tuple[int, int, bool]]:
    """(opening mark, closing mark, unclosed) of each top-level quotation of a paragraph."""
    return list(_quote_spans(paragraph))


@lru_cache(maxsize=65536)
def _quote_spans(paragraph: str) -> tuple[tuple[int, int, bool], ...]:
    return tuple((s.start, s.end, s.unclosed) for s in _scan(paragraph, False).spans)


def opens_with_quote(paragraph: str) -> bool:
    """True if the paragraph starts with an opening quotation mark."""
    return bool(paragraph) and paragraph[0] in ALL_MARKS and _role(paragraph, 0) is _Role.OPENER


_PAIRS = frozenset({("„", "“"), ("“", "”"), ('"', '"'), ("«", "»"), ("»", "«"), ("„", "”")})
_CANONICAL = {"de": ("„", "“"), "en": ("“", "”")}


def normalise_marks(text: str, language: str) -> str:
    """Text whose quotations open and close with a matching pair of marks.

    A page may close with an opening mark (“… Ukraine„); readers would see it broken. Only
    mismatched double pairs change; they take the language's own pair.
    """
    if DOUBLE_MARKS.isdisjoint(text):  # in C, not a Python step per character
        return text
    chars = list(text)
    opener, closer = _CANONICAL.get(language, _CANONICAL["en"])
    for span in scan_quotes(text).spans:
        if span.unclosed or span.end >= len(text):
            continue
        pair = (text[span.start], text[span.end])
        if pair[0] in DOUBLE_MARKS and pair[1] in DOUBLE_MARKS and pair not in _PAIRS:
            chars[span.start], chars[span.end] = opener, closer
    return "".join(chars)
