"""The importer: from the raw text of a news page to a `ParsedStory`.

Ticker blocks
-------------
A block opens at a marker line ("Minute für Minute", "+++ Liveticker +++", "Live updates")
or at the first item line: a time-stamped line ("18:45 Uhr – …", "09:12 HEADLINE",
"6:45 p.m. ET") or an ALL-CAPS headline. Inside a block, a short line without closing
punctuation followed by a paragraph is a headline too. An item's body is the paragraphs
after its headline; its first paragraph always belongs to it.

A block ends where a paragraph clearly continues the main article rather than the item.
Only the last item of a block can end it (a later item line proves the block goes on),
never on its first body paragraph, and never while the paragraph names the item's own
subject (headline words the main text does not use). Then the paragraph's content words
are weighed: those it shares only with the main text (lead, title and body before the
block) against those it shares only with the block. It goes back to the main body when
it opens on a back-reference ("Letzterer", "Er", "Dieser", "He", "The latter", …) and the
main text wins with at least two words, or without such an opener when the main text
wins by at least three words to none. Everything after it is main body again until the
next marker or item line.
"""

from __future__ import annotations

import gc
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.story.furniture import (
    is_caps_headline,
    is_furniture,
    is_ticker_marker,
    looks_like_headline,
    mentions_ticker,
    parse_stamp,
)
from bot.story.headline import display_headlines, shorten
from bot.story.layout import MAIN_FLOW, Para
from bot.story.limits import cap_story
from bot.story.marks import normalise_marks, opens_with_quote, scan_quotes
from bot.story.model import ParsedStory, Person, StoryError, TickerEntry
from bot.story.page import TITLE_LIMIT, Page, read_page
from bot.story.people import build_registry
from bot.story.quotes import extract_quotes
from bot.story.stamps import Stamp
from bot.story.summary import summarize
from bot.story.text import (
    clean_text,
    content_stem_set,
    content_stems,
    detect_language,
    split_sentences,
)
from bot.story.words import wordset

_BACK_REFERENCES = wordset("""
    letzterer letztere letzteres ersterer erstere dieser diese dieses jener jene er sie
    he she they this these
    """) | {"the latter", "the former"}
_TITLE_LIMIT = TITLE_LIMIT


@dataclass
class _Item:
    headline: str
    time: str | None
    order: int
    body: list[tuple[int, str]] = field(default_factory=list)
    derived_headline: bool = False
    display: str = ""
    stamp: Stamp | None = None


@dataclass
class _Layout:
    title: str = ""
    lead: str = ""
    lead_order: int = -1
    body: list[tuple[int, str]] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    block_starts: dict[int, int] = field(default_factory=dict)  # item order → block start


@dataclass
class _Vocabularies:
    """Content stems of the main text and of the open ticker block, kept up to date."""

    main: set[str] = field(default_factory=set)
    block: set[str] = field(default_factory=set)


def parse_story(text: str, *, now: datetime | None = None) -> ParsedStory:
    """Parse a page (German or English) into title, lead, body, ticker, quotes, people, summary.

    `now` is the import time that relative stamps ("vor 5 Minuten") are resolved against.
    """
    with _collector_paused():
        return _parse_story(text, now or datetime.now(UTC).astimezone())


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A long page makes a million small objects (tokens, spans) that live until the parse
    # ends and hold no cycles: the cycle collector's passes over them were a tenth of the
    # parse. Reference counting still frees what the parse drops.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            # What the parse leaves alive (its caches' entries, a hundred thousand objects
            # after a 2 MB page) is still young: the first allocation after enabling would
            # walk it all in a collection of the youngest generation (0.07-0.18 s). Freezing
            # and unfreezing moves it to the oldest one in constant time. Only where nothing
            # was frozen before: unfreezing would hand a frozen start-up heap back.
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _parse_story(text: str, now: datetime) -> ParsedStory:
    lines = _paragraph_lines(clean_text(text))
    page = read_page(lines)
    content = _content_lines(page)
    if not any(not is_ticker_marker(line) for line in content):
        raise StoryError("empty", "no text besides page furniture")
    language = detect_language("\n".join(content))
    if page.items is not None:
        layout = _stamped_layout(page, language, now)
    else:
        layout = _lay_out([line for _, line in page.flow], language, title=page.title)
        _to_page_orders(layout, [index for index, _ in page.flow])
    if not layout.lead and not layout.body and not layout.items:
        raise StoryError("empty", "no paragraphs")
    vocabulary = "\n".join(content)
    displays = display_headlines([item.headline for item in layout.items], vocabulary, language)
    for item, display in zip(layout.items, displays, strict=True):
        item.display = display
    ticker = tuple(
        TickerEntry(
            headline=item.headline,
            time=item.time,
            body=tuple(text for _, text in item.body),
            display_headline=item.display,
            stamp=item.stamp.printed if item.stamp else None,
            published_at=_published(item.stamp, now),
            relative=bool(item.stamp and item.stamp.relative),
        )
        for item in layout.items
    )
    paras = _paras(layout, language)
    # Key points are the page's own words: quotes and names in them count.
    paras += [Para(text, order, MAIN_FLOW, language) for order, text in page.points]
    paras.sort(key=lambda p: (p.order, p.flow))
    registry = build_registry(paras, language)
    quotes, warnings = extract_quotes(paras, registry)
    people = tuple(Person(p.name, p.role) for p in registry.persons)
    main_text = [t for t in [layout.lead, *(text for _, text in layout.body)] if t]
    summary_source = main_text
    if sum(len(split_sentences(p, language)) for p in main_text) < 3:
        # A live page with little text of its own: its items' bodies say what happened.
        summary_source = main_text + [text for item in layout.items for _, text in item.body]
    title = layout.title or _title_from(layout, language)
    points = [text for _, text in page.points]
    summary = points if len(points) >= 2 else summarize(summary_source, language)
    story = ParsedStory(
        title=title,
        lead=layout.lead,
        language=language,
        body=tuple(text for _, text in layout.body),
        summary=tuple(_not_the_title(summary, title)),
        quotes=tuple(quotes),
        people=people,
        ticker=ticker,
        warnings=tuple(warnings),
    )
    return cap_story(normalise_story_marks(story))


