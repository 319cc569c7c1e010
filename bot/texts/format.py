"""Reader and editor messages as Telegram HTML, built from store records.

Every piece of story or user text goes through `escape` (or `highlight`) exactly once,
here; only the markup written in this module and in the .ftl files is raw. Each method
returns one HTML string of any length: callers send `split_message(result)`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo
from enum import StrEnum
from typing import Any, Final, Protocol

from bot.db.models import (
    AuditEntry,
    PersonRecord,
    QuoteRecord,
    StoryRecord,
    TickerItemRecord,
    parse_iso,
)
from bot.db.subscriptions import DeliveryChoice
from bot.folding import spellings
from bot.limits import MAX_FRAGMENTS, MAX_STATEMENTS
from bot.story.model import ParsedStory
from bot.texts.html import escape, highlight
from bot.texts.i18n import DEFAULT_LANGUAGE, ArgValue, Language, Texts, normalize_language

__all__ = [
    "EDITOR_COMMANDS",
    "EDITOR_ERROR_TEXTS",
    "IMPORT_ERROR_TEXTS",
    "READER_COMMANDS",
    "WELCOME_COMMANDS",
    "Formatter",
    "ItemDelivery",
    "SearchHitLike",
    "escape",
    "progress_bar",
    "shorten",
    "word_spans",
]

READER_COMMANDS: Final[tuple[str, ...]] = (
    "summary",
    "quotes",
    "ticker",
    "people",
    "search",
    "stories",
    "story",
    "subscribe",
    "unsubscribe",
    "settings",
    "timezone",
    "quiet",
    "filter",
    "missed",
    "language",
    "help",
)
EDITOR_COMMANDS: Final[tuple[str, ...]] = (
    "post",
    "edit",
    "delete",
    "pin",
    "unpin",
    "setsummary",
    "resetsummary",
    "addquote",
    "delquote",
    "setspeaker",
    "newstory",
    "settitle",
    "archive",
    "stats",
    "retry",
    "audit",
    "follow",
    "sources",
    "unfollow",
)
# The commands /start shows to a newcomer; /help lists them all.
WELCOME_COMMANDS: Final[tuple[str, ...]] = ("summary", "ticker", "quotes", "subscribe")

SNIPPET_LENGTH: Final = 240
AUDIT_VALUE_LENGTH: Final = 80
PREVIEW_QUOTES: Final = 3
PREVIEW_QUOTE_LENGTH: Final = 160
STATS_HEADLINE_LENGTH: Final = 60

# Error codes of bot.services.editor.EditorError → text key, and how the error's
# arguments are named in that text.
EDITOR_ERROR_TEXTS: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "pin-channel-usage": ("pin-channel-usage", {}),
    "pin-channel-none": ("pin-channel-none", {}),
    "pin-channel-missing": ("pin-channel-missing", {"id": "id"}),
    "quote-format": ("addquote-format", {}),
    "missing-text": ("missing-text", {}),
    "text-too-long": ("text-too-long", {"limit": "max", "length": "length"}),
    "item-not-found": ("item-not-found", {"id": "id"}),
    "item-retracted": ("item-already-retracted", {"id": "id"}),
    "edit-unchanged": ("edit-unchanged", {"id": "id"}),
    "quote-not-found": ("quote-not-found", {"id": "id"}),
    "story-not-found": ("story-unknown", {"id": "id"}),
    "story-archived": ("story-is-archived", {"title": "title"}),
    "story-already-archived": ("story-already-archived", {"id": "id"}),
    "no-story": ("no-story", {}),
    "pin-unchanged": ("pin-unchanged", {"id": "id"}),
    "unpin-unchanged": ("unpin-unchanged", {"id": "id"}),
    "summary-unchanged": ("summary-unchanged", {}),
    "summary-not-set": ("summary-not-set", {}),
    "speaker-unchanged": ("speaker-unchanged", {"id": "id"}),
    "title-unchanged": ("title-unchanged", {}),
}
# Codes of bot.story.model.StoryError raised while reading an uploaded file.
IMPORT_ERROR_TEXTS: Final[dict[str, str]] = {
    "too_large": "import-file-too-large",
    "empty": "import-file-empty",
    "binary": "import-file-binary",
    "not_text": "import-file-not-text",
}

# Between items of one message: two blank lines read as a section break and are the
# first place split_message cuts, so an item stays whole when a page is split.
ITEM_SEPARATOR: Final = "\n\n\n"


class SearchHitLike(Protocol):
    """What /search returns per match (bot.db.stories.SearchHit fits)."""

    @property
    def kind(self) -> str: ...  # "body", "quote" or "ticker"

    @property
    def ref(self) -> int: ...

    @property
    def text(self) -> str: ...


class Argument(StrEnum):
    """What a command was given too little of: its reply names it and shows the usage."""

    NUMBER = "number"
    TEXT = "text"
    NEW_TEXT = "new-text"
    TITLE = "title"
    NAME = "name"
    QUOTE = "quote"


@dataclass(frozen=True)
class ItemDelivery:
    """Delivery counts of one ticker item for /stats."""

    item_id: int
    headline: str
    delivered: int
    pending: int
    failed: int
    blocked: int = 0
    # Pending deliveries that failed transiently and wait for their retry.
    retrying: int = 0
    # Left out by subscribers' keyword filters or mutes: neither delivered nor failed.
    skipped: int = 0
    # Retracted by the editors: delivered copies are deleted, so it reads as no longer live.
    retracted: bool = False

    @property
    def total(self) -> int:
        return self.delivered + self.pending + self.failed + self.blocked


def progress_bar(done: int, total: int, width: int = 6) -> str:
    """A bar like "▓▓▓▓░░ 120/195", full only when everything is done."""
    if total <= 0:
        filled = 0
    else:
        filled = round(width * done / total)
        # A started job never looks untouched, an unfinished one never looks complete.
        if 0 < done < total:
            filled = min(max(filled, 1), width - 1)
    return "▓" * filled + "░" * (width - filled) + f" {done}/{total}"


def shorten(text: str, limit: int) -> str:
    """Plain text squeezed to one line of at most `limit` characters, cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    if cut < limit // 2:  # one very long word: cut inside it
        cut = limit - 1
    return flat[:cut].rstrip() + "…"


