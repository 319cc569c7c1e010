"""The page's structure before its text is read: header, title, key points, stamped items.

A copied page is a column of lines. This module decides, line by line and from the lines
around it, which are furniture (a caption above its credit, the links of a "read more"
box, an author next to a stamp), which form a block of key points, where the page's own
headline stands and, when the page carries time-stamped posts, which lines make each
post: its stamp, its headline (above the stamp, on its line or below it, with labels or
an author in between) and its body.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import Enum

from bot.story import lexicon_de as de
from bot.story import lexicon_en as en
from bot.story.furniture import (
    is_furniture,
    is_paywall_label,
    is_photo_credit,
    is_summary_label,
    is_teaser_label,
    is_ticker_marker,
    looks_like_headline,
    mentions_ticker,
)
from bot.story.headline import shorten
from bot.story.marks import ALL_MARKS_TEXT
from bot.story.stamps import Stamp, is_name_shaped, is_page_stamp, parse_stamp
from bot.story.words import lazy, words_hint

TITLE_LIMIT = 85
_MAX_POINTS = 8
_MAX_POINT_WORDS = 35
_MAX_TEASERS = 3
_LEAD_MIN_WORDS = 8
_CAPTION_WORDS = 32


class Kind(Enum):
    TEXT = "text"
    FURNITURE = "furniture"
    MARKER = "marker"
    POINT = "point"
    STAMP = "stamp"


@dataclass
class PageItem:
    """A stamped post: its stamp, printed headline ("" if none) and body lines with their order."""

    stamp: Stamp
    headline: str
    order: int
    body: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Page:
    """What the page's structure says before the text is read."""

    title: str
    points: list[tuple[int, str]]
    # Stamped pages: the lead and body lines before the first post, and the posts.
    items: list[PageItem] | None
    main: list[tuple[int, str]]
    # Other pages: the lines from the lead on, for the flowing layout.
    flow: list[tuple[int, str]]


def read_page(lines: list[str]) -> Page:
    """Sort a page's lines into header, key points, posts and text (see module doc)."""
    kinds = [_first_kind(line) for line in lines]
    _context_furniture(lines, kinds)
    points = _summary_blocks(lines, kinds)
    stamps = _item_stamps(lines, kinds)
    if stamps:
        return _stamped_page(lines, kinds, stamps, points)
    lead = _find_lead(lines, kinds, 0, len(lines))
    title = _find_title(lines, kinds, lead if lead is not None else len(lines))
    start = lead if lead is not None else 0
    if lead is None and title is not None:
        start = title[1] + 1
    if title is not None and title[2] is not None:
        start = title[2]  # the standfirst leads the text
    flow = [
        (i, strip_calls_to_action(lines[i]))
        for i in range(start, len(lines))
        if kinds[i] in (Kind.TEXT, Kind.MARKER)
    ]
    return Page(title[0] if title else "", points, None, [], flow)


# Family calls to action inside a paragraph: "Die Entwicklungen im Liveblog zum Nachlesen."
_CTA_SENTENCE = lazy(
    r"(?:^|(?<=[.!?“”\"»])\s+)(?:"
    r"(?:die|alle)\s+(?:aktuellen\s+|weiteren\s+)?(?:entwicklungen|ereignisse|infos|informationen)"
    r"\s+(?:im|in\s+unserem)\s+(?:liveblog|live-?ticker|newsblog|ticker)[^.!?]{0,30}[.!]"
    r"|verfolgen\s+sie\s+[^.!?]{0,60}(?:liveblog|live-?ticker|ticker|newsblog)[^.!?]{0,30}[.!]"
    r"|scroll\s+down\s+for\s+[^.!?]{0,40}[.!]"
    r"|follow\s+(?:our|the)\s+(?:live\s+)?(?:coverage|updates|blog)[^.!?]{0,40}[.!]"
    r"|read\s+on\s+for\s+[^.!?]{0,40}[.!]"
    r"|follow\s+(?:the\s+)?topics?\s+in\s+this\s+(?:article|story)[.!]?"
    r")\s*$",
    re.IGNORECASE,
)


