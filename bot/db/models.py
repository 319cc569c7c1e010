"""Records read from the store: plain frozen dataclasses, no Telegram."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.db.connection import Row


def now_iso() -> str:
    """The current UTC time as stored in every *_at column."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_iso(value: str) -> datetime:
    """A stored timestamp as an aware datetime."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StoryRecord:
    id: int
    slug: str
    title: str
    lead: str
    language: str
    summary: tuple[str, ...]
    editor_summary: str | None
    archived_at: str | None
    created_at: str
    updated_at: str
    short_title: str | None = None
    edited_at: str | None = None

    @property
    def heading(self) -> str:
        """The title that heads pushes and confirmations: short where one is known."""
        return self.short_title or self.title

    @classmethod
    def from_row(cls, row: Row) -> StoryRecord:
        keys = row.keys()
        return cls(
            id=row["id"],
            slug=row["slug"],
            title=row["title"],
            lead=row["lead"],
            language=row["language"],
            summary=tuple(json.loads(row["summary_json"])),
            editor_summary=row["editor_summary"],
            archived_at=row["archived_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            short_title=row["short_title"] if "short_title" in keys else None,
            edited_at=row["edited_at"] if "edited_at" in keys else None,
        )


class MediaKind(StrEnum):
    """What an attachment of a ticker item is, as Telegram sends it."""

    PHOTO = "photo"
    VIDEO = "video"
    ANIMATION = "animation"
    DOCUMENT = "document"


# Telegram's album (sendMediaGroup): 2–10 items, documents only with documents, animations
# never in one. An item may carry more: it goes out as several albums.
ALBUM_SIZE = 10
# What one item carries at most: five full albums, a minute of one chat's sending rate.
MAX_ATTACHMENTS = 50


@dataclass(frozen=True)
class Attachment:
    """One file of a ticker item: sent again by file_id, recognised by file_unique_id."""

    kind: MediaKind
    file_id: str
    file_unique_id: str


@dataclass(frozen=True)
class TickerItemRecord:
    id: int
    story_id: int
    origin: str
    position: int
    time: str | None
    headline: str
    body: str
    pinned: bool
    created_by: int | None
    created_at: str
    updated_at: str
    corrected_at: str | None
    retracted_at: str | None
    media_count: int = 0
    media: tuple[Attachment, ...] = ()
    # The moment a page's stamp stands for (ISO 8601 with offset), where the store has it.
    published_at: str | None = None
    # The page's stamp as printed ("21:40 Uhr", "12 minutes ago"); None where it had none.
    stamp: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p.strip()]

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    @classmethod
    def from_row(cls, row: Row) -> TickerItemRecord:
        keys = row.keys()
        return cls(
            id=row["id"],
            story_id=row["story_id"],
            origin=row["origin"],
            position=row["position"],
            time=row["time"],
            headline=row["headline"],
            body=row["body"],
            pinned=bool(row["pinned"]),
            created_by=row["created_by"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            corrected_at=row["corrected_at"],
            retracted_at=row["retracted_at"],
            media_count=row["media_count"] if "media_count" in keys else 0,
            published_at=row["published_at"] if "published_at" in keys else None,
            stamp=row["stamp"] if "stamp" in keys else None,
        )


@dataclass(frozen=True)
class QuoteRecord:
    id: int
    story_id: int
    position: int
    text: str
    speaker: str | None
    role: str | None
    fragment: bool
    origin: str

    @classmethod
    def from_row(cls, row: Row) -> QuoteRecord:
        return cls(
            id=row["id"],
            story_id=row["story_id"],
            position=row["position"],
            text=row["text"],
            speaker=row["speaker"],
            role=row["role"],
            fragment=bool(row["fragment"]),
            origin=row["origin"],
        )


@dataclass(frozen=True)
class PersonRecord:
    name: str
    role: str | None


@dataclass(frozen=True)
class ChatRecord:
    chat_id: int
    chat_type: str
    language: str | None
    current_story_id: int | None
    timezone: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user_id: int
    action: str
    story_id: int | None
    target: str | None
    before: Any
    after: Any

    @classmethod
    def from_row(cls, row: Row) -> AuditEntry:
        return cls(
            id=row["id"],
            at=row["at"],
            user_id=row["user_id"],
            action=row["action"],
            story_id=row["story_id"],
            target=row["target"],
            before=json.loads(row["before_json"]) if row["before_json"] else None,
            after=json.loads(row["after_json"]) if row["after_json"] else None,
        )
