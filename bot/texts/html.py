"""Telegram HTML: escaping, measuring and splitting messages.

Telegram rejects a whole message ("can't parse entities") when one tag is broken, and
rejects text over 4096 characters; every message we send therefore passes through
`split_message`, which cuts at the best boundary and keeps each chunk valid on its own.
"""

from __future__ import annotations

import functools
import html as _html
import re
import unicodedata
from collections.abc import Sequence
from enum import IntEnum

TELEGRAM_TEXT_LIMIT = 4096


def escape(text: str) -> str:
    """Text made safe for parse_mode=HTML: only & < > need escaping outside attributes."""
    return _html.escape(text, quote=False)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts text and entity offsets in."""
    # The codec counts in C: a Python loop over the characters was most of a long split.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# ---------------------------------------------------------------------------------------
# Tokens

# A "<" in text is always escaped in valid input, so any "<...>" is a tag.
_TAG_OR_ENTITY = re.compile(
    r"<[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{0,31});"
)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")


class _Kind(IntEnum):
    TEXT = 0
    OPEN = 1
    CLOSE = 2


class _Atom:
    """One indivisible piece: a tag, an entity or a single character (never mutated)."""

    __slots__ = ("is_ink", "is_space", "kind", "name", "raw", "visible", "width")

    def __init__(self, kind: _Kind, raw: str, name: str = "", visible: str = "") -> None:
        self.kind = kind
        self.raw = raw
        self.name = name  # tag name, lower case; empty for text
        self.visible = visible  # the text Telegram shows for this atom
        self.width = utf16_length(raw)
        # Split decisions test these for every character: computed once here.
        self.is_space = kind is _Kind.TEXT and visible.isspace()
        # Ink: visible and not whitespace, what makes a chunk worth sending.
        self.is_ink = kind is _Kind.TEXT and not self.is_space


def _tag_atom(raw: str) -> _Atom:
    match = _TAG_NAME.match(raw)
    if match is None:  # "<>" or "< 3>": not a tag, Telegram would reject it anyway
        return _Atom(_Kind.TEXT, raw, visible=raw)
    kind = _Kind.CLOSE if match.group(1) else _Kind.OPEN
    return _Atom(kind, raw, name=match.group(2).lower())


@functools.lru_cache(maxsize=4096)
def _char(ch: str) -> _Atom:
    # Atoms are immutable, so one per distinct character is shared: long texts tokenize
    # several times faster.
    return _Atom(_Kind.TEXT, ch, visible=ch)


def _tokenize(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    position = 0
    for match in _TAG_OR_ENTITY.finditer(text):
        atoms.extend(map(_char, text[position : match.start()]))
        raw = match.group()
        if raw.startswith("<"):
            atoms.append(_tag_atom(raw))
        else:
            atoms.append(_Atom(_Kind.TEXT, raw, visible=_html.unescape(raw)))
        position = match.end()
    atoms.extend(map(_char, text[position:]))
    return atoms


def visible_text(html: str) -> str:
    """The text a reader sees: tags dropped, entities decoded."""
    return "".join(atom.visible for atom in _tokenize(html) if atom.kind is _Kind.TEXT)


def visible_length(html: str) -> int:
    """Length of the visible text as Telegram measures it (UTF-16 code units)."""
    return utf16_length(visible_text(html))


# ---------------------------------------------------------------------------------------
# Splitting


class _Cut(IntEnum):
    """How good a place to cut is; higher is better."""

    HARD = 0  # between two characters of a word
    WORD = 1
    SENTENCE = 2
    LINE = 3
    PARAGRAPH = 4
    SECTION = 5  # two or more blank lines: formatters put them between items


_SENTENCE_END = frozenset(".!?…:;")
_CLOSERS = frozenset("\"'“”„»«›‹)]’")
# Characters that belong to the character before them: cutting before one would
# separate an accent or emoji modifier from its base.
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def _glued(left: str, right: str) -> bool:
    if not left or not right:  # a tag on either side: nothing to tear apart
        return False
    if left in _JOINERS or right in _JOINERS or unicodedata.combining(right[0]):
        return True
    # Emoji skin tones and regional-indicator pairs (flags) form one symbol.
    if "\U0001f3fb" <= right <= "\U0001f3ff":
        return True
    regional = "\U0001f1e6" <= left <= "\U0001f1ff" and "\U0001f1e6" <= right <= "\U0001f1ff"
    return regional


def _soft_cuts(atoms: Sequence[_Atom]) -> dict[int, _Cut]:
    """Places between words where a chunk may end: position → quality.

    A place is the first whitespace atom of a gap between two pieces of ink; the
    chunk ends before it and the whitespace is dropped.
    """
    cuts: dict[int, _Cut] = {}
    last_ink: str | None = None
    ink_before_last: str | None = None
    index = 0
    count = len(atoms)
    while index < count:
        atom = atoms[index]
        if atom.is_ink:
            ink_before_last, last_ink = last_ink, atom.visible
            index += 1
            continue
        # A gap of whitespace and tags: find its first whitespace and count newlines.
        first_space: int | None = None
        newlines = 0
        end = index
        while end < count and not atoms[end].is_ink:
            if atoms[end].is_space:
                if first_space is None:
                    first_space = end
                newlines += atoms[end].visible.count("\n")
            end += 1
        if first_space is not None and last_ink is not None and end < count:
            if newlines >= 3:
                cuts[first_space] = _Cut.SECTION
            elif newlines >= 2:
                cuts[first_space] = _Cut.PARAGRAPH
            elif newlines == 1:
                cuts[first_space] = _Cut.LINE
            elif last_ink in _SENTENCE_END or (
                last_ink in _CLOSERS and ink_before_last in _SENTENCE_END
            ):
                cuts[first_space] = _Cut.SENTENCE
            else:
                cuts[first_space] = _Cut.WORD
        index = end
    return cuts


def _open_stacks(atoms: Sequence[_Atom]) -> list[tuple[_Atom, ...]]:
    """The open elements before each position (len(atoms) + 1 entries, tuples shared)."""
    stacks: list[tuple[_Atom, ...]] = []
    stack: tuple[_Atom, ...] = ()
    for atom in atoms:
        stacks.append(stack)
        if atom.kind is _Kind.OPEN:
            stack = (*stack, atom)
        elif atom.kind is _Kind.CLOSE:
            names = [open_atom.name for open_atom in stack]
            if atom.name in names:
                # Close the innermost element of that name (and anything left open in it).
                depth = len(names) - 1 - names[::-1].index(atom.name)
                stack = stack[:depth]
    stacks.append(stack)
    return stacks


def _close_tag(open_atom: _Atom) -> _Atom:
    return _Atom(_Kind.CLOSE, f"</{open_atom.name}>", name=open_atom.name)


def _drop_blank_elements(atoms: Sequence[_Atom]) -> list[_Atom]:
    """Unwrap elements with no ink inside: they show nothing but still cost length, and
    a cut can leave one behind (a tag opened just before the cut)."""
    output: list[_Atom] = []
    opened: list[tuple[int, bool]] = []  # (index of the open tag in output, has ink)
    for atom in atoms:
        if atom.kind is _Kind.OPEN:
            opened.append((len(output), False))
            output.append(atom)
        elif atom.kind is _Kind.CLOSE and opened:
            start, has_ink = opened.pop()
            if has_ink:
                output.append(atom)
                if opened:
                    opened[-1] = (opened[-1][0], True)
            else:
                # Inner elements are closed already, so no recorded index lies after it.
                del output[start]
        else:
            output.append(atom)
            if atom.is_ink and opened:
                opened[-1] = (opened[-1][0], True)
    return output


def _tidy(atoms: list[_Atom]) -> list[_Atom]:
    """Drop whitespace at both ends and elements left without any ink."""
    ink = [i for i, atom in enumerate(atoms) if atom.is_ink]
    if not ink:
        return []
    first, last = ink[0], ink[-1]
    trimmed = [
        atom for i, atom in enumerate(atoms) if atom.kind is not _Kind.TEXT or first <= i <= last
    ]
    return _drop_blank_elements(trimmed)


_ANY_TAG = re.compile(r"<[^>]*>")
_EMPTY_ELEMENT = re.compile(r"<([a-z-]+)(?:\s[^>]*)?>\s*</\1>")


def _is_tidy(html: str) -> bool:
    """Visible text present and no element left empty (what the full path would drop)."""
    return bool(_ANY_TAG.sub("", html).strip()) and not _EMPTY_ELEMENT.search(html)


def split_message(html: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Cut an HTML message into chunks Telegram accepts, each valid on its own.

    Cuts between sections (two blank lines) first, then paragraphs, then line breaks,
    then sentence ends, then between words, and only inside a word that alone is longer
    than the limit. Never cuts inside a tag or an entity; elements open at a cut are
    closed at the end of the chunk and reopened at the start of the next. Each chunk's
    raw markup, counted in UTF-16 units, stays within `limit`, so its visible text does
    too. Whitespace at cuts is dropped; a message with no visible text gives [].

    Raises ValueError when the open tags alone leave no room for text (a limit far
    smaller than the markup, which our own messages never reach).
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    stripped = html.strip()
    if utf16_length(stripped) <= limit and _is_tidy(stripped):
        # Most replies fit as they are: skip tokenizing, the hot path of every reply.
        return [stripped]
    by_blocks = _split_by_blocks(stripped, limit)
    if by_blocks is not None:
        return by_blocks
    return _split_atoms(html, limit)


# A gap of two or more bare newlines between two visible characters or tags.
_BLOCK_GAP = re.compile(r"\n{2,}")
# What the block path cannot see as the character path does: whitespace beside a newline
# (the gap would begin earlier), a tag between newlines (its newlines count together),
# entities other than the four we write (&nbsp; is whitespace), a tag or a "<" that is
# not ours, and a newline inside a tag.
_NOT_FOR_BLOCKS = re.compile(
    r"[^\S\n]\n|\n[^\S\n]|\n\s*<[^<>]*>(?:\s|<[^<>]*>)*\n"
    r"|&(?!amp;|lt;|gt;|quot;)|<(?![a-z/])|<[^<>]*\n[^<>]*>"
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>")


def _balanced(block: str) -> bool:
    """Every element opened in the block is closed in it, innermost first."""
    stack: list[str] = []
    for match in _TAG.finditer(block):
        name = match.group(2).lower()
        if not match.group(1):
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _split_by_blocks(html: str, limit: int) -> list[str] | None:
    """The same chunks as the character path, in time linear in the paragraphs, when the
    message is paragraphs that each fit, are tidy and close their own tags; else None.

    Formatters join items and entries with blank lines, so a long reply (/audit 50, a
    long /ticker) is such a message: cutting it atom by atom took ~0.1 s of the loop."""
    if _NOT_FOR_BLOCKS.search(html):
        return None
    spans: list[tuple[int, int]] = []  # each block's start and end in html
    gaps: list[tuple[_Cut, int]] = []  # the gap after spans[i]: its kind and width
    position = 0
    for match in _BLOCK_GAP.finditer(html):
        spans.append((position, match.start()))
        width = match.end() - match.start()
        gaps.append((_Cut.SECTION if width >= 3 else _Cut.PARAGRAPH, width))
        position = match.end()
    spans.append((position, len(html)))
    widths: list[int] = []
    for begin, end in spans:
        block = html[begin:end]
        width = utf16_length(block)
        visible = _ANY_TAG.sub("", block)
        if width > limit or not _is_tidy(block) or visible != visible.strip():
            return None
        if "<" in block and not _balanced(block):
            return None
        widths.append(width)
    chunks: list[str] = []
    first, count = 0, len(spans)
    while first < count:
        # As the character path does: the best gap within the limit, the last of its kind.
        used = widths[first]
        best: dict[_Cut, int] = {}
        last = first
        while last + 1 < count:
            kind, gap_width = gaps[last]
            best[kind] = last
            if used + gap_width + widths[last + 1] > limit:
                break
            used += gap_width + widths[last + 1]
            last += 1
        else:
            chunks.append(html[spans[first][0] :])
            return chunks
        cut = best[max(best)]
        chunks.append(html[spans[first][0] : spans[cut][1]])
        first = cut + 1
    return chunks


def _split_atoms(html: str, limit: int) -> list[str]:
    """split_message's general path: atom by atom, for any markup."""
    atoms = _drop_blank_elements(_tokenize(html))

    stacks = _open_stacks(atoms)
    open_width = [sum(a.width for a in stack) for stack in stacks]
    close_width = [sum(len(a.name) + 3 for a in stack) for stack in stacks]
    soft_cuts = _soft_cuts(atoms)
    widths = [atom.width for atom in atoms]

    # Past the last piece of ink only tags and whitespace remain: nothing worth a chunk.
    ink_end = max((i + 1 for i, atom in enumerate(atoms) if atom.is_ink), default=0)
    chunks: list[str] = []
    start = 0
    while start < ink_end:
        # Whitespace and closing tags at a cut belong to no chunk: the previous one
        # closed its elements itself, and reopening them here only to close them costs.
        while atoms[start].is_space or atoms[start].kind is _Kind.CLOSE:
            start += 1
        cut = _find_cut(atoms, widths, start, limit, open_width, close_width, soft_cuts)
        pieces = [*stacks[start], *atoms[start:cut], *map(_close_tag, reversed(stacks[cut]))]
        tidy = _tidy(pieces)
        if tidy:
            chunks.append("".join(atom.raw for atom in tidy))
        start = cut
    return chunks