# A word of each call above: most paragraphs have none, and the search for a call tries
# every character of the paragraph.
_CTA_SENTENCE_HINT = words_hint(
    "ticker", "liveblog", "newsblog", "verfolgen", "scroll", "follow", "read"
)


def strip_calls_to_action(paragraph: str) -> str:
    """A paragraph without a closing call to read on ("Scroll down for the latest updates.")."""
    if _CTA_SENTENCE_HINT.search(paragraph.lower()) is None:
        stripped = paragraph.rstrip()
    else:
        stripped = _CTA_SENTENCE.sub("", paragraph).rstrip()
    return stripped or paragraph


def _first_kind(line: str) -> Kind:
    if is_ticker_marker(line):
        return Kind.MARKER
    stamp = parse_stamp(line)
    if stamp is not None and not stamp.rest and not is_page_stamp(line):
        # A bare date and time may open a post; `_item_stamps` decides once it sees them all.
        return Kind.TEXT
    if is_furniture(line):
        return Kind.FURNITURE
    return Kind.TEXT


def _next_text(kinds: list[Kind], index: int, step: int = 1) -> int | None:
    j = index + step
    while 0 <= j < len(kinds):
        if kinds[j] is Kind.TEXT or kinds[j] is Kind.STAMP:
            return j
        j += step
    return None


def _context_furniture(lines: list[str], kinds: list[Kind]) -> None:
    """Furniture known by its neighbours: captions, teaser links, followed companies."""
    for i, line in enumerate(lines):
        if kinds[i] is Kind.TEXT and len(line.split()) <= 16 and _opens_box(line):
            kinds[i] = Kind.FURNITURE  # a promotion or a player line is no text of its own
        if kinds[i] is not Kind.FURNITURE:
            continue
        # Family captions: the line above a credit ("Bild: …", "Emily Carter for NPR").
        if is_photo_credit(line):
            j = i - 1
            while j >= 0 and kinds[j] is Kind.FURNITURE and is_photo_credit(lines[j]):
                j -= 1
            if j >= 0 and kinds[j] is Kind.TEXT and _could_be_caption(lines[j], lines, j):
                kinds[j] = Kind.FURNITURE
            elif (
                i + 1 < len(lines)
                and kinds[i + 1] is Kind.TEXT
                and j >= 0
                and kinds[j] is Kind.TEXT
                and _could_be_caption(lines[i + 1], lines, i + 1)
                and len(lines[i + 1].split()) <= _CAPTION_WORDS
            ):
                # Family captions: a credit printed above its caption, under a paragraph.
                kinds[i + 1] = Kind.FURNITURE
        # Family captions: "Quelle: Reuters" under a short line is that picture's credit.
        credited = i > 0 and kinds[i - 1] is Kind.TEXT and len(lines[i - 1].split()) <= 12
        if credited and _TEXT_CREDIT.match(line.strip()) and parse_stamp(lines[i - 1]) is None:
            kinds[i - 1] = Kind.FURNITURE
        # Family captions: "Image caption," then the caption.
        if _CAPTION_LABEL.match(line.strip()) and i + 1 < len(lines) and kinds[i + 1] is Kind.TEXT:
            kinds[i + 1] = Kind.FURNITURE
        # Family widgets: "Ardent Systems Inc" above its "Follow" button.
        followed = i > 0 and kinds[i - 1] is Kind.TEXT and len(lines[i - 1].split()) <= 5
        if line.strip().lower() == "follow" and followed and looks_like_headline(lines[i - 1]):
            kinds[i - 1] = Kind.FURNITURE
        # Family media players: "Listen · 3:58" and the clip's title under it.
        if _PLAYER_LINE.match(line.strip()):
            _take_teasers(lines, kinds, i, 1)
        # Family media players: "Video", the clip's title, its length ("02:31").
        if (
            _MEDIA_OPENER.fullmatch(line.strip())
            and i + 2 < len(lines)
            and kinds[i + 1] is Kind.TEXT
            and _CLIP_LENGTH.match(lines[i + 2].strip())
        ):
            kinds[i + 1] = Kind.FURNITURE
        # Family teaser boxes: the links under "Mehr zum Thema" / "Read more from …:", and
        # under a promotion ("Don’t miss these insights from …").
        promotion = _PROMOTION.match(_core_lower(line)) is not None
        if promotion or (
            is_teaser_label(line) and not (is_paywall_label(line) and _menu_entry(lines, i))
        ):
            _take_teasers(lines, kinds, i, _MAX_TEASERS)