def _fold(text: str) -> tuple[str, list[int]]:
    """Text without accents, case-folded, and for each folded char its source index.

    Mirrors the search index (unicode61, remove_diacritics): "Sybiga" finds "Sýbiga".
    """
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        for piece in base.casefold():
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def word_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Spans of the words in `text` that start with a word of `query` (as the search does)."""
    # "Mueller" lights up "Müller" as /search found it (ß is already ss in casefold).
    words = {s for w in re.findall(r"\w+", query) for s in spellings(_fold(w)[0])}
    if not words:
        return []
    folded, origin = _fold(text)
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})\w*")
    return [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(folded)]


def _snippet(text: str, query: str) -> str:
    """The part of a sentence around its first match, matches in bold, as HTML."""
    flat = " ".join(text.split())
    spans = word_spans(flat, query)
    if len(flat) <= SNIPPET_LENGTH:
        return highlight(flat, spans)
    center = spans[0][0] if spans else 0
    start = max(0, center - SNIPPET_LENGTH // 3)
    if start > 0:
        space = flat.find(" ", start, center)
        start = space + 1 if space >= 0 else start
    end = min(len(flat), start + SNIPPET_LENGTH)
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > center else end
    piece = flat[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    # Spans of the whole sentence, moved into the piece: a piece that starts inside a word
    # must not make that word's tail look like a match (a one-letter query would light up
    # half the snippet).
    shifted = [(a - start, b - start) for a, b in spans if a >= start and a < end]
    return prefix + highlight(piece, shifted) + suffix


_ITEM_ACTIONS: Final = frozenset({"post", "edit", "delete", "pin", "unpin"})
_QUOTE_ACTIONS: Final = frozenset({"addquote", "delquote", "setspeaker"})


def _number_in(target: str | None) -> int | None:
    match = re.search(r"\d+", target or "")
    return int(match[0]) if match else None


def _item_text(value: Any) -> str:
    """A ticker item snapshot as readers saw it: headline, then body."""
    if not isinstance(value, dict):
        return _audit_value(value)
    return " – ".join(str(value[k]) for k in ("headline", "body") if value.get(k))


def _quote_text(value: Any) -> str:
    if not isinstance(value, dict):
        return _audit_value(value)
    said = f"„{value['text']}“" if value.get("text") else ""
    who = ", ".join(str(value[k]) for k in ("speaker", "role") if value.get(k))
    return " — ".join(p for p in (said, who) if p)


def _audit_texts(entry: AuditEntry) -> tuple[str, str]:
    """(before, after) of an audit entry as plain text a reader understands: the changed
    words, not field names or flags (a pin says all in its action)."""
    action, before, after = entry.action, entry.before, entry.after
    if action in ("pin", "unpin", "archive"):
        return "", ""
    if action in ("post", "edit", "delete"):
        return _item_text(before), "" if action == "delete" else _item_text(after)
    if action in _QUOTE_ACTIONS:
        return _quote_text(before), _quote_text(after)
    if action == "import" and isinstance(after, dict):
        return "", str(after.get("title") or "")
    return _audit_value(before), _audit_value(after)


def _audit_value(value: Any) -> str:
    """An audit before/after value as one readable line: {"body": "x"} → "body: x"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        # Empty fields ("body": "") say nothing and read like a cut-off line.
        shown = {key: item for key, item in value.items() if item not in (None, "")}
        # Values only: field names are the store's words, not the reader's.
        return " – ".join(_audit_value(item) for item in shown.values() if item is not True)
    return json.dumps(value, ensure_ascii=False)