def normalise_story_marks(story: ParsedStory) -> ParsedStory:
    """Family broken marks: the summary's and headlines' quotations paired (“… Ukraine„).

    Lead and body stay as the page printed them; the summary is what readers are shown.
    """
    language = story.language

    def fix(text: str) -> str:
        return normalise_marks(text, language)

    return replace(
        story,
        summary=tuple(fix(s) for s in story.summary),
        ticker=tuple(_with_display(t, fix(t.display_headline)) for t in story.ticker),
    )


def _with_display(entry: TickerEntry, display: str) -> TickerEntry:
    # Most headlines need no fix: the entry as it is rather than a copy of it.
    return entry if display == entry.display_headline else replace(entry, display_headline=display)


def _content_lines(page: Page) -> list[str]:
    if page.items is None:
        return [line for _, line in page.flow]
    lines = [line for _, line in page.main]
    for item in page.items:
        lines += [item.headline, *(line for _, line in item.body)]
    return [line for line in lines if line]


def _to_page_orders(layout: _Layout, indexes: list[int]) -> None:
    """Orders of a flowing layout as line numbers of the page, as key points have them."""

    def page_order(position: int) -> int:
        return indexes[position] if 0 <= position < len(indexes) else position

    layout.lead_order = page_order(layout.lead_order) if layout.lead_order >= 0 else -1
    layout.body = [(page_order(o), t) for o, t in layout.body]
    for item in layout.items:
        item.order = page_order(item.order)
        item.body = [(page_order(o), t) for o, t in item.body]
    layout.block_starts = {page_order(k): page_order(v) for k, v in layout.block_starts.items()}


def _stamped_layout(page: Page, language: str, now: datetime) -> _Layout:
    """The layout of a page whose posts carry stamps: `read_page` has found them."""
    layout = _Layout(title=page.title)
    if page.main:
        (layout.lead_order, layout.lead), *rest = page.main
        layout.body = list(rest)
    assert page.items is not None
    first = page.items[0].order if page.items else 0
    for entry in page.items:
        item = _Item(
            entry.headline, entry.stamp.time_of_day(now), entry.order, list(entry.body),
            stamp=entry.stamp,
        )  # fmt: skip
        layout.items.append(item)
        layout.block_starts[entry.order] = first
    if layout.items:
        _main_after_block(layout)
    _derive_headlines(layout, language)
    return layout


def _main_after_block(layout: _Layout) -> None:
    """A ticker cut into an article: the paragraphs after its last post may be the article's."""
    last = layout.items[-1]
    words = _Vocabularies(main=set(content_stems(layout.title)))
    for text in [layout.lead, *(t for _, t in layout.body)]:
        words.main.update(content_stems(text))
    # The block's words in one pass over its text (no word runs over a line break): a long
    # page has thousands of posts before its last.
    block_text = [last.headline]
    for item in layout.items[:-1]:
        block_text.append(item.headline)
        block_text.extend(text for _, text in item.body)
    words.block.update(content_stem_set("\n".join(block_text)))
    for position, (_, text) in enumerate(last.body):
        if position and _continues_main(text, last, words):
            layout.body.extend(last.body[position:])
            del last.body[position:]
            return
        words.block.update(content_stems(text))