def _opens_box(line: str) -> bool:
    return bool(_PLAYER_LINE.match(line.strip()) or _PROMOTION.match(_core_lower(line)))


def _core_lower(line: str) -> str:
    return line.strip(" ►▶▸→»>•·*–—-+|#■□▪").lower().replace("'", "’")


_PROMOTION = lazy(
    r"(?:"
    + "|".join(re.escape(p.replace("'", "’")) for p in de.PROMOTION_OPENERS + en.PROMOTION_OPENERS)
    + r")\b"
)
_PLAYER_LINE = lazy(
    r"^(?:" + "|".join(de.PLAYER_WORDS + en.PLAYER_WORDS) + r")\b\W{0,4}(?:\w+\W{1,3}){0,2}"
    r"\d{1,2}:\d\d(?::\d\d)?(?:\s*min\.?)?$",
    re.IGNORECASE,
)


def _take_teasers(lines: list[str], kinds: list[Kind], label: int, most: int) -> None:
    """The teaser links under a box's label (or a player's title): furniture too."""
    taken, j = 0, label + 1
    while j < len(lines) and taken < most:
        if kinds[j] is Kind.FURNITURE:
            j += 1
            continue
        if kinds[j] is not Kind.TEXT or not _teaser_like(lines[j]):
            break
        if parse_stamp(lines[j]) is not None or _heads_a_post(lines, kinds, j):
            break
        kinds[j] = Kind.FURNITURE
        taken += 1
        j += 1


def _menu_entry(lines: list[str], index: int) -> bool:
    """Family navigation: "BILDplus" among one-word menu entries opens no teaser box."""
    above = [line for line in lines[max(0, index - 2) : index] if line.strip()]
    return len(above) == 2 and all(len(line.split()) <= 2 for line in above)


_TEXT_CREDIT = lazy(r"^(?:quelle|source|foto|bild)\s*:\s*\S+(?:\s+\S+){0,2}$", re.IGNORECASE)
_CAPTION_LABEL = lazy(r"^(?:image caption|bildunterschrift|caption|legende|bildlegende),?:?$", re.I)


def _heads_a_post(lines: list[str], kinds: list[Kind], index: int) -> bool:
    """True if the line is a post's headline printed above its bare stamp."""
    following = _next_text(kinds, index)
    if following is None:
        return False
    stamp = parse_stamp(lines[following])
    if stamp is None or stamp.rest:
        return False
    after = _next_text(kinds, following)
    return after is None or not _headline_like(lines[after])


def _could_be_caption(line: str, lines: list[str], index: int) -> bool:
    # A caption is a sentence or two; a stamp or a long paragraph is not one.
    if parse_stamp(line) is not None or len(line.split()) > _CAPTION_WORDS:
        return False
    return line.count(". ") < 3


def _teaser_like(line: str) -> bool:
    core = line.strip()
    if not core or core[0] in ALL_MARKS_TEXT:
        return False  # a quoted subheading is text
    return looks_like_headline(core.rstrip("?"), max_words=16) or (
        core.endswith("?") and len(core.split()) <= 16
    )


