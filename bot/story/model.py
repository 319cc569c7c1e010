"""What the importer makes of a page: plain, immutable data with no Telegram in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class StoryError(ValueError):
    """A page that cannot be imported; `code` names the reason for reader-facing texts."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail or code

    def __reduce__(self) -> tuple[type[StoryError], tuple[str, str]]:
        # Raised in the parsing process, it must arrive with its code intact.
        return (StoryError, (self.code, self.detail))


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str | None
    role: str | None
    fragment: bool


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None


@dataclass(frozen=True)
class TickerEntry:
    headline: str
    time: str | None
    body: tuple[str, ...]
    display_headline: str = ""
    stamp: str | None = None  # as printed ("vor 5 Minuten", "12.03.2025 • 23:18 Uhr")
    published_at: str | None = None  # ISO 8601, resolved; None where the page gives no time
    relative: bool = False  # the stamp counts back from the import ("12 minutes ago")

    @property
    def stable_time(self) -> str | None:
        """The time that names the item across re-imports: a relative stamp's resolved time
        moves with the import, so it names nothing."""
        return None if self.relative else self.time


@dataclass(frozen=True)
class ParsedStory:
    title: str
    lead: str
    language: str
    body: tuple[str, ...]
    summary: tuple[str, ...]
    quotes: tuple[Quote, ...]
    people: tuple[Person, ...]
    ticker: tuple[TickerEntry, ...]
    warnings: tuple[str, ...] = field(default=())

    def to_json_dict(self) -> dict[str, Any]:
        """The shape of `python -m bot import --dry-run --json`."""
        return {
            "title": self.title,
            "lead": self.lead,
            "language": self.language,
            "body": list(self.body),
            "summary": list(self.summary),
            "quotes": [
                {"text": q.text, "speaker": q.speaker, "role": q.role, "fragment": q.fragment}
                for q in self.quotes
            ],
            "people": [{"name": p.name, "role": p.role} for p in self.people],
            "ticker": [
                {
                    "headline": t.headline,
                    "display_headline": t.display_headline or t.headline,
                    "time": t.time,
                    "stamp": t.stamp,
                    "published_at": t.published_at,
                    "body": list(t.body),
                }
                for t in self.ticker
            ],
            "warnings": list(self.warnings),
        }