def _find_cut(
    atoms: Sequence[_Atom],
    widths: Sequence[int],
    start: int,
    limit: int,
    open_width: Sequence[int],
    close_width: Sequence[int],
    soft_cuts: dict[int, _Cut],
) -> int:
    """The end (exclusive) of the chunk that begins at `start`."""
    count = len(atoms)
    used = open_width[start]
    best: dict[_Cut, int] = {}
    seen_ink = False
    end = start
    while end < count:
        if used + widths[end] + close_width[end + 1] > limit:
            break
        used += widths[end]
        seen_ink = seen_ink or atoms[end].is_ink
        end += 1
        if not seen_ink:
            continue
        quality = soft_cuts.get(end)
        if quality is not None:
            best[quality] = end
        elif end < count and not _glued(atoms[end - 1].visible, atoms[end].visible):
            best[_Cut.HARD] = end
    if end >= count:
        return count
    if best:
        return best[max(best)]
    # Not even one character fits with the tags around it: the limit is absurdly small.
    if not seen_ink:
        raise ValueError(f"limit {limit} leaves no room for the next character and its tags")
    return end  # only ink inside a single glued cluster: cut it rather than loop forever


def highlight(text: str, spans: Sequence[tuple[int, int]], tag: str = "b") -> str:
    """Escape `text` and wrap the given character spans of it in `<tag>`.

    Spans index the plain text, so markup is added between escaped pieces and can never
    land inside an entity. Overlapping or unsorted spans are merged.
    """
    merged: list[list[int]] = []
    for begin, end in sorted(spans):
        begin, end = max(begin, 0), min(end, len(text))
        if begin >= end:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    parts: list[str] = []
    position = 0
    for begin, end in merged:
        parts.append(escape(text[position:begin]))
        parts.append(f"<{tag}>{escape(text[begin:end])}</{tag}>")
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