def _summary_blocks(lines: list[str], kinds: list[Kind]) -> list[tuple[int, str]]:
    """Family summary blocks: the points under "Die wichtigsten Entwicklungen" and the like."""
    points: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if not is_summary_label(line):
            continue
        kinds[i] = Kind.FURNITURE
        j, taken = i + 1, 0
        while j < len(lines) and taken < _MAX_POINTS:
            text = lines[j]
            linked = parse_stamp(text)
            if kinds[j] is Kind.TEXT and linked is not None and _repeated_later(lines, j, linked):
                # "10.52pm GMT Dam near Cremona under pressure" under "Key events": a link.
                kinds[j] = Kind.FURNITURE
                j += 1
                continue
            if kinds[j] is not Kind.TEXT or linked is not None:
                break
            following = _next_text(kinds, j)
            if following is not None and parse_stamp(lines[following]) is not None and taken:
                stamp = parse_stamp(lines[following])
                if (
                    stamp is not None
                    and not stamp.rest
                    and _has_paragraph_after(lines, kinds, following)
                ):
                    break  # the headline of the first post, printed above its stamp
            if len(text.split()) > _MAX_POINT_WORDS or text.count(". ") >= 1:
                break  # a paragraph of the story, not a point
            kinds[j] = Kind.POINT
            points.append((j, text.strip().lstrip("▪•·-–*►▶■□ ").strip()))
            taken += 1
            j += 1
    return points


def _repeated_later(lines: list[str], index: int, stamp: Stamp) -> bool:
    """True if a stamped line's text stands again further down (as a post of its own)."""
    if not stamp.rest:
        return False
    wanted = " ".join(stamp.rest.split()).casefold()
    for line in lines[index + 1 :]:
        bare = " ".join(line.split()).casefold()
        if bare == wanted:
            return True
        later = parse_stamp(line) if wanted in bare else None
        # The same post at the same time: "• Anna Berger" on every stamp is the author.
        if (
            later is not None
            and later.clock == stamp.clock
            and " ".join(later.rest.split()).casefold() == wanted
        ):
            return True
    return False


def _has_paragraph_after(lines: list[str], kinds: list[Kind], index: int) -> bool:
    j = _next_text(kinds, index)
    return j is not None and not looks_like_headline(lines[j])


def _item_stamps(lines: list[str], kinds: list[Kind]) -> dict[int, Stamp]:
    """The stamps that open posts: a kind (dated or not) the page repeats at least twice."""
    found: dict[int, Stamp] = {}
    for i, line in enumerate(lines):
        if kinds[i] is not Kind.TEXT:
            continue
        stamp = parse_stamp(line)
        if (
            stamp is not None
            and not stamp.rest
            and any(_MEDIA_OPENER.match(lines[k]) for k in range(max(0, i - 2), i))
            and not _opens_post(lines, kinds, i)
        ):
            # Family media players: "Watch: Moment Harrow leaves …" (or "Video" and the
            # clip's title) over "01:12" is a clip and its length, not a post (which a
            # headline and a paragraph would follow).
            kinds[i] = Kind.FURNITURE
            continue
        if stamp is not None:
            found[i] = stamp
    # Family furniture: a stamped line that repeats a later post (a banner, a key-events
    # link) points to the post; it is not one.
    later_lines = {" ".join(line.split()).casefold(): i for i, line in enumerate(lines)}
    by_text: dict[tuple[str, str], int] = {}
    for i in sorted(found, reverse=True):
        stamp = found[i]
        if not stamp.rest:
            continue
        key = (stamp.printed, stamp.rest.casefold())
        repeated = later_lines.get(" ".join(stamp.rest.split()).casefold(), -1) > i
        if key in by_text or repeated:
            kinds[i] = Kind.FURNITURE
            del found[i]
        else:
            by_text[key] = i
    dated = [i for i, s in found.items() if s.has_date]
    undated = [i for i, s in found.items() if not s.has_date]
    items: dict[int, Stamp] = {}
    # Family stamps: a page's own date line ("21.01.2026 - 23:17 Uhr") above posts that
    # print their headline on the stamp's line ("Mi., 21.01.2026, 23:17 Uhr – …").
    if len(dated) >= 3 and not found[dated[0]].rest and all(found[i].rest for i in dated[1:]):
        dated = dated[1:]
    for group in (dated, undated):
        if len(group) >= 2:
            items.update((i, found[i]) for i in group)
    if items:
        # Family stamps: the newest posts in relative form ("8 Min Ago", "Vor 6 Min.") above
        # older ones with a clock or a date belong to the same ticker.
        items.update((i, s) for i, s in found.items() if s.relative and s.rest == "")
        _labelled_relative_stamps(lines, kinds, items)
        _dated_posts(lines, kinds, found, items)
        _authors_on_stamp_lines(lines, kinds, items)
        _drop_page_date_line(lines, kinds, items)
        _bylines_above_stamps(lines, kinds, items)
    for i, stamp in found.items():
        if i in items:
            continue  # a post's stamp: whether its rest is furniture does not matter
        lone = not stamp.rest or parse_stamp(stamp.rest) is not None or is_furniture(stamp.rest)
        if lone:
            kinds[i] = Kind.FURNITURE  # the page's date line, a duration, a lone time
    for i in items:
        kinds[i] = Kind.STAMP
    return dict(sorted(items.items()))