class Formatter:
    """Messages in one language. Cheap to build per update: `Formatter(texts, lang)`.

    `tz` is the zone for clock times the page did not give (items posted in the chat)
    and for the "as of" line.
    """

    def __init__(self, texts: Texts, lang: str, *, tz: tzinfo = UTC) -> None:
        self.texts = texts
        self.lang: Language = normalize_language(lang) or DEFAULT_LANGUAGE
        self.tz = tz

    # -- single messages ------------------------------------------------------------

    def text(self, key: str, /, **args: ArgValue) -> str:
        """A message as HTML; string arguments (user or story text) are escaped."""
        safe = {name: escape(v) if isinstance(v, str) else v for name, v in args.items()}
        return self.texts.get(self.lang, key, **safe)

    def plain(self, key: str, /, **args: ArgValue) -> str:
        """A message as plain text: button labels, the command menu, callback answers."""
        return self.texts.get(self.lang, key, **args)

    def _with_markup(self, key: str, /, **html_args: str) -> str:
        """A message whose arguments are HTML this module built (already escaped)."""
        return self.texts.get(self.lang, key, **html_args)

    # -- dates ------------------------------------------------------------------------

    def _date_args(self, iso: str) -> dict[str, ArgValue]:
        moment = parse_iso(iso).astimezone(self.tz)
        return {
            "day": str(moment.day),
            "day2": f"{moment.day:02d}",
            "month2": f"{moment.month:02d}",
            "monthname": self.texts.get(self.lang, "month-short", month=moment.month),
            "year": str(moment.year),
            "hour": f"{moment.hour:02d}",
            "minute": f"{moment.minute:02d}",
            "zone": self.texts.get(self.lang, "zone-abbr", zone=moment.tzname() or "UTC"),
        }

    def datetime_long(self, iso: str) -> str:
        """Date and time, e.g. "25.11.2026, 14:05 UTC" / "25 Nov 2026, 14:05 UTC" (plain)."""
        return self.texts.get(self.lang, "datetime-long", **self._date_args(iso))

    def datetime_short(self, iso: str) -> str:
        """Time, zone and day, e.g. "14:05 MEZ, 25.11." / "14:05 CET, 25 Nov" (plain)."""
        return self.texts.get(self.lang, "datetime-short", **self._date_args(iso))

    def item_time(self, item: TickerItemRecord) -> str:
        """When the news happened, as a reader can place it: a page stamp resolved to a
        moment on the chat's clock (zone named); else the clock the page printed, marked as
        the source's (its zone is unknown); else when an editor posted it; "" for an
        imported item whose page gave no time (the import time is not the news time)."""
        if item.published_at:
            return self.datetime_short(item.published_at)
        if item.time:
            return self.plain("item-time-source", time=item.time)
        return self.datetime_short(item.created_at) if item.origin == "posted" else ""

    def _timed(self, item: TickerItemRecord, headline_html: str) -> str:
        when = self.item_time(item)
        if not item.headline.strip():
            # A picture posted without a caption: its time alone heads it.
            return f"<i>{escape(when)}</i>" if when else ""
        return f"<i>{escape(when)}</i> · {headline_html}" if when else headline_html

    def media_marker(self, item: TickerItemRecord) -> str:
        """ "📷 Photo", "🖼 3 attachments", …: what an item carries; "" for none."""
        count = len(item.media) or item.media_count
        if not count:
            return ""
        if count > 1:
            return self.text("media-marker", kind="album", count=count)
        kind = item.media[0].kind.value if item.media else "photo"
        return self.text("media-marker", kind=kind, count=1)

    # -- start and help -----------------------------------------------------------------

    def _command_line(self, command: str) -> str:
        args_key = f"cmd-{command}.args"
        usage = f"/{command}"
        if self.texts.has(self.lang, args_key):
            usage += " " + self.plain(args_key)
        return f"{escape(usage)} – {escape(self.plain(f'cmd-{command}'))}"

    def missing_argument(self, command: str, argument: Argument) -> str:
        """What `/command` lacks, then how it goes: its /help line and an example (HTML)."""
        usage = f"/{command}"
        if self.texts.has(self.lang, f"cmd-{command}.args"):
            usage += " " + self.plain(f"cmd-{command}.args")
        how = self.text(
            "command-usage",
            usage=usage,
            description=self.plain(f"cmd-{command}"),
            example=self.plain(f"cmd-{command}.example"),
        )
        return self.text("command-missing", command=f"/{command}", argument=argument.value) + (
            "\n" + how
        )

    def command_menu(self, *, is_editor: bool = False) -> list[tuple[str, str]]:
        """(command, description) pairs for Bot.set_my_commands."""
        commands = READER_COMMANDS + (EDITOR_COMMANDS if is_editor else ())
        return [(command, self.plain(f"cmd-{command}")) for command in commands]

    def welcome(self, story: StoryRecord | None, *, is_editor: bool = False) -> str:
        parts = [f"{self.text('welcome-title')}\n{self.text('welcome-intro')}"]
        if story is not None:
            parts.append(self.text("welcome-story", title=story.heading))
        else:
            parts.append(self.text("welcome-no-story"))
        lines = [self.text("welcome-first-steps")]
        lines += [self._command_line(c) for c in WELCOME_COMMANDS]
        parts.append("\n".join(lines))
        closing = [self.text("welcome-all-commands")]
        if is_editor:
            closing.append(self.text("welcome-editor"))
        parts.append("\n".join(closing))
        return "\n\n".join(parts)

    def help(self, *, is_editor: bool = False) -> str:
        """Every reader command; the editor section only when `is_editor`."""
        reader = [self.text("help-title")] + [self._command_line(c) for c in READER_COMMANDS]
        parts = ["\n".join(reader)]
        if is_editor:
            editor = [self.text("help-editor-title")]
            editor += [self._command_line(c) for c in EDITOR_COMMANDS]
            editor.append(self.text("help-editor-import"))
            parts.append("\n".join(editor))
        return "\n\n".join(parts)

    # -- summary ----------------------------------------------------------------------

    def summary(
        self,
        story: StoryRecord,
        *,
        pinned: Sequence[TickerItemRecord] = (),
        latest: TickerItemRecord | None = None,
        as_of: str | None = None,
    ) -> str:
        """Title, "as of", pinned items, key points (or the editors' text), newest item.

        `as_of` is an ISO time (e.g. stories.last_update); None shows no time at all
        rather than one the story does not have.
        """
        header = f"<b>{escape(story.title)}</b>"
        if as_of:
            header += f"\n<i>{self._as_of(as_of)}</i>"
        parts = [header]
        if pinned:
            lines = [self.text("summary-pinned")]
            lines += [f"• {self._item_headline_line(item)}" for item in pinned]
            parts.append("\n".join(lines))
        parts.append(self._key_points(story))
        pinned_ids = {item.id for item in pinned}
        if latest is not None and latest.id not in pinned_ids:
            parts.append(f"{self.text('summary-latest')}\n{self._item_headline_line(latest)}")
        parts.append(self.text("summary-more"))
        return "\n\n".join(parts)

    def _as_of(self, iso: str) -> str:
        return self.text("summary-as-of", datetime=self.datetime_long(iso))

    def _key_points(self, story: StoryRecord) -> str:
        if story.editor_summary and story.editor_summary.strip():
            return self._paragraphs(story.editor_summary)
        if story.summary:
            return "\n".join(f"• {escape(sentence)}" for sentence in story.summary)
        if story.lead.strip():
            return escape(story.lead.strip())
        return self.text("summary-empty")

    @staticmethod
    def _paragraphs(text: str) -> str:
        """Editor text with its paragraphs kept and blank-line runs collapsed."""
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        return "\n\n".join(escape(p) for p in paragraphs)

    def _item_headline_line(self, item: TickerItemRecord) -> str:
        line = self._timed(item, escape(item.headline))
        marker = self.media_marker(item)
        return f"{line} {marker}".strip() if marker else line

    # -- quotes -----------------------------------------------------------------------

    def _attribution(self, quote: QuoteRecord) -> str:
        if not quote.speaker:
            return f"<i>{self.text('quotes-unattributed')}</i>"
        if quote.role:
            return f"{escape(quote.speaker)}, {escape(quote.role)}"
        return escape(quote.speaker)

    def quote_line(self, quote: QuoteRecord, *, is_editor: bool = False) -> str:
        line = self._with_markup(
            "quote-line", text=escape(quote.text), attribution=self._attribution(quote)
        )
        return f"<code>#{quote.id}</code> {line}" if is_editor else line

    def quotes(
        self,
        quotes: Sequence[QuoteRecord],
        *,
        is_editor: bool = False,
        speaker: str | None = None,
        more: int = 0,
    ) -> str:
        """Full statements, then fragments under "In brief". `speaker` names a filter
        the caller already applied (for the heading); `more` counts quotes not loaded."""
        if not quotes:
            return self.text("quotes-empty")
        if speaker is None:
            title = self.text("quotes-title")
        else:
            title = self.text("quotes-title-filtered", name=speaker, count=len(quotes) + more)
        statements = [q for q in quotes if not q.fragment]
        fragments = [q for q in quotes if q.fragment]
        # A reader reads a screenful, not a thousand quotes: the rest is one filter away.
        hidden = more + max(0, len(statements) - MAX_STATEMENTS)
        hidden += max(0, len(fragments) - MAX_FRAGMENTS)
        parts = [title]
        parts += [self.quote_line(q, is_editor=is_editor) for q in statements[:MAX_STATEMENTS]]
        if fragments:
            lines = [self.text("quotes-fragments")]
            lines += [self.quote_line(q, is_editor=is_editor) for q in fragments[:MAX_FRAGMENTS]]
            parts.append("\n".join(lines))
        if hidden:
            parts.append(self.text("quotes-more", count=hidden))
        return "\n\n".join(parts)

    def quotes_unknown_speaker(self, name: str, speakers: Sequence[str]) -> str:
        """Nobody of that name is quoted; lists who is."""
        if not speakers:
            return self.text("quotes-unknown-speaker-none", name=name)
        return self.text("quotes-unknown-speaker", name=name, speakers=", ".join(speakers))

    # -- ticker -----------------------------------------------------------------------

    def ticker_item(
        self, item: TickerItemRecord, *, is_editor: bool = False, marker: bool = True
    ) -> str:
        """One item: time, headline, marks, body paragraphs (or its retraction).

        `marker` names the item's attachments; a push shows them instead."""
        if item.is_retracted:
            return self.retraction(item)
        head = self._timed(item, f"<b>{escape(item.headline)}</b>")
        if marker and (shown := self.media_marker(item)):
            head = f"{head} {shown}".strip()
        if item.pinned:
            head = f"📌 {head}"
        if item.corrected_at:
            head += f" <i>{self.text('ticker-corrected')}</i>"
        if is_editor:
            head += f" <code>#{item.id}</code>"
        return "\n\n".join([head, *(escape(p.strip()) for p in item.paragraphs)])

    def ticker_page(
        self,
        items: Sequence[TickerItemRecord],
        *,
        offset: int,
        total: int,
        is_editor: bool = False,
    ) -> str:
        """One page of the ticker in the order given (the store gives pinned, then newest
        first); `offset` is the 0-based position of the first item among `total`."""
        if not items:
            return self.text("ticker-empty")
        header = self.text("ticker-header", first=offset + 1, last=offset + len(items), total=total)
        blocks = [self.ticker_item(item, is_editor=is_editor) for item in items]
        return header + "\n\n" + ITEM_SEPARATOR.join(blocks)

    def push(self, story: StoryRecord, items: Sequence[TickerItemRecord]) -> str:
        """New items for a subscriber, one or several in one message, under the title."""
        header = self.text("push-header", title=story.heading)
        blocks = [self.ticker_item(i, marker=not i.media) for i in items]
        return header + "\n\n" + ITEM_SEPARATOR.join(b for b in blocks if b)

    def retraction(self, item: TickerItemRecord) -> str:
        """Replaces a delivered copy of an item the editors retracted."""
        headline = item.headline.strip() or self.media_marker(item)
        if not headline:
            return self.text("retraction-notice")
        return f"<s>{escape(headline)}</s>\n{self.text('retraction-notice')}"

    def archive_recap(self, story: StoryRecord, *, item_count: int) -> str:
        """The last message subscribers get when a story is archived."""
        parts = [
            f"{self.text('archive-recap-title', title=story.heading)}\n"
            f"{self.text('archive-recap-ended')}"
        ]
        if (story.editor_summary and story.editor_summary.strip()) or story.summary:
            parts.append(f"{self.text('archive-recap-summary')}\n{self._key_points(story)}")
        parts.append(
            f"{self.text('archive-recap-count', count=item_count)}\n"
            f"{self.text('archive-recap-thanks')}"
        )
        return "\n\n".join(parts)

    # -- people, search, stories ---------------------------------------------------

    def people(self, people: Sequence[PersonRecord]) -> str:
        if not people:
            return self.text("people-empty")
        lines = [self.text("people-title"), ""]
        for person in people:
            line = f"• <b>{escape(person.name)}</b>"
            if person.role:
                line += f" – {escape(person.role)}"
            lines.append(line)
        return "\n".join(lines)

    def search_results(self, query: str, hits: Sequence[SearchHitLike]) -> str:
        """Matching sentences with the query's words in bold."""
        if not query.strip():
            return self.text("search-missing-words")
        if not hits:
            return self.text("search-none", query=query)
        parts = [self.text("search-title", query=query)]
        for hit in hits:
            kind = self.text("search-kind", kind=hit.kind)
            parts.append(f"<i>{kind}</i>: {_snippet(hit.text, query)}")
        return "\n\n".join(parts)

    def stories(self, stories: Sequence[StoryRecord], *, current_id: int | None) -> str:
        if not stories:
            return self.text("stories-empty")
        lines = [self.text("stories-title"), ""]
        for story in stories:
            line = f"<b>{story.id}</b> · {escape(story.heading)}"
            if story.archived_at:
                line += f" <i>{self.text('stories-archived')}</i>"
            if story.id == current_id:
                line += f" <b>{self.text('stories-current')}</b>"
            lines.append(line)
        lines += ["", self.text("stories-hint")]
        return "\n".join(lines)

    # -- settings ---------------------------------------------------------------------

    def delivery_mode(self, mode: DeliveryChoice) -> str:
        """A delivery mode's name, e.g. "jede Meldung sofort" for "instant" (plain text)."""
        return self.plain("delivery-mode", mode=mode.value)

    def settings(
        self,
        *,
        language: str,
        mode: DeliveryChoice | None,
        story_title: str | None,
        extra: Sequence[str] = (),
    ) -> str:
        """The /settings view; `mode` None means the chat is not subscribed; `extra` lines
        (HTML) follow the delivery line."""
        lines = [self.text("settings-title")]
        if story_title:
            lines.append(self.text("settings-story", title=story_title))
        code = normalize_language(language) or DEFAULT_LANGUAGE
        lines.append(
            self.text("settings-language", language=self.plain("language-name", code=code))
        )
        if mode is None or mode == "off":
            lines.append(self.text("settings-not-subscribed"))
        else:
            lines.append(self.text("settings-mode", mode=self.delivery_mode(mode)))
        lines.extend(extra)
        return "\n".join(lines) + "\n\n" + self.text("settings-choose")

    def settings_button(self, mode: DeliveryChoice, *, selected: bool = False) -> str:
        """Label of the button for one delivery mode (plain text), ticked when chosen."""
        label = self.plain(f"settings-button-{mode.value}")
        return f"✓ {label}" if selected else label

    # -- local time -------------------------------------------------------------------

    def quiet_window(self, start: int, end: int) -> str:
        """E.g. "22–07 Uhr" / "22:00–07:00" (plain text)."""
        return self.plain("quiet-window", start=f"{start:02d}", end=f"{end:02d}")

    def quiet_button(self, quiet: tuple[int, int] | None) -> str:
        """The quiet-hours switch in /settings, ticked and naming the window when on."""
        if quiet is None:
            return self.plain("quiet-button-off")
        return "✓ " + self.plain("quiet-button-on", window=self.quiet_window(*quiet))

    def quiet_window_button(self, start: int, end: int) -> str:
        """A button that sets the quiet hours to this window (plain text)."""
        return "🌙 " + self.quiet_window(start, end)

    def quiet_saved(self, quiet: tuple[int, int] | None, zone_name: str) -> str:
        """The answer after quiet hours changed (plain text)."""
        if quiet is None:
            return self.plain("quiet-saved-off")
        return self.plain("quiet-saved", window=self.quiet_window(*quiet), zone=zone_name)

    def local_time_lines(
        self, zone_name: str, quiet: tuple[int, int] | None, *, subscribed: bool
    ) -> list[str]:
        """The time zone and quiet-hours lines of /settings (HTML)."""
        lines = [
            self.text("settings-timezone", zone=zone_name, example=self.timezone_example(zone_name))
        ]
        if subscribed:
            if quiet is None:
                lines.append(self.text("settings-quiet-off"))
            else:
                lines.append(
                    self.text("settings-quiet", window=self.quiet_window(*quiet), zone=zone_name)
                )
        return lines

    def missed(
        self, *, total: int, offset: int, items: Sequence[TickerItemRecord], title: str
    ) -> str:
        """What a chat missed: how many, then the newest headlines of this page (HTML)."""
        if total == 0:
            return self.text("missed-none", title=title)
        head = self.text("missed-title", count=total, title=title)
        lines = [self._timed(item, f"<b>{escape(item.headline)}</b>") for item in items]
        page = self.text("missed-page", first=offset + 1, last=offset + len(items), total=total)
        return head + "\n" + page + "\n\n" + "\n".join(f"• {line}" for line in lines)

    def muted_line(self, until_iso: str) -> str:
        """The /settings line of a subscription muted by a push button (HTML)."""
        return self.text("settings-muted", until=self.datetime_long(until_iso))

    def filter_line(self, keywords: Sequence[str]) -> str:
        """The keyword filter line of /settings and /filter (HTML)."""
        if not keywords:
            return self.text("settings-filter-off")
        return self.text("settings-filter", words=", ".join(keywords))

    def timezone_example(self, zone_name: str) -> str:
        """A zone to show in "change it with /timezone …": never the one the chat is on."""
        example = self.plain("timezone-example")
        return self.plain("timezone-example-other") if example == zone_name else example

    def timezone_usage(self, zone_name: str) -> str:
        """How to change the chat's zone, with an example other than its own (HTML)."""
        return self.text("timezone-usage", example=self.timezone_example(zone_name))

    def timezone_now(self, zone_name: str, now_iso: str) -> str:
        """The chat's zone and its clock now (HTML)."""
        return self.text("timezone-current", zone=zone_name, now=self.datetime_long(now_iso))

    # -- editors ----------------------------------------------------------------------

    def post_confirmation(
        self, item_id: int, *, delivered: int, total: int, story_title: str | None = None
    ) -> str:
        """E.g. "✅ Meldung #45 veröffentlicht in „Gipfel“ – zugestellt 120/195"; edit it as
        delivery runs. The story is named: after /newstory it is not the one of before."""
        done = self.text("post-done", id=item_id)
        if story_title:
            done += " " + self.text("post-story", title=story_title)
        if total <= 0:
            return f"{done} – {self.text('post-no-subscribers')}"
        return f"{done} – {self.text('post-progress', delivered=delivered, total=total)}"

    def stats(
        self,
        *,
        active: int,
        blocked: int,
        items: Sequence[ItemDelivery],
        story_title: str | None = None,
        paused_since: str | None = None,
    ) -> str:
        """Subscribers and recent pushes; a push held up by an outage or retries is stalled."""
        head = [self.text("stats-title")]
        if story_title:
            head.append(self.text("stats-story", title=story_title))
        head.append(self.text("stats-subscribers", active=active, blocked=blocked))
        parts = ["\n".join(head)]
        if paused_since is not None:
            parts.append(self.text("stats-paused", since=self.datetime_short(paused_since)))
        if not items:
            parts.append(self.text("stats-no-items"))
        else:
            lines = [self.text("stats-recent")]
            for item in items:
                headline = escape(shorten(item.headline, STATS_HEADLINE_LENGTH))
                counts = [progress_bar(item.delivered, item.total)]
                if item.retracted:
                    headline = f"<s>{headline}</s>"
                    counts.insert(0, self.text("stats-item-retracted"))
                if item.pending:
                    counts.append(self.text("stats-item-pending", pending=item.pending))
                if item.pending and (paused_since is not None or item.retrying):
                    counts.append(self.text("stats-item-stalled", retrying=item.retrying))
                if item.failed:
                    counts.append(self.text("stats-item-failed", failed=item.failed))
                if item.blocked:
                    # A reader who blocked the bot is gone, not a delivery that failed.
                    counts.append(self.text("stats-item-blocked", blocked=item.blocked))
                if item.skipped:
                    counts.append(self.text("stats-item-skipped", skipped=item.skipped))
                lines.append(f"<code>#{item.item_id}</code> {headline}\n" + " · ".join(counts))
            parts.append("\n".join(lines))
            if any(item.failed for item in items):  # dead letters: /retry sends them again
                parts.append(self.text("stats-retry-hint"))
        return "\n\n".join(parts)

    def audit(self, entries: Sequence[AuditEntry], names: Mapping[int, str] | None = None) -> str:
        """Newest first as given: who (name where known), when, what, before → after."""
        if not entries:
            return self.text("audit-empty")
        parts = [self.text("audit-title", count=len(entries))]
        for entry in entries:
            what = [
                f"<i>{escape(self.datetime_short(entry.at))}</i>",
                self.text("audit-user", user=self._who(entry.user_id, names or {})),
                f"<b>{self.text('audit-action', action=entry.action)}</b>",
            ]
            target = self._audit_target(entry)
            if target:
                what.append(target)
            line = f"<code>#{entry.id}</code> " + " · ".join(what)
            change = self._audit_change(*_audit_texts(entry))
            parts.append(f"{line}\n{change}" if change else line)
        return "\n\n".join(parts)

    def _audit_target(self, entry: AuditEntry) -> str:
        """What the action changed, named for people: "Meldung #12", "Zitat #3", "Thema 1"."""
        number = _number_in(entry.target)
        if entry.action in _ITEM_ACTIONS and number is not None:
            return self.text("audit-target-item", id=number)
        if entry.action in _QUOTE_ACTIONS and number is not None:
            return self.text("audit-target-quote", id=number)
        if entry.story_id is not None:
            story = self.text("audit-target-story", id=entry.story_id)
            if entry.action == "import" and entry.target:
                # Which file fed the story is worth knowing; its source prefix is not.
                return f"{story} ({escape(entry.target.rpartition('/')[2])})"
            return story
        return escape(entry.target or "")

    @staticmethod
    def _who(user_id: int, names: Mapping[int, str]) -> str:
        name = names.get(user_id)
        return f"{name} ({user_id})" if name else str(user_id)

    @staticmethod
    def _audit_change(before: Any, after: Any) -> str:
        old = escape(shorten(_audit_value(before), AUDIT_VALUE_LENGTH))
        new = escape(shorten(_audit_value(after), AUDIT_VALUE_LENGTH))
        if old and new:
            return f"<s>{old}</s> → {new}"
        if new:
            return f"→ {new}"
        return f"<s>{old}</s>" if old else ""

    def import_preview(self, parsed: ParsedStory, *, updates_existing: bool = False) -> str:
        """What an uploaded page would import; shown with Import / Cancel buttons."""
        head = [self.text("import-preview-title", title=parsed.title)]
        if updates_existing:
            head.append(self.text("import-preview-updates"))
        head.append(
            self.text(
                "import-preview-counts",
                paragraphs=len(parsed.body),
                quotes=len(parsed.quotes),
                ticker=len(parsed.ticker),
            )
        )
        if parsed.warnings:
            head.append(
                f"<i>{self.text('import-preview-warnings', count=len(parsed.warnings))}</i>"
            )
        parts = ["\n".join(head)]
        if parsed.quotes:
            lines = [self.text("import-preview-quotes")]
            for quote in parsed.quotes[:PREVIEW_QUOTES]:
                text = escape(shorten(quote.text, PREVIEW_QUOTE_LENGTH))
                if quote.speaker:
                    speaker = escape(quote.speaker)
                else:
                    speaker = f"<i>{self.text('quotes-unattributed')}</i>"
                lines.append(self._with_markup("quote-line", text=text, attribution=speaker))
            parts.append("\n".join(lines))
        parts.append(self.text("import-preview-question"))
        return "\n\n".join(parts)

    def editor_error(self, code: str, args: Mapping[str, object] | None = None) -> str:
        """The reply to an EditorError(code, **args); unknown codes get the apology."""
        given = args or {}
        if code == "missing-argument":
            command, argument = given.get("command"), given.get("argument")
            if isinstance(command, str) and isinstance(argument, Argument):
                return self.missing_argument(command, argument)
            return self.text("error-generic")
        key, names = EDITOR_ERROR_TEXTS.get(code, ("error-generic", {}))
        values: dict[str, ArgValue] = {}
        for source, target in names.items():
            value = given.get(source)
            if isinstance(value, str | int | float):
                values[target] = value
        if len(values) < len(names):  # a text without its argument would read "{$id}"
            return self.text("error-generic")
        return self.text(key, **values)

    def import_error(self, code: str, *, max_bytes: int, detail: str = "") -> str:
        """The reply to a StoryError(code) for an uploaded file."""
        key = IMPORT_ERROR_TEXTS.get(code)
        if key == "import-file-too-large":
            return self.text(key, max_kb=max(1, max_bytes // 1000))
        if key is not None:
            return self.text(key)
        return self.text("import-failed", reason=detail or code)

    def import_done(self, *, story_id: int, title: str, created: bool, new_items: int) -> str:
        key = "import-done-created" if created else "import-done-updated"
        return self.text(key, id=story_id, title=title, new=new_items)
