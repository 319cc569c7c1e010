"""Caps on what an import stores, as an editor's /post is capped.

A page may hold a megabyte on one line; stored as a lead it would make every /summary a
flood of messages. Each capped text is cut at a word boundary with "…" and the import
says so in its warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.story.model import ParsedStory, TickerEntry

# An item is one /post: headline and body together fit one Telegram message.
MAX_ITEM_CHARS = 4096
MAX_HEADLINE_CHARS = 200
MAX_TITLE_CHARS = 200
MAX_LEAD_CHARS = 2000
MAX_PARAGRAPH_CHARS = 4000
MAX_PARAGRAPHS = 200
MAX_QUOTE_CHARS = 1000
MAX_SUMMARY_CHARS = 600


def cut(text: str, limit: int) -> str:
    """Text of at most `limit` characters, cut at a word boundary with "…"."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:–—-") + "…"


def cap_story(story: ParsedStory) -> ParsedStory:
    """The story with every stored text within its cap, and a warning for each cut."""
    warnings = list(story.warnings)

    def capped(what: str, text: str, limit: int) -> str:
        if len(text) > limit:
            warnings.append(f"{what} cut from {len(text)} to {limit} characters")
        return cut(text, limit)

    body = [capped("paragraph", p, MAX_PARAGRAPH_CHARS) for p in story.body]
    if len(body) > MAX_PARAGRAPHS:
        warnings.append(f"{len(body) - MAX_PARAGRAPHS} paragraphs beyond {MAX_PARAGRAPHS} dropped")
        body = body[:MAX_PARAGRAPHS]
    quotes = [
        replace(q, text=capped("quote", q.text, MAX_QUOTE_CHARS))
        if len(q.text) > MAX_QUOTE_CHARS
        else q
        for q in story.quotes
    ]
    return replace(
        story,
        title=capped("title", story.title, MAX_TITLE_CHARS),
        lead=capped("lead", story.lead, MAX_LEAD_CHARS),
        body=tuple(body),
        summary=tuple(capped("summary point", s, MAX_SUMMARY_CHARS) for s in story.summary),
        quotes=tuple(quotes),
        ticker=tuple(_cap_item(item, capped) for item in story.ticker),
        warnings=tuple(warnings),
    )


def _cap_item(item: TickerEntry, capped: Callable[[str, str, int], str]) -> TickerEntry:
    headline = capped("item headline", item.headline, MAX_HEADLINE_CHARS)
    display = cut(item.display_headline, MAX_HEADLINE_CHARS) if item.display_headline else ""
    room = MAX_ITEM_CHARS - len(display or headline) - 2
    body: list[str] = []
    for paragraph in item.body:
        if room <= 0:
            capped("item body", "".join(item.body), 0)
            break
        text = cut(paragraph, room) if len(paragraph) > room else paragraph
        if text != paragraph:
            capped("item body", paragraph, room)
        body.append(text)
        room -= len(text) + 2  # paragraphs are stored with a blank line between them
    capped_body = tuple(body)
    if headline == item.headline and display == item.display_headline and capped_body == item.body:
        return item  # most items fit: the entry as it is, not a copy (thousands on a long page)
    return replace(item, headline=headline, display_headline=display, body=capped_body)