_CLIP_LENGTH = lazy(r"^\d{1,2}:\d{2}(?::\d{2})?(?:\s*min\.?)?$", re.I)
_MEDIA_OPENER = lazy(
    r"^\W*(?:watch|video|listen|audio|podcast|hören|anhören|ansehen|sehen\s+sie)\b", re.I
)


def _stamp_form(stamp: Stamp) -> str:
    """How a stamp is printed: relative, with a date, with a day word, or a clock alone."""
    if stamp.relative:
        return "relative"
    if stamp.day is not None:
        return "date"
    return "day word" if stamp.days_ago is not None else "clock"


def _bylines_above_stamps(lines: list[str], kinds: list[Kind], items: dict[int, Stamp]) -> None:
    """Family bylines: "Catherine Ashdown" over the stamps of her posts is no text.

    Where one name stands over two posts' stamps or more, the page prints its authors
    there, and every name over a stamp is a byline.
    """
    above = [i - 1 for i in items if i > 0 and kinds[i - 1] is Kind.TEXT]
    names = Counter(lines[i].strip() for i in above if is_name_shaped(lines[i].strip()))
    if not names or max(names.values()) < 2:
        return
    for i in above:
        if lines[i].strip() in names:
            kinds[i] = Kind.FURNITURE


def _drop_page_date_line(lines: list[str], kinds: list[Kind], items: dict[int, Stamp]) -> None:
    """Family stamps: the page's date line under the byline is no post, though dated as one.

    "December 4, 2026 11:52 pm CET" above the lead, or above the summary box ("Die neusten
    Entwicklungen"), opens no post: a post has a headline after its stamp where the
    page's other posts have one, and never a summary box.
    """
    if len(items) < 3:
        return
    first = min(items)
    if items[first].rest:
        return
    j = _next_text(kinds, first)
    if j is None:
        return
    box = first + 1  # the summary box's label is furniture by now: the lines are read
    while box < len(lines) and kinds[box] is Kind.FURNITURE and not is_summary_label(lines[box]):
        box += 1
    if not (box < len(lines) and is_summary_label(lines[box])):
        # A dated line above posts stamped otherwise ("9 minutes ago"), with the lead
        # after it where the posts have headlines: a headline-less post is stamped alike.
        second = min(i for i in items if i != first)
        if not items[first].has_date or _stamp_form(items[second]) == _stamp_form(items[first]):
            return
        after = [_next_text(kinds, i) for i in items if i != first]
        headed = sum(1 for k in after if k is not None and looks_like_headline(lines[k]))
        if looks_like_headline(lines[j]) or headed * 2 < len(after):
            return
    del items[first]
    kinds[first] = Kind.FURNITURE


def _authors_on_stamp_lines(lines: list[str], kinds: list[Kind], items: dict[int, Stamp]) -> None:
    """Family stamps: "Heute, 23:26 Uhr • Anna Berger" names the post's author, not its headline.

    After "|" or "•" a name is as often a headline's first words; it is the author where
    the page's stamps repeat it, or where a headline and a paragraph follow the stamp.
    """
    names = Counter(s.rest for s in items.values() if s.rest and is_name_shaped(s.rest))
    for i, stamp in items.items():
        if not stamp.rest or stamp.rest not in names:
            continue
        if names[stamp.rest] >= 2 or _post_follows(
            lines, kinds, i, len(lines), headline_on_line=False
        ):
            items[i] = replace(stamp, rest="", author=stamp.rest)


