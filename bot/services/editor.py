"""Editors' changes to a story: each one a transaction with its audit entry and pushes."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass

from bot.db import audit, chats, deliveries, reads, stories, subscriptions
from bot.db.connection import Database
from bot.db.models import (
    MAX_ATTACHMENTS,
    Attachment,
    AuditEntry,
    QuoteRecord,
    StoryRecord,
    TickerItemRecord,
    now_iso,
)

MAX_ITEM_CHARS = 4096
MAX_TITLE_CHARS = 200
MAX_SHORT_TITLE_CHARS = 60


class EditorError(Exception):
    """An editor request that cannot be carried out; `code` picks the reply text."""

    def __init__(self, code: str, **args: object) -> None:
        super().__init__(code)
        self.code = code
        self.args_for_text = args


@dataclass(frozen=True)
class NewQuote:
    text: str
    speaker: str
    role: str | None


_QUOTE_COMMAND = re.compile(
    r"""^\s*["„“”«»‚‘'](?P<text>.+?)["„“”«»‚‘']\s*(?:—|–|-{1,2})\s*(?P<who>.+?)\s*$""", re.S
)


def parse_addquote(raw: str) -> NewQuote:
    """Read `"TEXT" — SPEAKER, ROLE`; EditorError('quote-format') when it does not fit."""
    match = _QUOTE_COMMAND.match(raw or "")
    if not match:
        raise EditorError("quote-format")
    text = " ".join(match["text"].split())
    speaker, _, role = match["who"].partition(",")
    speaker, role = " ".join(speaker.split()), " ".join(role.split())
    if not text or not speaker:
        raise EditorError("quote-format")
    return NewQuote(text=text, speaker=speaker, role=role or None)


def split_post(raw: str) -> tuple[str, str]:
    """Headline and body of a posted item: the first line heads, the rest is the body."""
    text = (raw or "").strip()
    if not text:
        raise EditorError("missing-text")
    if len(text) > MAX_ITEM_CHARS:
        raise EditorError("text-too-long", limit=MAX_ITEM_CHARS, length=len(text))
    headline, _, body = text.partition("\n")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    return " ".join(headline.split()), "\n\n".join(paragraphs)


@dataclass(frozen=True)
class StoryStats:
    counts: subscriptions.SubscriberCounts
    recent: list[deliveries.ItemProgress]
    headlines: dict[int, str]
    # Items the editors retracted: their counts stay, but they are no longer live.
    retracted: frozenset[int] = frozenset()


def _item_snapshot(item: TickerItemRecord) -> dict[str, object]:
    return {"headline": item.headline, "body": item.body, "pinned": item.pinned}


def _with_media(snapshot: dict[str, object], media: Sequence[Attachment]) -> dict[str, object]:
    """An audit snapshot naming the item's attachments (kind and unique id), if any."""
    if not media:
        return snapshot
    return {**snapshot, "media": [f"{a.kind.value}:{a.file_unique_id}" for a in media]}


