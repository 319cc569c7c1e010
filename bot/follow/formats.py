"""What a source says, whatever it is: each format detected from the content, not the URL.

- HTML with schema.org LiveBlogPosting JSON-LD: its `liveBlogUpdate` entries, exactly.
- RSS 2.0 / Atom (feedparser) and JSON Feed (json): their entries.
- Any other HTML: the main text (trafilatura), then the story importer, like an upload.

Every format ends in the same importer (bot.story) for quotes, people and the summary."""

from __future__ import annotations

import enum
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import lxml.etree
import lxml.html

from bot.story import parse_story
from bot.story.model import ParsedStory, StoryError

log = logging.getLogger(__name__)

MAX_ENTRIES = 200
MAX_HEADLINE_CHARS = 300
# An item is corrected through the editors' /edit path, which takes at most 4096 characters.
MAX_BODY_CHARS = 3500
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "table",
        "tr",
        "pre",
        "figure",
        "figcaption",
        "dd",
        "dt",
    ]
)
_DROP = frozenset({"script", "style", "noscript", "template", "iframe", "svg"})
# C0 controls other than tab and line breaks: lxml refuses them in text, readers never see them.
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])
_RETRACTED_STATUSES = frozenset({"deleted", "retracted", "withdrawn", "removed"})
_TOMBSTONE_NS = "http://purl.org/atompub/tombstones/1.0"


class SourceFormat(enum.StrEnum):
    """The kinds of content a followed URL can serve."""

    LIVEBLOG = "liveblog"
    RSS = "rss"
    ATOM = "atom"
    JSONFEED = "jsonfeed"
    HTML = "html"


class FormatError(ValueError):
    """Content that is none of the formats, or broken; the message is one line for editors."""


@dataclass(frozen=True)
class Entry:
    """One entry of a source, with the identity it keeps across fetches."""

    key: str
    headline: str
    body: tuple[str, ...]
    published: str | None = None  # ISO 8601, the source's own offset kept
    url: str | None = None
    page_clock: str | None = None  # a clock time read from page text, when that is all

    @property
    def clock(self) -> str | None:
        """The publisher's own clock time (HH:MM), as the ticker shows page times."""
        if not self.published:
            return self.page_clock
        try:
            return datetime.fromisoformat(self.published).strftime("%H:%M")
        except ValueError:
            return None

    def content_hash(self) -> str:
        """Changes exactly when what readers would see changes."""
        text = "\x1f".join((self.headline, *self.body))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Snapshot:
    """A source as fetched once: its title, entries (newest first as served), retractions."""

    format: SourceFormat
    title: str
    entries: tuple[Entry, ...]
    parsed: ParsedStory | None  # the importer's reading: quotes, people, summary
    retracted_keys: frozenset[str] = frozenset()
    truncated: bool = False


def stable_key(headline: str, published: str | None) -> str:
    """The identity of an entry without an id of its own: its time and headline."""
    normalized = " ".join(headline.casefold().split())
    return "h:" + hashlib.sha256(f"{published or ''}|{normalized}".encode()).hexdigest()[:32]