def _dated_posts(
    lines: list[str], kinds: list[Kind], found: dict[int, Stamp], items: dict[int, Stamp]
) -> None:
    """Family stamps: a post dated in full among posts with a time only opens a post too.

    Tickers print the date at a day's first post ("12.08.2025, 22:30 Uhr") and the time
    alone at the others. Among the posts such a stamp opens a post. Above them it opens
    one only where a post follows it (a headline and a paragraph, as the others have), it
    is not earlier than the newest post, and a paragraph stands before it: the page's
    own date line sits under the title, before the lead.
    """
    first, last = min(items), max(items)
    newest = items[first].clock
    newest_first = newest is not None and (items[last].clock or "") <= newest
    for i, stamp in found.items():
        if i in items or not stamp.has_date or stamp.clock is None:
            continue
        if first < i < last or (
            i < first
            and newest_first
            and newest is not None
            and stamp.clock >= newest
            and _post_follows(lines, kinds, i, first, headline_on_line=bool(stamp.rest))
            and any(kinds[k] is Kind.TEXT and not looks_like_headline(lines[k]) for k in range(i))
        ):
            items[i] = stamp


def _opens_post(lines: list[str], kinds: list[Kind], index: int) -> bool:
    """Whether a bare stamp at `index` has a post's text after it (its headline above or below)."""
    j = _next_text(kinds, index)
    if j is None or parse_stamp(lines[j]) is not None:
        return False  # the next post's stamp: nothing of its own
    return _has_paragraph_after(lines, kinds, index) or _post_follows(
        lines, kinds, index, len(lines), headline_on_line=False
    )


def _post_follows(
    lines: list[str], kinds: list[Kind], index: int, before: int, *, headline_on_line: bool
) -> bool:
    """Whether a headline (on the stamp's line or the next) and a paragraph follow `index`."""
    j = _next_text(kinds, index)
    if j is None or j >= before:
        return False
    if not headline_on_line:
        if not looks_like_headline(lines[j]):
            return False
        j = _next_text(kinds, j)
        if j is None or j >= before:
            return False
    return not looks_like_headline(lines[j])


_STAMP_LABEL = lazy(r"^(?:posted|updated|veröffentlicht|aktualisiert)\s*:?\s+", re.IGNORECASE)


def _labelled_relative_stamps(lines: list[str], kinds: list[Kind], items: dict[int, Stamp]) -> None:
    """Family stamps: "Posted 3h ago" among relative posts opens a post, not the page."""
    if not any(s.relative for s in items.values()):
        return
    first = min(items)
    for i in range(first + 1, len(lines)):
        if kinds[i] is not Kind.FURNITURE or not _STAMP_LABEL.match(lines[i].strip()):
            continue
        stamp = parse_stamp(_STAMP_LABEL.sub("", lines[i].strip()))
        if stamp is not None and stamp.relative and not stamp.rest:
            items[i] = stamp
            kinds[i] = Kind.TEXT


_NAME_LINE = lazy(r"^[A-ZÄÖÜ][\w'’.-]+(?:\s+(?:von|van|de|der|di|da|al|[A-ZÄÖÜ][\w'’.-]+)){1,3}$")


def _is_author_line(line: str) -> bool:
    """Family author labels: "Lara Haiden" above or below a stamp."""
    core = line.strip()
    # An ALL-CAPS line is a headline; an author in capitals comes with "By".
    return bool(_NAME_LINE.match(core)) and len(core) <= 40 and not core.isupper()


def _is_item_label(line: str) -> bool:
    bare = line.strip().strip(":!").lower()
    return bare in de.ITEM_LABELS or bare in en.ITEM_LABELS


def _headline_like(line: str) -> bool:
    core = line.strip()
    return looks_like_headline(core.rstrip("?!"), max_words=20) and parse_stamp(core) is None