def _published(stamp: Stamp | None, now: datetime) -> str | None:
    """The resolved moment of a stamp as ISO 8601; None where the page prints no time."""
    if stamp is None:
        return None
    moment = stamp.moment(now)
    return moment.isoformat(timespec="minutes") if moment else None


def _not_the_title(points: list[str], title: str) -> list[str]:
    """Family summary: the first point must not repeat the title."""

    def bare(text: str) -> str:
        return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())

    if (
        points
        and title
        and (bare(points[0]) in bare(title) or bare(title.rstrip("…")) in bare(points[0]))
    ):
        return points[1:]
    return points


def _paragraph_lines(text: str) -> list[str]:
    """Lines of the page, with hard-wrapped paragraphs joined back together.

    A page is hard-wrapped when it separates paragraphs by blank lines and no line is
    longer than a terminal's width; there a line continues the one before it when the
    next word would not have fitted on the line before.
    """
    blocks = [[line for line in block.split("\n") if line] for block in text.split("\n\n")]
    widest = max((len(line) for block in blocks for line in block), default=0)
    wrapped = len(blocks) > 1 and widest <= _WRAP_WIDTH and any(len(b) > 1 for b in blocks)
    result: list[str] = []
    for block in blocks:
        current: str | None = None
        last_line = ""
        for line in block:
            if current is not None and wrapped and _wraps_into(last_line, line, widest):
                if current.endswith("-") and line[:1].islower() and not current.endswith(" -"):
                    current = current[:-1] + line
                else:
                    current = current + " " + line
            else:
                if current is not None:
                    result.append(current)
                current = line
            last_line = line
        if current is not None:
            result.append(current)
    return result


_WRAP_WIDTH = 120


def _wraps_into(last_line: str, line: str, widest: int) -> bool:
    """True if `line` goes on the paragraph whose last physical line is `last_line`."""
    if _stands_alone(last_line) or _stands_alone(line):
        return False
    # A line that stops well short of the page's width ended its paragraph (or a title).
    return len(last_line) >= 0.6 * widest


def _stands_alone(line: str) -> bool:
    return (
        is_furniture(line)
        or is_ticker_marker(line)
        or parse_stamp(line) is not None
        or is_caps_headline(line)
    )


def _lay_out(lines: list[str], language: str, *, title: str = "") -> _Layout:
    layout = _Layout()
    position = 0 if title else _take_title(lines, layout)
    layout.title = title or layout.title
    words = _Vocabularies(main=set(content_stems(layout.title)))
    in_block = False
    block_start = position
    current: _Item | None = None
    awaiting_headline = False
    last_item_line = max((i for i, line in enumerate(lines) if _opens_item(line)), default=-1)

    def open_item(item: _Item, index: int) -> None:
        nonlocal in_block, block_start, current
        if not in_block:
            block_start, words.block = index, set()
        in_block, current = True, item
        layout.items.append(item)
        layout.block_starts[index] = block_start
        words.block.update(content_stems(item.headline))
        for _, text in item.body:
            words.block.update(content_stems(text))

    for index in range(position, len(lines)):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else None
        if is_ticker_marker(line):
            if not in_block:
                block_start, words.block = index, set()
            in_block, current = True, None
            continue
        stamp = parse_stamp(line)
        if stamp is not None:
            open_item(_stamped_item(stamp, index), index)
            awaiting_headline = current is not None and not current.headline and not current.body
            continue
        if awaiting_headline and current is not None:
            awaiting_headline = False
            if looks_like_headline(line):
                current.headline = line
                words.block.update(content_stems(line))
                continue
        if is_caps_headline(line) or (in_block and _is_item_headline(line, following)):
            open_item(_Item(line, None, index), index)
            continue
        if not in_block:
            if layout.lead:
                layout.body.append((index, line))
            else:
                layout.lead, layout.lead_order = line, index
            words.main.update(content_stems(line))
            continue
        if current is None:
            open_item(_Item("", None, index), index)
        assert current is not None
        if current.body and index > last_item_line and _continues_main(line, current, words):
            in_block, current = False, None
            layout.body.append((index, line))
            words.main.update(content_stems(line))
            continue
        current.body.append((index, line))
        words.block.update(content_stems(line))
    _derive_headlines(layout, language)
    if not layout.lead:
        first_body = next((item.body[0][1] for item in layout.items if item.body), "")
        sentences = split_sentences(first_body, language) if first_body else []
        layout.lead = sentences[0] if sentences else ""
    return layout