def read_source(body: bytes, content_type: str = "") -> Snapshot:
    """Detect the format from the bytes and read it; FormatError when it cannot be read."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise FormatError("the source is empty")
    if head[:1] in (b"{", b"["):
        return _read_json_feed(body)
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")) and b"<html" not in head[:400]:
        return _read_xml_feed(body)
    if b"<" not in head:
        raise FormatError("neither HTML nor a feed")
    return _read_html(body, content_type)


# --- feeds ------------------------------------------------------------------------------


def _read_xml_feed(body: bytes) -> Snapshot:
    parsed: Any = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    version = str(parsed.get("version") or "")
    if not version:
        reason = parsed.get("bozo_exception")
        raise FormatError(f"not a readable feed ({_one_line(reason) if reason else 'unknown'})")
    kind = SourceFormat.ATOM if version.startswith("atom") else SourceFormat.RSS
    raw_entries = list(parsed.entries)
    if parsed.get("bozo") and not raw_entries:
        raise FormatError(f"broken feed: {_one_line(parsed.get('bozo_exception'))}")
    entries: list[Entry] = []
    for raw in raw_entries[:MAX_ENTRIES]:
        headline = _clean_line(raw.get("title") or "")
        html_body = ""
        if raw.get("content"):
            html_body = str(raw["content"][0].get("value") or "")
        html_body = html_body or str(raw.get("summary") or "")
        paragraphs = html_to_paragraphs(html_body)
        published = _struct_time_iso(raw.get("published_parsed") or raw.get("updated_parsed"))
        if not headline and paragraphs:
            headline = _first_words(paragraphs[0])
        if not headline:
            continue
        key = raw.get("id") or raw.get("guid") or raw.get("link")
        entries.append(
            Entry(
                key=("id:" + str(key)) if key else stable_key(headline, published),
                headline=headline[:MAX_HEADLINE_CHARS],
                body=_capped(paragraphs),
                published=published,
                url=raw.get("link"),
            )
        )
    title = _clean_line(parsed.feed.get("title") or "") or (entries[0].headline if entries else "")
    retracted = _atom_tombstones(body) if kind is SourceFormat.ATOM else frozenset()
    return _snapshot(kind, title, entries, retracted, len(raw_entries) > MAX_ENTRIES)


def _atom_tombstones(body: bytes) -> frozenset[str]:
    """Atom Tombstones (RFC 6721): the feed itself says an entry was withdrawn."""
    if _TOMBSTONE_NS.encode() not in body:
        return frozenset()
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
    try:
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError:
        return frozenset()
    if root is None:
        return frozenset()
    refs = root.iter(f"{{{_TOMBSTONE_NS}}}deleted-entry")
    return frozenset("id:" + str(el.get("ref")) for el in refs if el.get("ref"))


def _read_json_feed(body: bytes) -> Snapshot:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"broken JSON: {_one_line(exc)}") from None
    version = str(data.get("version") or "") if isinstance(data, dict) else ""
    if not version.startswith("https://jsonfeed.org/version/"):
        raise FormatError("JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise FormatError("JSON Feed without an items list")
    entries: list[Entry] = []
    retracted: set[str] = set()
    for raw in items[:MAX_ENTRIES]:
        if not isinstance(raw, dict):
            continue
        if raw.get("content_html"):
            paragraphs = html_to_paragraphs(str(raw["content_html"]))
        else:
            paragraphs = _text_paragraphs(str(raw.get("content_text") or raw.get("summary") or ""))
        headline = _clean_line(str(raw.get("title") or ""))
        if not headline and paragraphs:
            headline = _first_words(paragraphs[0])
        published = _iso(raw.get("date_published") or raw.get("date_modified"))
        ident = raw.get("id") or raw.get("url")
        key = ("id:" + str(ident)) if ident else stable_key(headline, published)
        # JSON Feed has no deletion marker; a `_deleted` extension is how a publisher says so.
        extension = raw.get("_deleted")
        if extension is True or (isinstance(extension, dict) and extension.get("deleted")):
            retracted.add(key)
            continue
        if not headline:
            continue
        entries.append(
            Entry(
                key=key,
                headline=headline[:MAX_HEADLINE_CHARS],
                body=_capped(paragraphs),
                published=published,
                url=str(raw["url"]) if raw.get("url") else None,
            )
        )
    title = _clean_line(str(data.get("title") or "")) or (entries[0].headline if entries else "")
    return _snapshot(
        SourceFormat.JSONFEED, title, entries, frozenset(retracted), len(items) > MAX_ENTRIES
    )


# --- HTML -------------------------------------------------------------------------------


def _decoded(body: bytes, content_type: str) -> str | bytes:
    """Text by the declared charset, else UTF-8; else the bytes, for lxml to read <meta>."""
    _, _, params = content_type.partition(";")
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset" and value:
            try:
                return body.decode(value.strip("\"' ").lower(), errors="replace")
            except LookupError:
                break
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body


def _read_html(body: bytes, content_type: str) -> Snapshot:
    markup = _decoded(body, content_type)
    try:
        try:
            tree = lxml.html.document_fromstring(markup)
        except ValueError:
            # A str with an XML encoding declaration: lxml wants the bytes.
            tree = lxml.html.document_fromstring(body)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise FormatError(f"unreadable HTML: {_one_line(exc)}") from None
    blog = _find_liveblog(tree)
    if blog is not None:
        return _read_liveblog(blog, _html_title(tree))
    # Imported here: it costs ~0.7 s at import, and most sources are feeds or live blogs.
    import trafilatura

    # trafilatura takes the parsed tree: the page is parsed once for both readings.
    text = trafilatura.extract(
        tree, output_format="txt", include_comments=False, include_tables=False, favor_recall=True
    )
    title = _html_title(tree)
    if not text or not text.strip():
        raise FormatError("HTML page without a main text")
    page = f"{title}\n\n{text}" if title and not text.startswith(title) else text
    try:
        parsed = parse_story(page)
    except StoryError as exc:
        raise FormatError(f"the page's text cannot be imported ({exc.code})") from None
    except Exception as exc:
        # An importer bug on one page must not stop following it: shown like bad input.
        log.exception("the story importer failed on a followed page")
        raise FormatError(f"the page's text cannot be imported ({type(exc).__name__})") from None
    entries = [
        Entry(
            key=stable_key(t.headline, t.time),
            headline=(t.display_headline or t.headline)[:MAX_HEADLINE_CHARS],
            body=_capped(list(t.body)),
            page_clock=t.time,
        )
        for t in parsed.ticker[:MAX_ENTRIES]
    ]
    return Snapshot(
        format=SourceFormat.HTML,
        title=title or parsed.title,
        entries=tuple(_unique(entries)),
        parsed=parsed,
        truncated=len(parsed.ticker) > MAX_ENTRIES,
    )


def _html_title(tree: Any) -> str:
    # The page's own headline first: <title> often carries the outlet's name as well.
    og = tree.xpath('//meta[@property="og:title"]/@content')
    h1 = [el.text_content() for el in tree.xpath("//h1")]
    for candidate in (*og[:1], *h1[:1], *tree.xpath("//title/text()")[:1]):
        title = _clean_line(str(candidate))
        if title:
            return title[:MAX_HEADLINE_CHARS]
    return ""


def _json_ld_objects(tree: Any) -> Iterator[dict[str, Any]]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except json.JSONDecodeError:
            continue
        yield from _walk(data)


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for value in data:
            yield from _walk(value)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _walk(graph)


def _types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1] for v in values if v}


def _find_liveblog(tree: Any) -> dict[str, Any] | None:
    for obj in _json_ld_objects(tree):
        if "LiveBlogPosting" in _types(obj) and "liveBlogUpdate" in obj:
            return obj
    return None


def _read_liveblog(blog: dict[str, Any], page_title: str) -> Snapshot:
    updates = blog.get("liveBlogUpdate")
    raw_updates = updates if isinstance(updates, list) else [updates]
    entries: list[Entry] = []
    retracted: set[str] = set()
    for raw in raw_updates[:MAX_ENTRIES]:
        if not isinstance(raw, dict):
            continue
        body_raw = str(raw.get("articleBody") or raw.get("text") or "")
        paragraphs = html_to_paragraphs(body_raw) if "<" in body_raw else _text_paragraphs(body_raw)
        headline = _clean_line(str(raw.get("headline") or raw.get("name") or ""))
        if not headline and paragraphs:
            headline = _first_words(paragraphs[0])
        published = _iso(raw.get("datePublished") or raw.get("dateModified"))
        ident = raw.get("@id") or raw.get("url")
        key = ("id:" + str(ident)) if ident else stable_key(headline, published)
        if str(raw.get("creativeWorkStatus") or "").casefold() in _RETRACTED_STATUSES:
            retracted.add(key)
            continue
        if not headline:
            continue
        entries.append(
            Entry(
                key=key,
                headline=headline[:MAX_HEADLINE_CHARS],
                body=_capped(paragraphs),
                published=published,
                url=str(raw["url"]) if raw.get("url") else None,
            )
        )
    title = _clean_line(str(blog.get("headline") or blog.get("name") or "")) or page_title
    return _snapshot(
        SourceFormat.LIVEBLOG, title, entries, frozenset(retracted), len(raw_updates) > MAX_ENTRIES
    )


# --- shared -----------------------------------------------------------------------------


def _snapshot(
    kind: SourceFormat,
    title: str,
    entries: list[Entry],
    retracted: frozenset[str],
    truncated: bool,
) -> Snapshot:
    if not title and not entries:
        raise FormatError(f"{kind.value} without a title or entries")
    return Snapshot(
        format=kind,
        title=title[:MAX_HEADLINE_CHARS],
        entries=tuple(_unique(entries)),
        parsed=_importer_reading(title, entries),
        retracted_keys=retracted,
        truncated=truncated,
    )


def _unique(entries: list[Entry]) -> Iterator[Entry]:
    seen: set[str] = set()
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            yield entry


def _importer_reading(title: str, entries: list[Entry]) -> ParsedStory | None:
    """The story importer over the entries' text: quotes, people and summary, as for a page."""
    blocks = [title] if title else []
    # Oldest first reads like an article; the summary ranks sentences, not positions.
    for entry in reversed(entries):
        blocks.append("\n\n".join((entry.headline, *entry.body)))
    try:
        return parse_story("\n\n".join(blocks))
    except StoryError:
        return None
    except Exception:
        # The entries stay exact without quotes and people; an importer bug is logged.
        log.exception("the story importer failed on a followed source's entries")
        return None