def _sentence_headline(lines: list[str], kinds: list[Kind], index: int) -> bool:
    """A short sentence under a stamp is the headline when a longer paragraph follows it."""
    if not _short_sentence(lines[index]):
        return False
    following = _next_text(kinds, index)
    return (
        following is not None
        and kinds[following] is Kind.TEXT
        and len(lines[following]) > len(lines[index]) * 1.5
    )


def _short_sentence(line: str) -> bool:
    """Family layouts: a headline printed as one short sentence ("The Senate passes the bill.")."""
    core = line.strip()
    return (
        core.endswith(".")
        and len(core.split()) <= 14
        and ". " not in core
        and core[:1].isupper()
        and parse_stamp(core) is None
    )


def _stamped_page(
    lines: list[str], kinds: list[Kind], stamps: dict[int, Stamp], points: list[tuple[int, str]]
) -> Page:
    for i, kind in enumerate(kinds):
        if kind is Kind.MARKER and len(lines[i].split()) < 5:
            kinds[i] = Kind.FURNITURE  # the stamps open the posts; "Liveticker" is a label
    indexes = list(stamps)
    # Family layouts: labels ("Breaking") and authors next to a bare stamp are not text.
    for i in indexes:
        if stamps[i].rest:
            continue
        j = _next_text(kinds, i)
        while j is not None and kinds[j] is Kind.TEXT:
            following = _next_text(kinds, j)
            # "Robert Chen" under the stamp, then the headline: the post's author.
            author = (
                _is_author_line(lines[j])
                and following is not None
                and kinds[following] is Kind.TEXT
                and (_headline_like(lines[following]) or _short_sentence(lines[following]))
            )
            if not (_is_item_label(lines[j]) or author):
                break
            kinds[j] = Kind.FURNITURE
            j = following
    above = _headlines_above(lines, kinds, stamps)
    starts: list[int] = []
    headlines: list[tuple[str, int | None]] = []
    for i in indexes:
        stamp = stamps[i]
        if stamp.rest:
            headlines.append((stamp.rest, None))
            starts.append(i)
            continue
        if above:
            j = _next_text(kinds, i, -1)
            author = j is not None and kinds[j] is Kind.TEXT and _is_author_line(lines[j])
            if j is not None and author and stamp.author is None and _headline_like(lines[j]):
                kinds[j] = Kind.FURNITURE
                j = _next_text(kinds, j, -1)
            if j is not None and kinds[j] is Kind.TEXT and _headline_like(lines[j]):
                headlines.append((lines[j], j))
                starts.append(j)
                continue
        else:
            # An author printed just above the stamp belongs to the post, not to the text.
            j = _next_text(kinds, i, -1)
            if j is not None and kinds[j] is Kind.TEXT and _is_author_line(lines[j]):
                kinds[j] = Kind.FURNITURE
            j = _next_text(kinds, i)
            if j is not None and kinds[j] is Kind.TEXT and _sentence_headline(lines, kinds, j):
                lines_j_is_headline = True
            else:
                lines_j_is_headline = False
            if (
                j is not None
                and kinds[j] is Kind.TEXT
                and (_headline_like(lines[j]) or lines_j_is_headline)
            ):
                following = _next_text(kinds, j)
                if following is None or kinds[following] is not Kind.STAMP or len(lines[j]) > 3:
                    headlines.append((lines[j], j))
                    starts.append(i)
                    continue
        headlines.append(("", None))
        starts.append(i)
    items: list[PageItem] = []
    for n, i in enumerate(indexes):
        headline, head_index = headlines[n]
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        item = PageItem(stamps[i], headline, i)
        for j in range(i + 1, end):
            if j == head_index or kinds[j] is not Kind.TEXT:
                continue
            item.body.append((j, strip_calls_to_action(lines[j])))
        items.append(item)
    first = starts[0]
    lead = _find_lead(lines, kinds, 0, first)
    title = _find_title(lines, kinds, lead if lead is not None else first)
    main: list[tuple[int, str]] = []
    standfirst = title[2] if title is not None else None
    if standfirst is not None:
        main.append((standfirst, lines[standfirst]))
    if lead is not None:
        main += [
            (j, strip_calls_to_action(lines[j]))
            for j in range(lead, first)
            if kinds[j] is Kind.TEXT and not _headline_like(lines[j]) and j != standfirst
        ]
    return Page(title[0] if title else "", points, items, main, [])