class EditorService:
    """What editors can do; every change is audited in its own transaction."""

    def __init__(self, db: Database, *, notify: Callable[[], Awaitable[None] | None]) -> None:
        self.db = db
        self._notify_cb = notify
        # Editors' names as last written: a command by the same editor under the same name
        # writes nothing, so read-only commands (/stats, /audit) never wait for the writer
        # (behind the push engine's transactions).
        self._editor_names: dict[int, str] = {}

    async def _notify(self) -> None:
        result = self._notify_cb()
        if result is not None:
            await result

    async def _live_item(self, item_id: int) -> TickerItemRecord:
        item = await stories.get_item(self.db, item_id)
        if item is None:
            raise EditorError("item-not-found", id=item_id)
        if item.is_retracted:
            raise EditorError("item-retracted", id=item_id)
        return item

    async def post(
        self,
        user_id: int,
        story: StoryRecord,
        raw: str,
        media: Sequence[Attachment] = (),
        *,
        source: tuple[int, Sequence[int]] | None = None,
    ) -> TickerItemRecord:
        """Publish a new ticker item (with its attachments) and queue it for every subscriber.

        An item with attachments may have no text: the picture is the news."""
        if story.archived_at:
            raise EditorError("story-archived", title=story.title)
        media = tuple(media)[:MAX_ATTACHMENTS]
        headline, body = split_post(raw) if raw.strip() or not media else ("", "")
        now = now_iso()
        async with self.db.atomic():
            item_id = await stories.insert_item(
                self.db,
                story.id,
                origin="posted",
                headline=headline,
                body=body,
                created_by=user_id,
                now=now,
            )
            if media:
                await stories.set_media(self.db, item_id, media)
            if source is not None:
                await stories.remember_sources(self.db, item_id, source[0], source[1])
            await stories.touch_story(self.db, story.id, now)
            await deliveries.enqueue_item(self.db, story.id, item_id)
            await audit.record(
                self.db,
                user_id=user_id,
                action="post",
                story_id=story.id,
                target=f"#{item_id}",
                after=_with_media({"headline": headline, "body": body}, media),
            )
            await stories.reindex_entry(self.db, story.id, "ticker", item_id)
        await self._notify()
        item = await stories.get_item(self.db, item_id)
        assert item is not None
        return item

    async def edit(self, user_id: int, item_id: int, raw: str) -> TickerItemRecord:
        """Correct an item; delivered copies are edited in place, pending ones go out corrected."""
        headline, body = split_post(raw)
        async with self.db.atomic():
            # Checked inside the transaction: a retraction that just landed wins.
            item = await self._live_item(item_id)
            if headline == item.headline and body == item.body:
                raise EditorError("edit-unchanged", id=item_id)
            await stories.correct_item(self.db, item_id, headline, body)
            await deliveries.enqueue_edit(self.db, item_id)
            await audit.record(
                self.db,
                user_id=user_id,
                action="edit",
                story_id=item.story_id,
                target=f"#{item_id}",
                before=_item_snapshot(item),
                after={"headline": headline, "body": body, "pinned": item.pinned},
            )
            await stories.reindex_entry(self.db, item.story_id, "ticker", item_id)
        await self._notify()
        updated = await stories.get_item(self.db, item_id)
        assert updated is not None
        return updated

    async def edit_source(
        self, user_id: int, chat_id: int, message_id: int, attachment: Attachment, raw: str
    ) -> TickerItemRecord | None:
        """The editor edited a message an item came from: the item follows; None if none did."""
        found = await stories.item_for_source(self.db, chat_id, message_id)
        if found is None:
            return None
        item_id, position = found
        item = await self._live_item(item_id)
        media = list(item.media)
        if position < len(media):
            media[position] = attachment
        return await self.replace_media(user_id, item_id, media, raw)

    async def replace_media(
        self,
        user_id: int,
        item_id: int,
        media: Sequence[Attachment],
        raw: str = "",
        *,
        source: tuple[int, Sequence[int]] | None = None,
    ) -> TickerItemRecord:
        """Give an item new attachments (and new text when given): delivered copies show them."""
        media = tuple(media)[:MAX_ATTACHMENTS]
        if not media:
            raise EditorError("missing-text")
        async with self.db.atomic():
            item = await self._live_item(item_id)
            if source is not None:
                await stories.remember_sources(self.db, item_id, source[0], source[1])
            headline, body = split_post(raw) if raw.strip() else (item.headline, item.body)
            if media == item.media and (headline, body) == (item.headline, item.body):
                raise EditorError("edit-unchanged", id=item_id)
            await stories.set_media(self.db, item_id, media)
            # A correction stamp: pushes in flight see a new version and are refreshed.
            await stories.correct_item(self.db, item_id, headline, body)
            await deliveries.enqueue_edit(self.db, item_id)
            await audit.record(
                self.db,
                user_id=user_id,
                action="edit",
                story_id=item.story_id,
                target=f"#{item_id}",
                before=_with_media(_item_snapshot(item), item.media),
                after=_with_media(
                    {"headline": headline, "body": body, "pinned": item.pinned}, media
                ),
            )
            await stories.reindex_entry(self.db, item.story_id, "ticker", item_id)
        await self._notify()
        updated = await stories.get_item(self.db, item_id)
        assert updated is not None
        return updated

    async def retract(self, user_id: int, item_id: int) -> TickerItemRecord:
        """Retract an item: delivered copies deleted or replaced by a notice, pending cancelled."""
        async with self.db.atomic():
            item = await self._live_item(item_id)
            await stories.retract_item(self.db, item_id)
            await deliveries.enqueue_retraction(self.db, item_id)
            await audit.record(
                self.db,
                user_id=user_id,
                action="delete",
                story_id=item.story_id,
                target=f"#{item_id}",
                before=_item_snapshot(item),
                after={"retracted": True},
            )
            await stories.reindex_entry(self.db, item.story_id, "ticker", item_id)
        await self._notify()
        return item

    async def set_pinned(self, user_id: int, item_id: int, pinned: bool) -> TickerItemRecord:
        """Pin or unpin an item for /ticker and /summary."""
        async with self.db.atomic():
            item = await self._live_item(item_id)
            if item.pinned == pinned:
                # Nothing changes: no audit entry, and the reply says so.
                raise EditorError("pin-unchanged" if pinned else "unpin-unchanged", id=item_id)
            await stories.set_item_pinned(self.db, item_id, pinned)
            await audit.record(
                self.db,
                user_id=user_id,
                action="pin" if pinned else "unpin",
                story_id=item.story_id,
                target=f"#{item_id}",
                before={"pinned": item.pinned},
                after={"pinned": pinned},
            )
        return item

    async def channel_copy(self, channel_id: int, item_id: int) -> int:
        """The channel's message of an item (to pin it there); EditorError if it has none."""
        message_id = await reads.first_message_of(self.db, channel_id, item_id)
        if message_id is None:
            raise EditorError("pin-channel-missing", id=item_id)
        return message_id

    async def set_summary(self, user_id: int, story: StoryRecord, text: str | None) -> None:
        """Replace the extracted summary with the editor's text, or restore it with None."""
        if text is not None:
            text = text.strip()
            if not text:
                raise EditorError("missing-text")
            if len(text) > MAX_ITEM_CHARS - 200:
                raise EditorError("text-too-long", limit=MAX_ITEM_CHARS - 200, length=len(text))
        async with self.db.atomic():
            current = await stories.get_story(self.db, story.id)
            old = current.editor_summary if current else story.editor_summary
            if text is None and old is None:
                raise EditorError("summary-not-set")
            if text is not None and text == old:
                raise EditorError("summary-unchanged")
            await stories.set_editor_summary(self.db, story.id, text)
            await audit.record(
                self.db,
                user_id=user_id,
                action="setsummary" if text is not None else "resetsummary",
                story_id=story.id,
                target=f"story {story.id}",
                before=old,
                after=text,
            )

    async def add_quote(self, user_id: int, story: StoryRecord, raw: str) -> QuoteRecord:
        """Add an editor's quote with its speaker."""
        quote = parse_addquote(raw)
        if len(quote.text) > 1000:
            raise EditorError("text-too-long", limit=1000, length=len(quote.text))
        async with self.db.atomic():
            quote_id = await stories.insert_editor_quote(
                self.db,
                story.id,
                quote.text,
                quote.speaker,
                quote.role,
                fragment=len(quote.text.split()) < 4,
            )
            await audit.record(
                self.db,
                user_id=user_id,
                action="addquote",
                story_id=story.id,
                target=f"quote {quote_id}",
                after=asdict(quote),
            )
            await stories.reindex_entry(self.db, story.id, "quote", quote_id)
        record = await stories.get_quote(self.db, quote_id)
        assert record is not None
        return record

    async def _quote(self, quote_id: int) -> QuoteRecord:
        quote = await stories.get_quote(self.db, quote_id)
        if quote is None:
            raise EditorError("quote-not-found", id=quote_id)
        return quote

    async def delete_quote(self, user_id: int, quote_id: int) -> QuoteRecord:
        """Remove a quote from what readers see (kept for the audit trail)."""
        async with self.db.atomic():
            quote = await self._quote(quote_id)
            await stories.delete_quote(self.db, quote_id)
            await audit.record(
                self.db,
                user_id=user_id,
                action="delquote",
                story_id=quote.story_id,
                target=f"quote {quote_id}",
                before={"text": quote.text, "speaker": quote.speaker},
            )
            await stories.reindex_entry(self.db, quote.story_id, "quote", quote_id)
        return quote

    async def set_speaker(self, user_id: int, quote_id: int, raw: str) -> QuoteRecord:
        """Fix who said a quote (`NAME` or `NAME, ROLE`)."""
        name, _, role = (raw or "").partition(",")
        name, role = " ".join(name.split()), " ".join(role.split())
        if not name:
            raise EditorError("missing-text")
        if len(name) > 120:
            raise EditorError("text-too-long", limit=120, length=len(name))
        if len(role) > 200:
            raise EditorError("text-too-long", limit=200, length=len(role))
        async with self.db.atomic():
            quote = await self._quote(quote_id)
            if quote.speaker == name and (quote.role or "") == role:
                raise EditorError("speaker-unchanged", id=quote_id)
            await stories.set_quote_speaker(self.db, quote_id, name, role or None)
            await audit.record(
                self.db,
                user_id=user_id,
                action="setspeaker",
                story_id=quote.story_id,
                target=f"quote {quote_id}",
                before={"speaker": quote.speaker, "role": quote.role},
                after={"speaker": name, "role": role or None},
            )
        updated = await stories.get_quote(self.db, quote_id)
        assert updated is not None
        return updated

    async def new_story(self, user_id: int, title: str, language: str) -> StoryRecord:
        """Start an empty story editors can post to."""
        title = " ".join((title or "").split())
        if not title:
            raise EditorError("missing-text")
        if len(title) > MAX_TITLE_CHARS:
            raise EditorError("text-too-long", limit=MAX_TITLE_CHARS, length=len(title))
        async with self.db.atomic():
            story_id = await stories.create_story(self.db, title, language)
            await audit.record(
                self.db, user_id=user_id, action="newstory", story_id=story_id, after=title
            )
        story = await stories.get_story(self.db, story_id)
        assert story is not None
        return story

    async def archive(self, user_id: int, story_id: int) -> StoryRecord:
        """End a story: subscribers get a final recap, then their subscription ends."""
        async with self.db.atomic():
            # Checked inside the transaction: a double tap must not send two recaps.
            story = await stories.get_story(self.db, story_id)
            if story is None:
                raise EditorError("story-not-found", id=story_id)
            if story.archived_at:
                raise EditorError("story-already-archived", id=story_id)
            await stories.archive_story(self.db, story_id)
            await deliveries.enqueue_final_recap(self.db, story_id)
            await audit.record(
                self.db,
                user_id=user_id,
                action="archive",
                story_id=story_id,
                target=f"story {story_id}",
            )
        await self._notify()
        return story

    async def set_title(self, user_id: int, story: StoryRecord, raw: str) -> StoryRecord:
        """Give a story the short title that heads its pushes and confirmations."""
        title = " ".join((raw or "").split())
        if not title:
            raise EditorError("missing-text")
        if len(title) > MAX_SHORT_TITLE_CHARS:
            raise EditorError("text-too-long", limit=MAX_SHORT_TITLE_CHARS, length=len(title))
        async with self.db.atomic():
            current = await stories.get_story(self.db, story.id)
            if current is None:
                raise EditorError("story-not-found", id=story.id)
            if current.heading == title:
                raise EditorError("title-unchanged")
            await stories.set_short_title(self.db, story.id, title)
            await audit.record(
                self.db,
                user_id=user_id,
                action="settitle",
                story_id=story.id,
                target=f"story {story.id}",
                before=current.heading,
                after=title,
            )
        updated = await stories.get_story(self.db, story.id)
        assert updated is not None
        return updated

    async def audit_log(self, limit: int) -> tuple[list[AuditEntry], dict[int, str]]:
        """The latest editor actions, and the display names of the editors who took them."""
        entries = await audit.latest(self.db, limit)
        names = await chats.display_names(self.db, sorted({e.user_id for e in entries}))
        return entries, names

    async def remember_editor(self, user_id: int, name: str) -> None:
        """Keep the editor's name for the audit log (written only when it changed)."""
        if self._editor_names.get(user_id) == name:
            return
        await chats.remember_name(self.db, user_id, "private", name)
        self._editor_names[user_id] = name

    async def item_progress(self, item_id: int) -> deliveries.ItemProgress:
        """How far an item's fan-out has come."""
        return await deliveries.item_progress(self.db, item_id)

    async def story_stats(self, story_id: int) -> StoryStats:
        """Subscriber counts and the delivery progress of the story's latest items."""
        counts = await subscriptions.counts(self.db, story_id)
        recent = await deliveries.recent_items_progress(self.db, story_id, limit=5)
        items = await stories.items_by_ids(self.db, [p.item_id for p in recent])
        return StoryStats(
            counts,
            recent,
            {item.id: item.headline for item in items},
            frozenset(item.id for item in items if item.is_retracted),
        )
