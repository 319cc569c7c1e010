"""The one codec for inline-button data: every button is built and read back here.

Callback data comes back from the client as untrusted text (a forged or stale client can
send anything up to 64 bytes), so parsing checks every field's shape and bounds and
returns None for anything else; handlers answer None with a plain notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Final

from bot.db.subscriptions import DeliveryChoice
from bot.texts import LANGUAGES, Language

CALLBACK_DATA_LIMIT: Final = 64  # bytes, Telegram's limit
MAX_ID: Final = 2**63 - 1  # SQLite INTEGER; larger ids cannot name a row
MAX_OFFSET: Final = 10_000_000
MAX_PAGE: Final = 20
_NUMBER = re.compile(r"(?:0|[1-9][0-9]{0,18})")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,24}")


class PushAction(Enum):
    """The buttons under a pushed item, and their undos."""

    MORE = "m"
    MUTE_HOUR = "h"
    MUTE_TOMORROW = "t"
    UNSUBSCRIBE = "u"
    UNMUTE = "um"
    RESUBSCRIBE = "uu"


class ImportAction(Enum):
    CONFIRM = "im"
    CANCEL = "ix"


@dataclass(frozen=True)
class TickerPageButton:
    story_id: int
    offset: int
    limit: int


@dataclass(frozen=True)
class MediaButton:
    """Show an item's attachments (a button under a /ticker page)."""

    item_id: int


@dataclass(frozen=True)
class SettingsButton:
    story_id: int
    choice: DeliveryChoice


@dataclass(frozen=True)
class QuietHoursButton:
    """Quiet hours from `start` to `end` o'clock on the chat's own clock."""

    story_id: int
    start: int
    end: int


@dataclass(frozen=True)
class PushButton:
    action: PushAction
    story_id: int


@dataclass(frozen=True)
class MissedPageButton:
    """A page of what a chat missed: items after `since_item_id`, from `offset` on."""

    story_id: int
    since_item_id: int
    offset: int


@dataclass(frozen=True)
class ImportButton:
    action: ImportAction
    token: str


@dataclass(frozen=True)
class LanguageButton:
    language: Language


CallbackData = (
    TickerPageButton
    | SettingsButton
    | QuietHoursButton
    | PushButton
    | MissedPageButton
    | ImportButton
    | LanguageButton
    | MediaButton
)


def _number(raw: str, *, low: int, high: int) -> int | None:
    if not _NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def encode(data: CallbackData) -> str:
    """The callback_data string of a button (always within Telegram's 64 bytes)."""
    match data:
        case TickerPageButton(story_id, offset, limit):
            text = f"tk:{story_id}:{offset}:{limit}"
        case SettingsButton(story_id, choice):
            text = f"st:{story_id}:{choice.value}"
        case QuietHoursButton(story_id, start, end):
            text = f"qh:{story_id}:{start}:{end}"
        case PushButton(push_action, story_id):
            text = f"pu:{push_action.value}:{story_id}"
        case MissedPageButton(story_id, since, offset):
            text = f"ms:{story_id}:{since}:{offset}"
        case ImportButton(action, token):
            text = f"{action.value}:{token}"
        case LanguageButton(language):
            text = f"lg:{language}"
        case MediaButton(item_id):
            text = f"md:{item_id}"
    if len(text.encode()) > CALLBACK_DATA_LIMIT or decode(text) != data:
        raise ValueError(f"callback data out of bounds: {text!r}")
    return text


def decode(raw: str | None) -> CallbackData | None:
    """The button a callback_data string stands for, or None when it is not one of ours."""
    if not raw or len(raw.encode("utf-8", "surrogatepass")) > CALLBACK_DATA_LIMIT:
        return None
    prefix, _, rest = raw.partition(":")
    fields = rest.split(":")
    if prefix == "tk" and len(fields) == 3:
        story = _number(fields[0], low=1, high=MAX_ID)
        offset = _number(fields[1], low=0, high=MAX_OFFSET)
        limit = _number(fields[2], low=1, high=MAX_PAGE)
        if story is None or offset is None or limit is None:
            return None
        return TickerPageButton(story, offset, limit)
    if prefix == "st" and len(fields) == 2:
        story = _number(fields[0], low=1, high=MAX_ID)
        choice = next((c for c in DeliveryChoice if c.value == fields[1]), None)
        if story is None or choice is None:
            return None
        return SettingsButton(story, choice)
    if prefix == "qh" and len(fields) == 3:
        story = _number(fields[0], low=1, high=MAX_ID)
        start = _number(fields[1], low=0, high=23)
        end = _number(fields[2], low=0, high=23)
        if story is None or start is None or end is None or start == end:
            return None
        return QuietHoursButton(story, start, end)
    if prefix == "pu" and len(fields) == 2:
        push_action = next((a for a in PushAction if a.value == fields[0]), None)
        story = _number(fields[1], low=1, high=MAX_ID)
        if push_action is None or story is None:
            return None
        return PushButton(push_action, story)
    if prefix == "ms" and len(fields) == 3:
        story = _number(fields[0], low=1, high=MAX_ID)
        since = _number(fields[1], low=0, high=MAX_ID)
        offset = _number(fields[2], low=0, high=MAX_OFFSET)
        if story is None or since is None or offset is None:
            return None
        return MissedPageButton(story, since, offset)
    if prefix in ("im", "ix") and len(fields) == 1 and _TOKEN.fullmatch(fields[0]):
        return ImportButton(ImportAction(prefix), fields[0])
    if prefix == "md" and len(fields) == 1:
        item = _number(fields[0], low=1, high=MAX_ID)
        return MediaButton(item) if item is not None else None
    if prefix == "lg" and len(fields) == 1:
        language = next((lang for lang in LANGUAGES if lang == fields[0]), None)
        return LanguageButton(language) if language is not None else None
    return None