def html_to_paragraphs(fragment: str) -> list[str]:
    """The text of an HTML fragment, one string per paragraph; markup and scripts dropped."""
    if not fragment.strip():
        return []
    fragment = fragment.translate(_CONTROL)
    if "<" not in fragment:
        return _text_paragraphs(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _text_paragraphs(fragment)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in _DROP:
            element.drop_tree()
        elif tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
            element.text = "\n\n" + (element.text or "")
    return _text_paragraphs(root.text_content())


def _text_paragraphs(text: str) -> list[str]:
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    out: list[str] = []
    for block in normalized.split("\n\n"):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        joined = " ".join(line for line in lines if line)
        if joined:
            out.append(joined)
    return out


def _capped(paragraphs: list[str]) -> tuple[str, ...]:
    kept: list[str] = []
    size = 0
    for paragraph in paragraphs:
        if size + len(paragraph) > MAX_BODY_CHARS:
            if not kept:
                kept.append(paragraph[: MAX_BODY_CHARS - 1].rstrip() + "…")
            break
        kept.append(paragraph)
        size += len(paragraph) + 2
    return tuple(kept)


def _clean_line(text: str) -> str:
    if "<" in text and ">" in text:
        text = " ".join(html_to_paragraphs(text))
    return " ".join(text.split())


def _first_words(paragraph: str, limit: int = 12) -> str:
    words = paragraph.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")


def _iso(value: Any) -> str | None:
    if not value:
        return None
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _struct_time_iso(value: Any) -> str | None:
    if not value:
        return None
    try:
        return datetime(*tuple(value)[:6]).replace(tzinfo=UTC).isoformat()
    except (TypeError, ValueError):
        return None


def _one_line(value: object) -> str:
    text = str(value) if value is not None else ""
    return (text.splitlines()[0] if text else type(value).__name__)[:160]