def _derive_headlines(layout: _Layout, language: str) -> None:
    for item in layout.items:
        if not item.headline and item.body:
            first_sentence = split_sentences(item.body[0][1], language)[0]
            item.headline, item.derived_headline = shorten(first_sentence, _TITLE_LIMIT), True


def _is_item_headline(line: str, following: str | None) -> bool:
    """Inside a block: a short unpunctuated line followed by a paragraph."""
    return (
        looks_like_headline(line, max_words=14)
        and following is not None
        and not looks_like_headline(following)
        and not is_ticker_marker(following)
        and parse_stamp(following) is None
    )


def _opens_item(line: str) -> bool:
    return is_ticker_marker(line) or parse_stamp(line) is not None or is_caps_headline(line)


def _take_title(lines: list[str], layout: _Layout) -> int:
    """Recognise the page's own headline (and a kicker line above it); return where text starts."""
    if len(lines) < 2:
        return 0
    first, second = lines[0], lines[1]
    # "Live updates: Ceasefire talks resume in Geneva" is a title; "Live updates" a marker.
    marker = is_ticker_marker(first) and not (mentions_ticker(first) and len(first.split()) >= 5)
    if marker or parse_stamp(first) is not None or not looks_like_headline(first):
        return 0
    third = lines[2] if len(lines) > 2 else None
    kicker = (
        len(first.split()) <= 4
        and looks_like_headline(second)
        and not _opens_item(second)
        and third is not None
        and not looks_like_headline(third)
    )
    layout.title = second if kicker else first
    return 2 if kicker else 1


def _stamped_item(stamp: Stamp, order: int) -> _Item:
    time, rest = stamp.clock, stamp.rest
    if not rest:
        return _Item("", time, order, stamp=stamp)
    if looks_like_headline(rest) or (len(rest) <= 100 and not rest.endswith(".")):
        return _Item(rest, time, order, stamp=stamp)
    # "18:45 Uhr: Die Ukraine hat …" – the stamp opens a paragraph, not a headline.
    item = _Item("", time, order, derived_headline=True, stamp=stamp)
    item.body.append((order, rest))
    return item


def _continues_main(paragraph: str, item: _Item, words: _Vocabularies) -> bool:
    """True if a paragraph after a ticker item goes on with the main article (see module doc)."""
    own = set(content_stems(paragraph))
    subject = set(content_stems(item.headline)) - words.main
    if own & subject:
        return False
    main_only = len((own & words.main) - words.block)
    block_only = len((own & words.block) - words.main)
    if _opens_back_reference(paragraph):
        return main_only >= 2 and main_only > block_only
    return main_only >= 3 and block_only == 0


def _opens_back_reference(paragraph: str) -> bool:
    bare = paragraph.lstrip("„“\"«»‚‘' ").lower().split()
    return bool(bare) and (bare[0] in _BACK_REFERENCES or " ".join(bare[:2]) in _BACK_REFERENCES)


def _paras(layout: _Layout, language: str) -> list[Para]:
    paras: list[Para] = []
    if layout.lead and layout.lead_order >= 0:
        paras.append(Para(layout.lead, layout.lead_order, MAIN_FLOW, language))
    paras.extend(Para(text, order, MAIN_FLOW, language) for order, text in layout.body)
    for number, item in enumerate(layout.items, start=1):
        start = layout.block_starts.get(item.order, item.order)
        if item.headline and not item.derived_headline:
            # The readable form, so that names in the headline are found as names.
            display = item.display or item.headline
            paras.append(
                Para(display, item.order, number, language, context_before=start, headline=True)
            )
        paras.extend(
            Para(text, order, number, language, context_before=start) for order, text in item.body
        )
    paras.sort(key=lambda p: (p.order, p.flow))
    _mark_continued_quotes(paras)
    return paras


def _mark_continued_quotes(paras: list[Para]) -> None:
    # English style: a quote running over paragraphs has no closing mark until its end,
    # and each new paragraph of it opens with a mark.
    for para, following in itertools.pairwise(paras):
        if para.flow != following.flow or not opens_with_quote(following.text):
            continue
        if scan_quotes(para.text).warnings and not scan_quotes(para.text, continues=True).warnings:
            para.continues_quote = True


def _title_from(layout: _Layout, language: str) -> str:
    source = layout.lead or (layout.body[0][1] if layout.body else "")
    if not source and layout.items:
        source = layout.items[0].headline
    sentences = split_sentences(source, language)
    return shorten(sentences[0] if sentences else source, _TITLE_LIMIT)