TELEGRAM_CAPTION_LIMIT = 1024


def split_caption(html: str, limit: int = TELEGRAM_CAPTION_LIMIT) -> tuple[str, str]:
    """The caption of a media message and the HTML left over for a follow-up message.

    Telegram counts a caption's length after entity parsing: the visible text, in UTF-16
    units, at most `limit`. The cut is made as `split_message` makes it (sections first,
    then paragraphs, lines, sentences, words), never inside a tag; elements open at the cut
    are closed in the caption and reopened in the rest. The rest is "" when all fits.
    """
    stripped = html.strip()
    if visible_length(stripped) <= limit and _is_tidy(stripped):
        return stripped, ""
    atoms = _drop_blank_elements(_tokenize(html))
    if not any(atom.is_ink for atom in atoms):
        return "", ""
    stacks = _open_stacks(atoms)
    # Only visible text counts: tags and the closing tags at the cut cost nothing.
    widths = [utf16_length(a.visible) if a.kind is _Kind.TEXT else 0 for a in atoms]
    zeros = [0] * (len(atoms) + 1)
    start = 0
    while atoms[start].is_space or atoms[start].kind is _Kind.CLOSE:
        start += 1
    cut = _find_cut(atoms, widths, start, limit, zeros, zeros, _soft_cuts(atoms))
    caption = [*stacks[start], *atoms[start:cut], *map(_close_tag, reversed(stacks[cut]))]
    rest = _tidy([*stacks[cut], *atoms[cut:]])
    return "".join(a.raw for a in _tidy(caption)), "".join(a.raw for a in rest)