def _headlines_above(lines: list[str], kinds: list[Kind], stamps: dict[int, Stamp]) -> bool:
    """Family layouts: does this page print a post's headline above its stamp?"""
    above = below = 0
    for i, stamp in stamps.items():
        if stamp.rest:
            continue
        after = _next_text(kinds, i)
        before = _next_text(kinds, i, -1)
        after_head = (
            after is not None
            and kinds[after] is Kind.TEXT
            and (_headline_like(lines[after]) or _sentence_headline(lines, kinds, after))
        )
        before_head = (
            before is not None
            and kinds[before] is Kind.TEXT
            and _headline_like(lines[before])
            and not _is_author_line(lines[before])
        )
        if after_head:
            below += 1
        elif before_head:
            above += 1
    return above > below


def _is_paragraph(line: str) -> bool:
    return not looks_like_headline(line) and len(line.split()) >= _LEAD_MIN_WORDS


def _find_lead(lines: list[str], kinds: list[Kind], start: int, end: int) -> int | None:
    for i in range(start, end):
        if kinds[i] is Kind.TEXT and _is_paragraph(lines[i]) and parse_stamp(lines[i]) is None:
            return i
    return None


_LIVE_PREFIX = lazy(
    r"^(?:\+{2,}\s*)?(?:live(?:\s+updates?)?|liveblog|live-?ticker|newsblog|breaking(?:\s+news)?"
    r"|eilmeldung)\s*[:–—|-]\s+",
    re.IGNORECASE,
)


def _find_title(
    lines: list[str], kinds: list[Kind], before: int
) -> tuple[str, int, int | None] | None:
    """Family titles: the page's headline is the nearest headline above the lead.

    Returns the title, its line and, where the page prints one, the standfirst's line.
    """
    for i in range(before - 1, -1, -1):
        line = lines[i]
        # "Live: Ardent cloud outage knocks banks offline" names the format and the story.
        marker_title = kinds[i] is Kind.MARKER and len(line.split()) >= 5
        if not (kinds[i] is Kind.TEXT or marker_title) or not looks_like_headline(
            line, max_words=30
        ):
            continue
        if parse_stamp(line) is not None:
            continue
        if len(line.split()) < 4 and not _LIVE_PREFIX.match(line):
            continue
        above = i - 1
        marker_above = above >= 0 and kinds[above] is Kind.MARKER and len(lines[above].split()) >= 5
        if (
            above >= 0
            and (kinds[above] is Kind.TEXT or marker_above)
            # Family standfirsts: a sentence-long line, or one in parts ("…, …", "… – …").
            and (len(line.split()) >= 12 or ("," in line or " – " in line))
            and len(line.split()) >= 8
            and (marker_above or not mentions_ticker(lines[above]))
            and 4 <= len(lines[above].split()) < len(line.split())
            and looks_like_headline(lines[above])
            and not lines[above].rstrip().endswith(":")
        ):
            # Family titles: a long line under a headline is its standfirst, not the title.
            return shorten(clean_title(lines[above]), TITLE_LIMIT), above, i
        title = clean_title(line)
        kicker = _next_text(kinds, i, -1)
        if kicker is not None and kicker == i - 1 and kinds[kicker] is Kind.TEXT:
            kick = lines[kicker].strip()
            combined = f"{kick.rstrip(':').strip()}: {title}"
            if kick.endswith(":") and len(kick.split()) <= 6 and len(combined) <= TITLE_LIMIT:
                title = combined
        return shorten(title, TITLE_LIMIT), i, None
    return None


def clean_title(line: str) -> str:
    """A headline without live labels and ticker frames ("LIVE:", "++ … ++")."""
    text = _LIVE_PREFIX.sub("", line.strip())
    text = re.sub(r"\s*\+{2,}\s*$", "", text)
    text = re.sub(r"^\+{2,}\s*", "", text)
    text = re.sub(r"\s+\+{2,}\s+", ": ", text)
    return " ".join(text.split())
